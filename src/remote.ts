/**
 * The thread transport: the fabric between the threads of one runtime. Every thread (main and each worker)
 * has one, with a MessagePort to every other thread and, once they talk, a lane (lane.ts) each way.
 * Signals (router/signal.ts) become lane records (plain messages and replies) or typed packets
 * (protocol.ts), batched per destination and posted once per turn; one port and one lane per pair, read
 * in one order (a packet leaves a MARKER in the lane), keep FIFO per sender→receiver pair. A packet that
 * names actor classes waits (and holds back the packets behind it from the same thread) until their
 * modules are imported here. Exit signals also go urgently (see `post`); a lost thread is reported to the
 * router once (`threadDown`).
 */
import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { DEAD, ERROR_REPLY } from './cell.js';
import { ActorExitedError } from './errors.js';
import { type Descriptor, load, loaded } from './importable.js';
import { FULL, LaneReader, type LaneSink, LaneWriter, newLaneBuffer, WRITTEN_OK } from './lane.js';
import type { Kwargs, Message } from './message.js';
import { NO_KWARGS } from './message.js';
import type { ProxyBase } from './proxy.js';
import { ActorRef, type Address, CELL, ReplyRef } from './ref.js';
import { Ring } from './ring.js';
import { applyMessage, applyReply, canOvertake } from './router/apply.js';
import { ID_SPACE } from './router/links.js';
import type { AnswerOf, Request, Signal } from './router/signal.js';
import { PlaceLostError, type Transport, type TransportSink } from './router/transport.js';
import type { Runtime } from './runtime.js';
import {
  type ActorPacket,
  type Decoder,
  isActorPacket,
  type Packet,
  packetToSignal,
  type SpawnPacket,
  signalToPacket,
} from './threads/protocol.js';
import { decodeValue, type EncodedRef, encodeMessage, encodeValue } from './wire.js';

export { ID_SPACE } from './router/links.js';
export type { Packet } from './threads/protocol.js';

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

/** The receiving end of one peer thread: its lane, and the packets its port brought (taken at MARKERs). */
interface Incoming {
  reader: LaneReader;
  port: MessagePort;
  queue: Ring<Packet>;
}

const resolved = Promise.resolve();
/** `performance.now` bound once (the global `performance` is a lazy getter on Node 20: slow in a loop). */
const now = performance.now.bind(performance);
/** Packets per postMessage at most (batching pays ~3× over one post per message). */
const BATCH = 256;

/** A request whose answer is awaited. */
interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

/** @internal */
export class Fabric implements Transport, Decoder {
  private readonly ports = new Map<number, MessagePort>();
  /** Packets for each thread's port, posted at the end of the turn (their MARKERs are in the lane). */
  private readonly out = new Map<number, Packet[]>();
  private readonly lanes = new Map<number, LaneWriter>();
  private readonly incoming = new Map<number, Incoming>();
  /** The incoming lanes' readers, as an array for the low-latency mode's polling loop. */
  private readers: LaneReader[] = [];
  /** Packets for a thread whose lane is full, in order, sent as it makes room. */
  private readonly backlog = new Map<number, Backlog>();
  private flushing = false;
  private readonly flushFn = () => this.flush();
  /** Packets from a thread held back while an earlier one from it waits for an import. */
  private readonly held = new Map<number, Packet[]>();
  /** Worker threads alive now (placement picks among them). */
  live: number[] = [];
  readonly dead = new Set<number>();
  /** Highest id each other thread has spawned here, so a packet for a higher id waits for its spawn. */
  private readonly spawnedFrom = new Map<number, number>();
  private readonly early = new Map<number, (() => void)[]>();
  private readonly requests = new Map<number, Pending & { to: number }>();
  private nextRequest = 1;
  /** Exit signals sent twice (urgent and in order): the xids whose urgent copy was applied, per thread. */
  private readonly overtaken = new Map<number, Set<number>>();
  /**
   * Actors an urgent exit from a thread ended ahead of that thread's earlier signals to them: their death
   * reason, per sending thread, until the exit's in-order copy arrives. What those earlier signals find
   * is a dying actor, not a missing one: a call fails with ActorExitedError, a link or monitor gets the
   * death reason (as if the signal had been in the mailbox when the exit struck).
   */
  private readonly diedAhead = new Map<number, Map<number, unknown>>();
  private nextXid = 1;
  /**
   * Signals this runtime's threads have sent to one another, counted in shared memory by every thread
   * (tests check that a placement leg really crossed threads). Created by the pool, adopted by workers.
   */
  readonly crossings: Int32Array;
  /** Actor signals (not thread management) sent since the last flush, added to `crossings` then. */
  private crossed = 0;
  /** Ops the controller handles itself (thread management). */
  private readonly onPacket: ((p: Packet, from: number) => boolean) | undefined;
  private readonly sink: TransportSink;

  constructor(
    readonly rt: Runtime,
    options: {
      /** Worker threads alive at the start. */
      live?: number[];
      /** The runtime's shared crossing counter (workers adopt the main thread's). */
      crossings?: SharedArrayBuffer;
      /** Thread-management packets the controller handles itself; true if it did. */
      onPacket?: (p: Packet, from: number) => boolean;
    } = {},
  ) {
    this.live = options.live ?? [];
    this.crossings = new Int32Array(options.crossings ?? new SharedArrayBuffer(4));
    this.onPacket = options.onPacket;
    this.sink = rt.router;
    rt.router.connect(this);
  }

  get thread(): number {
    return this.rt.thread;
  }

  reaches(place: number): boolean {
    return this.ports.has(place) && !this.dead.has(place);
  }

  connect(thread: number, port: MessagePort): void {
    this.ports.set(thread, port);
    port.on('message', (batch: Packet[]) => this.fromPort(thread, batch));
  }

  /**
   * The lane to `thread`, opened on the first send to it (threads that never talk cost no shared memory);
   * undefined if `thread` is not connected.
   */
  private laneTo(thread: number): LaneWriter | undefined {
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

  disconnect(thread: number): void {
    this.ports.get(thread)?.close();
    this.ports.delete(thread);
    this.out.delete(thread);
    this.held.delete(thread);
    this.lanes.delete(thread);
    this.backlog.delete(thread);
    this.overtaken.delete(thread);
    const inc = this.incoming.get(thread);
    if (inc !== undefined) inc.reader.closed = true;
    this.incoming.delete(thread);
    this.readers = [...this.incoming.values()].map((i) => i.reader);
  }

  close(): void {
    this.flush();
    for (const inc of this.incoming.values()) inc.reader.closed = true;
    for (const port of this.ports.values()) port.close();
    this.ports.clear();
    for (const r of this.requests.values()) r.reject(new PlaceLostError(r.to));
    this.requests.clear();
  }

  // ---- Transport: what the router sends ----

  /**
   * Sends a signal to `place`. Messages and replies that fit go into the lane as binary records; the rest
   * as packets. An `urgent` exit signal goes twice: at once on the port (the receiver applies it ahead of
   * queued data when it cannot be observed out of order: a kill, or an exit to an actor that does not
   * trap exits) and in order (applied there otherwise); the receiver applies exactly one of the two.
   */
  post(place: number, s: Signal, urgent = false): void {
    this.crossed++;
    if (s.kind === 'msg') return this.message(place, s.to.id, s.tag, s.sender, s.args, s.kwargs);
    if (s.kind === 'reply') return this.reply(place, s.to.callId, s.tag, s.sender, s.args, s.kwargs);
    const p = signalToPacket(s);
    if (urgent && p.op === 'exit') {
      p.xid = this.nextXid++;
      this.flushTo(place, this.laneTo(place));
      this.ports.get(place)?.postMessage([{ ...p, urgent: true }]);
    }
    this.send(place, p);
  }

  request<R extends Request>(place: number, r: R): Promise<AnswerOf<R>> {
    const req = this.nextRequest++;
    const { v, load } = encodeValue(r, 'request');
    return new Promise((resolve, reject) => {
      this.requests.set(req, { resolve: resolve as (v: unknown) => void, reject, to: place });
      this.send(place, { op: 'request', req, from: this.thread, body: v, load });
    });
  }

  /** Starts an actor on `place` (it is adopted there before any later packet from here is handled). */
  spawn(place: number, p: SpawnPacket): void {
    this.crossed++;
    this.send(place, p);
  }

  /** Queues a packet for `thread`; the batch is posted at the end of this turn. */
  send(thread: number, p: Packet): void {
    if (thread === this.thread) return this.arrive(thread, [p]);
    const lane = this.laneTo(thread);
    if (lane === undefined) return this.rt.logger.debug(`packet '${p.op}' for lost thread ${thread} dropped`);
    const backlog = this.backlog.get(thread);
    if (backlog !== undefined) return this.addToBacklog(thread, lane, backlog, B_PACKET, 0, p);
    if (!lane.marker()) return this.holdBack(thread, lane, B_PACKET, 0, p);
    let batch = this.out.get(thread);
    if (batch === undefined) this.out.set(thread, (batch = []));
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
  private flushTo(thread: number, lane: LaneWriter | undefined): void {
    const batch = this.out.get(thread);
    if (batch !== undefined && batch.length > 0) {
      this.out.set(thread, []);
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
      let batch = this.out.get(thread);
      if (batch === undefined) this.out.set(thread, (batch = []));
      if (transfer === undefined) batch.push(p);
      else {
        if (batch.length > 0) {
          this.out.set(thread, []);
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

  /** Port traffic from `thread`: before its lane is open, handled at once; after, taken at MARKERs. */
  private fromPort(thread: number, batch: Packet[]): void {
    const inc = this.incoming.get(thread);
    if (inc === undefined) {
      for (const p of batch) {
        if (p.op === 'lane') this.openLane(thread, p.sab as SharedArrayBuffer);
        else this.arrive(thread, [p]);
      }
      return;
    }
    this.takeIn(thread, inc.queue, batch);
    inc.reader.pump();
  }

  /** Port packets into the queue their MARKERs take them from; urgent exits (no MARKER) act at once. */
  private takeIn(thread: number, queue: Ring<Packet>, batch: Packet[]): void {
    for (const p of batch) {
      if (p.op === 'exit' && p.urgent === true) this.handleSafely(p, thread);
      else queue.push(p);
    }
  }

  private openLane(thread: number, sab: SharedArrayBuffer): void {
    const port = this.ports.get(thread);
    if (port === undefined) return;
    const rt = this.rt;
    const queue = new Ring<Packet>();
    const sink: LaneSink = {
      msg: (to, tag, sender, args) => {
        const cell = rt.localCell(to);
        if (cell !== undefined && cell.state !== DEAD) return cell.enqueue(tag, sender, args, NO_KWARGS);
        // Dead, or not spawned here yet (then it waits for the spawn).
        const reason = this.diedAhead.get(thread)?.get(to);
        if (reason !== undefined) {
          const s: Signal = { kind: 'msg', to: this.here(to), tag, sender, args, kwargs: NO_KWARGS };
          return this.toDyingActor(s, reason);
        }
        this.whenHere(to, () =>
          applyMessage(this.rt.router, rt.localCell(to), this.here(to), tag, sender, args, NO_KWARGS),
        );
      },
      reply: (callId, tag, args) => applyReply(this.rt.router, callId, tag, args),
      marker: () => {
        if (queue.size === 0) {
          // Posted before the MARKER was published, so it is there: take it now rather than wait a turn.
          const got = receiveMessageOnPort(port);
          if (got !== undefined) this.takeIn(thread, queue, got.message as Packet[]);
          if (queue.size === 0) return false;
        }
        this.arrive(thread, [queue.shift()]);
        return true;
      },
      paused: () => this.held.has(thread),
      ref: (id, t, name) => this.revive([id, t, name]),
      replyRef: (id, t, callId) => new ReplyRef(id, t, callId, rt),
    };
    const reader = new LaneReader(sab, sink);
    this.incoming.set(thread, { reader, port, queue });
    this.readers = [...this.incoming.values()].map((i) => i.reader);
    reader.pump();
  }

  /**
   * Low-latency mode: the thread has run out of work; poll the lanes for `micros` before going to
   * sleep, so a reply that is on its way is taken without a thread wake-up.
   */
  spin(micros: number): void {
    this.flush();
    const readers = this.readers;
    const until = now() + micros / 1000;
    for (let k = 1; ; k++) {
      for (let i = 0; i < readers.length; i++) {
        if (readers[i]!.ready) {
          for (const r of readers) r.pump();
          return;
        }
      }
      if ((k & 63) === 0 && now() > until) return;
    }
  }

  private answer(to: number, req: number, value: unknown, failed: boolean): void {
    let enc: { v: unknown; load: Descriptor[] | undefined };
    try {
      enc = encodeValue(value, 'answer');
    } catch (err) {
      enc = encodeValue(
        err instanceof Error ? { name: err.name, message: err.message } : String(err),
        'answer',
      );
      failed = true;
    }
    this.send(to, { op: 'answer', req, failed, value: enc.v, load: enc.load });
  }

  /** A message for an actor of another thread: a lane record if it is plain, else a packet. */
  private message(
    t: number,
    to: number,
    tag: string,
    sender: Address | null,
    args: unknown[],
    kwargs: Kwargs,
  ): void {
    const lane = this.laneTo(t);
    if (lane !== undefined && kwargs === NO_KWARGS) {
      const backlog = this.backlog.get(t);
      if (backlog !== undefined)
        return this.addToBacklog(t, lane, backlog, B_MSG, to, [tag, sender, args, kwargs]);
      const r = lane.msg(to, tag, sender, args);
      if (r === WRITTEN_OK) return this.wrote(t, lane);
      if (r === FULL) return this.holdBack(t, lane, B_MSG, to, [tag, sender, args, kwargs]);
    }
    const { m, load, plain } = encodeMessage([tag, sender, args, kwargs]);
    this.send(t, { op: 'msg', to, m, load, plain });
  }

  /** A reply to a call made on another thread: as message(). */
  private reply(
    t: number,
    call: number,
    tag: string,
    sender: Address | null,
    args: unknown[],
    kwargs: Kwargs,
  ): void {
    const lane = this.laneTo(t);
    if (lane !== undefined) {
      const backlog = this.backlog.get(t);
      if (backlog !== undefined) {
        return this.addToBacklog(t, lane, backlog, B_REPLY, call, [tag, sender, args, kwargs]);
      }
      const r = lane.reply(call, tag, args);
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

  /** Is `id` (unknown here) one another thread spawned here whose spawn has not arrived yet? */
  isFuture(id: number): boolean {
    const spawner = Math.floor(id / ID_SPACE);
    return spawner !== this.thread && id > (this.spawnedFrom.get(spawner) ?? -1);
  }

  /** Runs `then` now, or once actor `id`'s spawn has arrived if it is on its way. */
  private whenHere(id: number, then: () => void): void {
    if (this.rt.localCell(id) === undefined && this.isFuture(id)) {
      let waiting = this.early.get(id);
      if (waiting === undefined) this.early.set(id, (waiting = []));
      waiting.push(then);
      return;
    }
    then();
  }

  // ---- what arrives ----

  private arrive(from: number, batch: Packet[]): void {
    const held = this.held.get(from);
    if (held !== undefined) {
      held.push(...batch);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i]!;
      if (p.load !== undefined && p.load.length > 0) {
        // Import what it names first; everything behind it from this thread waits, in order.
        const rest = batch.slice(i);
        this.held.set(from, rest);
        const imports = p.load.map((d) => load(d).catch(() => undefined));
        p.load = undefined;
        void Promise.all(imports).then(() => {
          const queued = this.held.get(from);
          this.held.delete(from);
          if (queued !== undefined) this.arrive(from, queued);
          // The lane paused behind the import: read on.
          if (!this.held.has(from)) this.incoming.get(from)?.reader.pump();
        });
        return;
      }
      this.handleSafely(p, from);
    }
  }

  private handleSafely(p: Packet, from: number): void {
    try {
      this.handle(p, from);
    } catch (err) {
      this.rt.logger.error(`thread ${this.thread}: failed to handle '${p.op}' from thread ${from}: ${err}`, {
        error: err,
      });
    }
  }

  private handle(p: Packet, from: number): void {
    if (this.onPacket?.(p, from)) return;
    if (isActorPacket(p)) return this.whenHere(p.to, () => this.toActor(p, from));
    switch (p.op) {
      case 'reply':
        return this.sink.arrive(packetToSignal(p, this), false);
      case 'spawn':
        return this.adopt(p);
      case 'request': {
        const r = decodeValue(p.body, this) as Request;
        const to = 'to' in r ? r.to.id : undefined;
        const ask = () =>
          this.sink.answer(r).then(
            (v) => this.answer(p.from, p.req, v, false),
            (e) => this.answer(p.from, p.req, e, true),
          );
        if (to === undefined) void ask();
        else this.whenHere(to, () => void ask());
        return;
      }
      case 'answer': {
        const r = this.requests.get(p.req);
        if (r === undefined) return;
        this.requests.delete(p.req);
        const value = decodeValue(p.value, this);
        if (p.failed) r.reject(value);
        else r.resolve(value);
        return;
      }
      case 'log':
        this.rt.logger[p.level](p.message, decodeValue(p.fields, this) as Record<string, unknown>);
        return;
      case 'record':
        return this.rt.recording.forwarded(decodeValue(p.event, this) as Record<string, unknown>);
      case 'threads':
        this.live = p.live;
        return;
      case 'threadDown':
        return this.threadDown(p.thread);
      default:
        this.rt.logger.error(`thread ${this.thread}: unknown packet '${p.op}' from thread ${from}`);
    }
  }

  /** A signal for one actor of this thread (alive, dead, or never spawned). */
  private toActor(p: Exclude<ActorPacket, { op: 'reply' }>, from: number): void {
    if (p.op === 'exit' && p.xid !== undefined) {
      // Sent twice: apply the urgent copy if it may overtake, else the in-order one, never both.
      let done = this.overtaken.get(from);
      if (p.urgent) {
        const cell = this.rt.localCell(p.to);
        const s = packetToSignal(p, this);
        if (s.kind !== 'exit' || !canOvertake(cell, s.reason, p.viaLink)) return;
        if (done === undefined) this.overtaken.set(from, (done = new Set()));
        done.add(p.xid);
        this.sink.arrive(s, true);
        if (cell !== undefined && cell.state === DEAD) {
          let ahead = this.diedAhead.get(from);
          if (ahead === undefined) this.diedAhead.set(from, (ahead = new Map()));
          ahead.set(p.to, cell.reason);
        }
        return;
      }
      if (done?.delete(p.xid)) {
        this.diedAhead.get(from)?.delete(p.to);
        return;
      }
    }
    const reason = this.diedAhead.get(from)?.get(p.to);
    if (reason !== undefined && this.rt.cellOf(this.here(p.to)) === undefined) {
      return this.toDyingActor(packetToSignal(p, this), reason);
    }
    this.sink.arrive(packetToSignal(p, this), false);
  }

  /** A signal sent before an exit that overtook it: it meets the actor as it dies (see `diedAhead`). */
  private toDyingActor(s: Signal, reason: unknown): void {
    const router = this.rt.router;
    switch (s.kind) {
      case 'msg':
        if (s.sender instanceof ReplyRef) {
          router.route({
            kind: 'reply',
            to: s.sender,
            tag: ERROR_REPLY,
            sender: s.to,
            args: [new ActorExitedError(reason, s.to)],
            kwargs: NO_KWARGS,
          });
        }
        return;
      case 'link':
        return router.route({ kind: 'exit', to: s.from, from: s.to, reason, viaLink: true });
      case 'monitor':
        return router.route({ kind: 'down', to: s.watcher, from: s.to, reason, mref: s.mref });
      default:
        return;
    }
  }

  private adopt(p: SpawnPacket): void {
    const id = p.id;
    const spawner = Math.floor(id / ID_SPACE);
    const parent = p.parent === null ? undefined : this.revive(p.parent);
    let target: unknown;
    let args: unknown[];
    try {
      target = loaded(p.target);
      args = decodeValue(p.args, this) as unknown[];
    } catch (err) {
      target = undefined;
      args = [err];
    }
    this.rt.adopt(id, p.name, target, args, parent, p.link, p.born);
    this.spawnedFrom.set(spawner, Math.max(id, this.spawnedFrom.get(spawner) ?? -1));
    const waiting = this.early.get(id);
    this.early.delete(id);
    if (waiting !== undefined) for (const w of waiting) w();
  }

  /** A thread is gone: its actors exit 'noconnection' for everyone linked to or watching them here. */
  threadDown(thread: number): void {
    if (this.dead.has(thread)) return;
    this.dead.add(thread);
    this.live = this.live.filter((t) => t !== thread);
    this.disconnect(thread);
    for (const [req, r] of [...this.requests]) {
      // Requests to the lost thread are answered as for a thread that does not exist.
      if (r.to !== thread) continue;
      this.requests.delete(req);
      r.reject(new PlaceLostError(thread));
    }
    this.sink.lost(thread);
  }

  // ---- decoding ----

  revive(r: EncodedRef): ActorRef {
    if (r.length === 4) return new ReplyRef(r[0], r[1], r[3], this.rt);
    const ref = new ActorRef(r[0], r[1], r[2], this.rt);
    if (r[1] === this.thread) ref[CELL] = this.rt.localCell(r[0]);
    return ref;
  }

  here(id: number): ActorRef {
    return this.rt.localRef(id, this.rt.localCell(id));
  }

  replyRef(callId: number): ReplyRef {
    return new ReplyRef(0, this.thread, callId, this.rt);
  }

  proxy(ref: ActorRef): ProxyBase {
    return this.rt.proxy(ref);
  }

  loaded(d: Descriptor): unknown {
    return loaded(d);
  }
}
