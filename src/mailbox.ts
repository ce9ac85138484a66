/**
 * An actor's mailbox: FIFO of messages, allocated on an actor's first message. Selective receive takes
 * the first message a filter accepts and leaves the others queued, in order (Erlang's `receive`).
 *
 * Storage: a chain of chunks with two slots per message: the tag, then the args, or, when the message has
 * a sender or kwargs, an `Envelope` holding all three. A cast waiting in a mailbox thus costs two slots and
 * no object of its own (none at all without args), so a deep mailbox (a producer faster than its consumer)
 * gives the garbage collector nothing to trace or copy. Chunks double in size up to a bound as a mailbox
 * deepens and are dropped as it drains: a burst is never copied to grow the queue, and its memory goes
 * back when the burst is consumed. An emptied mailbox rewinds and reuses its last chunk, so a steady
 * exchange (ping-pong) allocates nothing. The `[tag, sender, args, kwargs]` tuple users see (`recv()`,
 * `this.message`) is built only when asked for.
 */
import { type Kwargs, type Message, NO_KWARGS, ownArgs } from './message.js';
import type { Address } from './ref.js';

/** What `recv()` accepts as a filter: a tag, or a predicate on the message. */
export type Filter = string | ((msg: Message) => boolean) | undefined;

/** A queued message's sender, args and kwargs, when it has a sender or kwargs. */
class Envelope {
  constructor(
    readonly sender: Address | null,
    readonly args: unknown[],
    readonly kwargs: Kwargs,
  ) {}
}

/** Slots of a new mailbox's first chunk (4 messages), and of the largest chunk (2048 messages). */
const FIRST_CHUNK = 8;
const MAX_CHUNK = 4096;

class Chunk {
  readonly slots: unknown[];
  next: Chunk | undefined = undefined;
  constructor(size: number) {
    this.slots = new Array(size);
  }
}

export class Mailbox {
  /** The chunk holding the oldest message, and that message's slot index in it. */
  private head = new Chunk(FIRST_CHUNK);
  private r = 0;
  /** The chunk the next message goes into, and the slot index it goes at. */
  private tail = this.head;
  private w = 0;
  /** Messages queued. */
  size = 0;

  // The message being handled (class and server actors): taken out of the queue by next().
  tag: string | undefined = undefined;
  sender: Address | null = null;
  args: unknown[] | undefined = undefined;
  kwargs: Kwargs | undefined = undefined;
  /** The current message's tuple, once built. */
  private tuple: Message | undefined = undefined;
  /** @internal The dispatcher's one-entry cache: the handler of the last tag seen (a run of one tag is common). */
  lastTag: string | undefined = undefined;
  lastHandler: unknown = undefined;

  push(tag: string, sender: Address | null, args: unknown[], kwargs: Kwargs): void {
    let t = this.tail;
    let w = this.w;
    if (w === t.slots.length) {
      const c = new Chunk(Math.min(w * 2, MAX_CHUNK));
      t.next = c;
      this.tail = t = c;
      w = 0;
    }
    const s = t.slots;
    s[w] = tag;
    s[w + 1] = sender === null && kwargs === NO_KWARGS ? args : new Envelope(sender, args, kwargs);
    this.w = w + 2;
    this.size++;
  }

  /** Makes the oldest message the current one (`tag`, `sender`, `args`, `kwargs`); check `size` first. */
  next(): void {
    const s = this.head.slots;
    const i = this.r;
    this.tag = s[i] as string;
    const rest = s[i + 1];
    if (rest instanceof Envelope) {
      this.sender = rest.sender;
      this.args = rest.args;
      this.kwargs = rest.kwargs;
    } else {
      this.sender = null;
      this.args = rest as unknown[];
      this.kwargs = NO_KWARGS;
    }
    this.tuple = undefined;
    s[i] = s[i + 1] = undefined;
    this.dropHead();
  }

  /** The oldest message's slots are cleared: move past them (to the next chunk, or rewind if empty). */
  private dropHead(): void {
    this.size--;
    if (this.size === 0) {
      // Empty: the reader is in the tail chunk; start it over (its slots are all cleared).
      this.head = this.tail;
      this.r = this.w = 0;
      return;
    }
    this.r += 2;
    if (this.r === this.head.slots.length) {
      const h = this.head;
      this.head = h.next!;
      h.next = undefined;
      this.r = 0;
    }
  }

  /** Forgets the current message. */
  done(): void {
    this.tag = this.args = this.kwargs = this.tuple = undefined;
    this.sender = null;
  }

  /** The current message as a tuple, or undefined between messages. */
  current(): Message | undefined {
    if (this.tag === undefined) return undefined;
    return (this.tuple ??= [this.tag, this.sender, ownArgs(this.args!), this.kwargs!]);
  }

  /** Takes the oldest message `filter` accepts, leaving the rest in order; undefined if none. */
  take(filter: Filter): Message | undefined {
    // Slow path (selective receive): positions of the messages scanned so far, to shift them after a match.
    const chunks: Chunk[] = [];
    const idx: number[] = [];
    let c = this.head;
    let i = this.r;
    for (let k = 0; k < this.size; k++) {
      if (i === c.slots.length) {
        c = c.next!;
        i = 0;
      }
      chunks.push(c);
      idx.push(i);
      const s = c.slots;
      let msg: Message | undefined;
      if (filter === undefined || filter === s[i]) msg = tupleAt(s, i);
      else if (typeof filter === 'function') {
        const m = tupleAt(s, i);
        if (filter(m)) msg = m;
      }
      if (msg !== undefined) {
        // Shift the older messages one place towards the tail, then drop the head message.
        for (let j = k; j > 0; j--) {
          const to = chunks[j]!.slots;
          const from = chunks[j - 1]!.slots;
          to[idx[j]!] = from[idx[j - 1]!];
          to[idx[j]! + 1] = from[idx[j - 1]! + 1];
        }
        const h = this.head.slots;
        h[this.r] = h[this.r + 1] = undefined;
        this.dropHead();
        return msg;
      }
      i += 2;
    }
    return undefined;
  }

  /** The queued messages, oldest first, as tuples. */
  *[Symbol.iterator](): IterableIterator<Message> {
    let c = this.head;
    let i = this.r;
    for (let k = 0; k < this.size; k++) {
      if (i === c.slots.length) {
        c = c.next!;
        i = 0;
      }
      yield tupleAt(c.slots, i);
      i += 2;
    }
  }
}

function tupleAt(b: unknown[], i: number): Message {
  const tag = b[i] as string;
  const rest = b[i + 1];
  if (rest instanceof Envelope) return [tag, rest.sender, ownArgs(rest.args), rest.kwargs];
  return [tag, null, ownArgs(rest as unknown[]), NO_KWARGS];
}
