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
import { type Kwargs, type Message, NO_KWARGS, ownArgs } from '../core/message.js';
import type { Address } from '../core/ref.js';

/** What `recv()` accepts as a filter: a tag, or a predicate on the message. */
export type Filter = string | ((msg: Message) => boolean) | undefined;

/** @internal A queued message's sender, args and kwargs, when it has a sender or kwargs. */
export class Envelope {
  constructor(
    readonly sender: Address | null,
    readonly args: unknown[],
    readonly kwargs: Kwargs,
  ) {}
}

/** Message slots of a new mailbox's first chunk (1 message), and of the largest chunk (16384 messages, 256 KiB:
 * big enough for V8's large-object space, which the scavenger never copies). */
const FIRST_CHUNK = 2;
const MAX_CHUNK = 32768;

/** A chunk is a plain array: its message slots, then one last slot linking to the next chunk. */
type Chunk = unknown[];

/**
 * @internal A queued message's place, from `Mailbox.newest()`. `holds(at)` tells whether it is still there
 * (handled messages are cleared from their slots; a slot reused by a later message holds another object).
 */
export interface QueuedAt {
  chunk: Chunk;
  slot: number;
  rest: unknown;
}

/** @internal Is the message `at` still queued where it was put? */
export function holds(at: QueuedAt): boolean {
  return at.chunk[at.slot + 1] === at.rest;
}
const newChunk = (slots: number): Chunk => new Array(slots + 1);

export class Mailbox {
  /** The chunk holding the oldest message, and that message's slot index in it. */
  private head: Chunk = newChunk(FIRST_CHUNK);
  private r = 0;
  /** The chunk the next message goes into, and the slot index it goes at. */
  private tail = this.head;
  private w = 0;
  /** Messages queued. */
  size = 0;

  // The message being handled (class and server actors), taken out of the queue by next(): its tag, and
  // its args or Envelope (sender, args and kwargs are read through it).
  tag: string | undefined = undefined;
  /** @internal The current message's args, or its Envelope. */
  rest: unknown = undefined;

  get sender(): Address | null {
    const r = this.rest;
    return r instanceof Envelope ? r.sender : null;
  }
  get args(): unknown[] | undefined {
    const r = this.rest;
    return r instanceof Envelope ? r.args : (r as unknown[] | undefined);
  }
  get kwargs(): Kwargs | undefined {
    const r = this.rest;
    return r instanceof Envelope ? r.kwargs : r === undefined ? undefined : NO_KWARGS;
  }

  push(tag: string, sender: Address | null, args: unknown[], kwargs: Kwargs): void {
    let t = this.tail;
    let w = this.w;
    if (w === t.length - 1) {
      const c = newChunk(Math.min(w * 2, MAX_CHUNK));
      t[w] = c;
      this.tail = t = c;
      w = 0;
    }
    t[w] = tag;
    t[w + 1] = sender === null && kwargs === NO_KWARGS ? args : new Envelope(sender, args, kwargs);
    this.w = w + 2;
    this.size++;
  }

  /** Makes the oldest message the current one (`tag`, `sender`, `args`, `kwargs`); check `size` first. */
  next(): void {
    const s = this.head;
    const i = this.r;
    this.tag = s[i] as string;
    this.rest = s[i + 1];
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
    const h = this.head;
    if (this.r === h.length - 1) {
      this.head = h[this.r] as Chunk;
      h[this.r] = undefined;
      this.r = 0;
    }
  }

  /** Forgets the current message. */
  done(): void {
    this.tag = this.rest = undefined;
  }

  /** The current message as a new tuple, or undefined between messages. */
  current(): Message | undefined {
    if (this.tag === undefined) return undefined;
    return [this.tag, this.sender, ownArgs(this.args!), this.kwargs!];
  }

  /** Takes the oldest message `filter` accepts, leaving the rest in order; undefined if none. */
  take(filter: Filter): Message | undefined {
    // Slow path (selective receive): where the messages scanned so far are, to shift them after a match.
    const seen: [Chunk, number][] = [];
    for (const at of this.slots()) {
      seen.push(at);
      const [c, i] = at;
      let msg: Message | undefined;
      if (filter === undefined || filter === c[i]) msg = tupleAt(c, i);
      else if (typeof filter === 'function') {
        const m = tupleAt(c, i);
        if (filter(m)) msg = m;
      }
      if (msg === undefined) continue;
      this.removeLast(seen);
      return msg;
    }
    return undefined;
  }

  /** Removes the last message of `seen` (the slots scanned from the head): the older ones shift one place. */
  private removeLast(seen: [Chunk, number][]): void {
    // Shift the older messages one place towards the tail, then drop the head message.
    for (let j = seen.length - 1; j > 0; j--) {
      const [to, ti] = seen[j]!;
      const [from, fi] = seen[j - 1]!;
      to[ti] = from[fi];
      to[ti + 1] = from[fi + 1];
    }
    const h = this.head;
    h[this.r] = h[this.r + 1] = undefined;
    this.dropHead();
  }

  /**
   * @internal Where the newest queued message is: its chunk and first slot (undefined if none is queued).
   * An actor's timer keeps it to tell, in O(1), whether its message is still queued (see `holds`).
   */
  newest(): QueuedAt | undefined {
    return this.size === 0 ? undefined : { chunk: this.tail, slot: this.w - 2, rest: this.tail[this.w - 1] };
  }

  /**
   * @internal Removes the queued message whose args (or Envelope) is the very object `rest` (slow path:
   * a cancelled timer takes back its message); false if it is not queued (handled already).
   */
  retract(rest: unknown): boolean {
    const seen: [Chunk, number][] = [];
    for (const at of this.slots()) {
      seen.push(at);
      if (at[0][at[1] + 1] === rest) {
        this.removeLast(seen);
        return true;
      }
    }
    return false;
  }

  /** The queued messages, oldest first, as tuples. */
  *[Symbol.iterator](): IterableIterator<Message> {
    for (const [c, i] of this.slots()) yield tupleAt(c, i);
  }

  /** Where each queued message is, oldest first: its chunk and its first slot there. */
  private *slots(): Generator<[Chunk, number]> {
    let c = this.head;
    let i = this.r;
    for (let k = 0; k < this.size; k++) {
      if (i === c.length - 1) {
        c = c[i] as Chunk;
        i = 0;
      }
      yield [c, i];
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
