/**
 * The sending side of the thread transport: per destination thread, a lane for plain messages and replies
 * (binary records) and a batch of packets for the port, posted once per turn (a long burst in slices); a
 * lane that is full backs up into a backlog on this thread, fed into the lane as its reader makes room.
 * A packet leaves a MARKER in the lane, so the receiver reads both paths in the one order they were sent.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Kwargs, Message } from '../core/message.js';
import { NO_KWARGS } from '../core/message.js';
import type { Address } from '../core/ref.js';
import { encodeMessage } from '../wire/codec.js';
import { CANNOT, FULL, newLaneBuffer, sizeOfArgs, WRITTEN_OK } from './lane-format.js';
import { LaneWriter } from './lane-writer.js';
import type { Packet } from './protocol.js';

/** Ports a held-back packet transfers (symbol-keyed: structured clone leaves it behind). */
const TRANSFER: unique symbol = Symbol('parley.transfer');

/**
 * What waits, in order, for room in a full lane: messages and replies as flat fields (kind, to/call, the
 * message), other packets whole. A producer outrunning its consumer queues here, and moves into the lane
 * as the reader makes room (checked every so many sends, and whenever the reader signals room).
 */
class Backlog {
  items: unknown[] = [];
  head = 0;
  /** Additions since the lane was last checked for room. */
  added = 0;
  get empty(): boolean {
    return this.head === this.items.length;
  }
  add(kind: number, key: unknown, value: unknown): void {
    this.items.push(kind, key, value);
    this.added++;
  }
}
const B_MSG = 0;
const B_REPLY = 1;
const B_PACKET = 2;

const resolved = Promise.resolve();
/** Packets per postMessage at most (batching pays ~3× over one post per message). */
const BATCH = 256;

/** @internal */
export class Outbound {
  /** Packets for each thread's port, posted at the end of the turn (their MARKERs are in the lane). */
  private readonly batches = new Map<number, Packet[]>();
  private readonly lanes = new Map<number, LaneWriter>();
  /** Packets for a thread whose lane is full, in order, sent as it makes room. */
  private readonly backlog = new Map<number, Backlog>();
  private flushing = false;
  private readonly flushFn = () => this.flush();
  /** Signals to other threads since the last flush, added to the shared `crossings` count then. */
  crossed = 0;

  constructor(
    private readonly thread: number,
    /** The port to each connected thread (shared with the Fabric, which connects them). */
    private readonly ports: Map<number, MessagePort>,
    /** The runtime's shared count of cross-thread signals. */
    private readonly crossings: Int32Array,
    /** A packet this thread sends itself. */
    private readonly here: (p: Packet) => void,
    private readonly debug: (message: string) => void,
  ) {}

  /** Items waiting for room in full lanes, all threads together (for leak checks). */
  get backlogged(): number {
    let n = 0;
    for (const b of this.backlog.values()) n += (b.items.length - b.head) / 3;
    return n;
  }

  /** `thread` is gone: forget what was on its way there. */
  forget(thread: number): void {
    this.batches.delete(thread);
    this.lanes.delete(thread);
    this.backlog.delete(thread);
  }

  /**
   * The lane to `thread`, opened on the first send to it (threads that never talk cost no shared memory);
   * undefined if `thread` is not connected.
   */
  laneTo(thread: number): LaneWriter | undefined {
    const lane = this.lanes.get(thread);
    if (lane !== undefined) return lane;
    const port = this.ports.get(thread);
    if (port === undefined) return undefined;
    const opened = new LaneWriter(newLaneBuffer(), () => this.drainBacklog(thread));
    this.lanes.set(thread, opened);
    // The lane's memory goes first, alone: everything after it is ordered by the lane.
    port.postMessage([{ op: 'lane', sab: opened.sab }]);
    return opened;
  }
  /** Queues a packet for `thread`; the batch is posted at the end of this turn. */
  send(thread: number, p: Packet): void {
    if (thread === this.thread) return this.here(p);
    const lane = this.laneTo(thread);
    if (lane === undefined) return this.debug(`packet '${p.op}' for lost thread ${thread} dropped`);
    const backlog = this.backlog.get(thread);
    if (backlog !== undefined) return this.addToBacklog(thread, lane, backlog, B_PACKET, 0, p);
    if (!lane.marker()) return this.holdBack(thread, lane, B_PACKET, 0, p);
    let batch = this.batches.get(thread);
    if (batch === undefined) this.batches.set(thread, (batch = []));
    batch.push(p);
    // A long burst goes out in slices, so the receiver starts on it while the sender still sends.
    if (batch.length >= BATCH) this.flushTo(thread, lane);
    else this.later();
  }
  /** A record went into `thread`'s lane: publish at the end of the turn, or now after a slice. */
  private wrote(thread: number, lane: LaneWriter): void {
    if (lane.pending >= BATCH) this.flushTo(thread, lane);
    else this.later();
  }
  private later(): void {
    if (!this.flushing) {
      this.flushing = true;
      resolved.then(this.flushFn);
    }
  }
  flush(): void {
    this.flushing = false;
    for (const [thread, lane] of this.lanes) this.flushTo(thread, lane);
  }
  /** Posts the port's packets, then publishes the lane (whose MARKERs point at them). */
  flushTo(thread: number, lane: LaneWriter | undefined): void {
    const batch = this.batches.get(thread);
    if (batch !== undefined && batch.length > 0) {
      this.batches.set(thread, []);
      this.ports.get(thread)?.postMessage(batch);
    }
    if (this.crossed > 0) {
      Atomics.add(this.crossings, 0, this.crossed);
      this.crossed = 0;
    }
    lane?.publish();
  }
  /** Posts one packet now, with objects to transfer (ports), after everything queued before it. */
  postTransfer(thread: number, p: Packet, transfer: MessagePort[]): void {
    const lane = this.laneTo(thread);
    if (lane === undefined) return;
    this.flushTo(thread, lane);
    if (this.backlog.has(thread) || !lane.marker()) {
      (p as Packet & { [TRANSFER]?: MessagePort[] })[TRANSFER] = transfer;
      const backlog = this.backlog.get(thread);
      if (backlog !== undefined) backlog.add(B_PACKET, 0, p);
      else this.holdBack(thread, lane, B_PACKET, 0, p);
      return;
    }
    this.ports.get(thread)?.postMessage([p], transfer as never);
    lane.publish();
  }
  /** `thread`'s lane has room again: send what waited, in order, as far as it goes. */
  private drainBacklog(thread: number): void {
    const lane = this.lanes.get(thread);
    const backlog = this.backlog.get(thread);
    if (lane === undefined || backlog === undefined) return;
    backlog.added = 0;
    const items = backlog.items;
    let i = backlog.head;
    for (; i < items.length; i += 3) {
      const kind = items[i];
      let p: Packet & { [TRANSFER]?: MessagePort[] };
      if (kind === B_PACKET) p = items[i + 2] as Packet;
      else {
        // A message held back as fields: into the lane if it fits, else as a packet.
        const key = items[i + 1] as number;
        const msg = items[i + 2] as Message;
        const r = kind === B_MSG ? lane.msg(key, msg[0], msg[1], msg[2]) : lane.reply(key, msg[0], msg[2]);
        if (r === FULL) break;
        if (r === WRITTEN_OK) {
          items[i + 2] = undefined;
          continue;
        }
        const { m, load, plain } = encodeMessage(msg);
        p =
          kind === B_MSG
            ? { op: 'msg', to: key, m, load, plain }
            : { op: 'reply', call: key, m, load, plain };
      }
      if (!lane.marker()) {
        items[i] = B_PACKET;
        items[i + 2] = p;
        break;
      }
      items[i + 2] = undefined;
      const transfer = p[TRANSFER];
      let batch = this.batches.get(thread);
      if (batch === undefined) this.batches.set(thread, (batch = []));
      if (transfer === undefined) batch.push(p);
      else {
        if (batch.length > 0) {
          this.batches.set(thread, []);
          this.ports.get(thread)?.postMessage(batch);
        }
        this.ports.get(thread)?.postMessage([p], transfer as never);
      }
    }
    backlog.head = i;
    this.flushTo(thread, lane);
    if (backlog.empty) this.backlog.delete(thread);
    else {
      if (i > 3 * 4096) {
        items.splice(0, i);
        backlog.head = 0;
      }
      lane.waitForRoom();
    }
  }
  /** Adds to `thread`'s backlog; every so often moves what fits into the lane (the reader runs meanwhile). */
  private addToBacklog(
    thread: number,
    lane: LaneWriter,
    backlog: Backlog,
    kind: number,
    key: unknown,
    value: unknown,
  ): void {
    backlog.add(kind, key, value);
    if (backlog.added >= BATCH && lane.hasRoom()) this.drainBacklog(thread);
  }
  /** A message for an actor of another thread: a lane record if it is plain, else a packet. */
  message(t: number, to: number, tag: string, sender: Address | null, args: unknown[], kwargs: Kwargs): void {
    const lane = this.laneTo(t);
    if (lane !== undefined && kwargs === NO_KWARGS) {
      const backlog = this.backlog.get(t);
      // Only a lane record may wait in the backlog as it is; anything else is encoded now, so a value that
      // cannot be copied fails at the send (NotCloneableError), not later as the backlog drains.
      if (backlog !== undefined && fitsRecord(args))
        return this.addToBacklog(t, lane, backlog, B_MSG, to, [tag, sender, args, kwargs]);
      const r = backlog === undefined ? writeRecord(lane, to, tag, sender, args) : CANNOT;
      if (r === WRITTEN_OK) return this.wrote(t, lane);
      if (r === FULL) return this.holdBack(t, lane, B_MSG, to, [tag, sender, args, kwargs]);
    }
    const { m, load, plain } = encodeMessage([tag, sender, args, kwargs]);
    this.send(t, { op: 'msg', to, m, load, plain });
  }
  /** A reply to a call made on another thread: as message(). */
  reply(t: number, call: number, tag: string, sender: Address | null, args: unknown[], kwargs: Kwargs): void {
    const lane = this.laneTo(t);
    if (lane !== undefined) {
      const backlog = this.backlog.get(t);
      if (backlog !== undefined && fitsRecord(args)) {
        return this.addToBacklog(t, lane, backlog, B_REPLY, call, [tag, sender, args, kwargs]);
      }
      const r = backlog === undefined ? writeReply(lane, call, tag, args) : CANNOT;
      if (r === WRITTEN_OK) return this.wrote(t, lane);
      if (r === FULL) return this.holdBack(t, lane, B_REPLY, call, [tag, sender, args, kwargs]);
    }
    const { m, load, plain } = encodeMessage([tag, sender, args, kwargs]);
    this.send(t, { op: 'reply', call, m, load, plain });
  }
  /** `thread`'s lane is full: `p` and everything after it waits for room. */
  private holdBack(thread: number, lane: LaneWriter, kind: number, key: unknown, value: unknown): void {
    const backlog = new Backlog();
    backlog.add(kind, key, value);
    this.backlog.set(thread, backlog);
    lane.waitForRoom();
    this.later();
  }
}

/**
 * Can `args` go into a lane record (primitives only)? False too if reading them throws (a getter, a
 * Proxy's trap): the encoder then names the bad value in a NotCloneableError.
 */
function fitsRecord(args: unknown[]): boolean {
  try {
    return sizeOfArgs(args) >= 0;
  } catch {
    return false;
  }
}

/** `lane.msg`, CANNOT if reading the args throws (the encoder then names the bad value). */
function writeRecord(
  lane: LaneWriter,
  to: number,
  tag: string,
  sender: Address | null,
  args: unknown[],
): number {
  try {
    return lane.msg(to, tag, sender, args);
  } catch {
    return CANNOT;
  }
}

/** `lane.reply`, CANNOT if reading the args throws. */
function writeReply(lane: LaneWriter, call: number, tag: string, args: unknown[]): number {
  try {
    return lane.reply(call, tag, args);
  } catch {
    return CANNOT;
  }
}
