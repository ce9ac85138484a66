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
import { DEAD } from '../actors/cell.js';
import { load } from '../actors/importable.js';
import { Ring } from '../actors/ring.js';
import { NO_KWARGS } from '../core/message.js';
import { ReplyRef } from '../core/ref.js';
import { applyReply } from '../router/apply.js';
import type { AnswerOf, Request, Signal, Tables } from '../router/signal.js';
import { PlaceLostError, type Transport, type TransportSink } from '../router/transport.js';
import type { Runtime } from '../runtime/runtime.js';
import { decodeValue, encodeAnswer, encodeValue } from '../wire/codec.js';
import { Arrivals } from './arrivals.js';
import { ThreadDecoder } from './decoder.js';
import { LaneReader, type LaneSink } from './lane.js';
import { Outbound } from './outbound.js';
import { isActorPacket, type Packet, packetToSignal, type SpawnPacket, signalToPacket } from './protocol.js';

export { ID_SPACE } from '../router/links.js';
export type { Packet } from './protocol.js';

/** The receiving end of one peer thread: its lane, and the packets its port brought (taken at MARKERs). */
interface Incoming {
  reader: LaneReader;
  port: MessagePort;
  queue: Ring<Packet>;
}

/** `performance.now` bound once (the global `performance` is a lazy getter on Node 20: slow in a loop). */
const now = performance.now.bind(performance);

/** Signals an urgent exit never overtakes: what they set up changes what the exit does. */
const OVERTAKEN_NEVER = new Set(['link', 'unlink', 'monitor', 'demonitor', 'named']);

/** A request whose answer is awaited. */
interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

/** @internal */
export class Fabric implements Transport {
  private readonly ports = new Map<number, MessagePort>();
  /** What this thread sends: lanes, port batches, backlogs. */
  private readonly out: Outbound;
  private readonly incoming = new Map<number, Incoming>();
  /** The incoming lanes' readers, as an array for the low-latency mode's polling loop. */
  private readers: LaneReader[] = [];
  /** Packets from a thread held back while an earlier one from it waits for an import. */
  private readonly held = new Map<number, Packet[]>();
  /** Worker threads alive now (placement picks among them). */
  live: number[] = [];
  readonly dead = new Set<number>();
  private readonly requests = new Map<number, Pending & { to: number }>();
  private nextRequest = 1;
  private nextXid = 1;
  /**
   * Signals this runtime's threads have sent to one another, counted in shared memory by every thread
   * (tests check that a placement leg really crossed threads). Created by the pool, adopted by workers.
   */
  readonly crossings: Int32Array;
  /** Ops the controller handles itself (thread management). */
  private readonly onPacket: ((p: Packet, from: number) => boolean) | undefined;
  private readonly sink: TransportSink;
  /** Turns what arrives back into live values bound to this thread. */
  private readonly decoder: ThreadDecoder;
  /** What packets for this thread's actors mean when they arrive. */
  private readonly arrivals: Arrivals;

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
    this.out = new Outbound(
      rt.thread,
      this.ports,
      this.crossings,
      (p) => this.arrive(rt.thread, [p]),
      (m) => rt.logger.debug(m),
    );
    this.onPacket = options.onPacket;
    this.sink = rt.router;
    this.decoder = new ThreadDecoder(rt);
    this.arrivals = new Arrivals(rt, rt.router, this.decoder);
    rt.router.connect(this);
  }

  get thread(): number {
    return this.rt.thread;
  }

  /** The other threads this one reaches now (pool and dedicated threads alike). */
  get reached(): number[] {
    return [...this.ports.keys()].filter((t) => !this.dead.has(t));
  }

  /** What the transport holds now (for leak checks; see Tables). */
  tables(): Pick<Tables, 'requests' | 'held' | 'backlog' | 'early' | 'overtaken' | 'diedAhead'> {
    let held = 0;
    for (const h of this.held.values()) held += h.length;
    return { requests: this.requests.size, held, backlog: this.out.backlogged, ...this.arrivals.tables() };
  }

  /** Queues a packet for `thread` (thread management: the controller's packets). */
  send(thread: number, p: Packet): void {
    this.out.send(thread, p);
  }

  /** Posts everything queued now. */
  flush(): void {
    this.out.flush();
  }

  /** Posts one packet now, with ports to transfer, after everything queued before it. */
  postTransfer(thread: number, p: Packet, transfer: MessagePort[]): void {
    this.out.postTransfer(thread, p, transfer);
  }

  reaches(place: number): boolean {
    return this.ports.has(place) && !this.dead.has(place);
  }

  connect(thread: number, port: MessagePort): void {
    this.ports.set(thread, port);
    port.on('message', (batch: Packet[]) => this.fromPort(thread, batch));
  }

  disconnect(thread: number): void {
    this.ports.get(thread)?.close();
    this.ports.delete(thread);
    this.out.forget(thread);
    this.held.delete(thread);
    this.arrivals.forget(thread);
    const inc = this.incoming.get(thread);
    if (inc !== undefined) inc.reader.closed = true;
    this.incoming.delete(thread);
    this.readers = [...this.incoming.values()].map((i) => i.reader);
  }

  close(): void {
    this.out.flush();
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
    this.out.crossed++;
    if (s.kind === 'msg') return this.out.message(place, s.to.id, s.tag, s.sender, s.args, s.kwargs);
    if (s.kind === 'reply') return this.out.reply(place, s.to.callId, s.tag, s.sender, s.args, s.kwargs);
    const p = signalToPacket(s);
    if (urgent && p.op === 'exit') {
      p.xid = this.nextXid++;
      // Everything this thread queued before, for any thread, is posted first: the urgent copy overtakes
      // data at the receiver, never what its sender had already sent elsewhere (cause before effect).
      this.out.laneTo(place);
      this.out.flush();
      this.ports.get(place)?.postMessage([{ ...p, urgent: true }]);
    }
    this.out.send(place, p);
  }

  request<R extends Request>(place: number, r: R): Promise<AnswerOf<R>> {
    const req = this.nextRequest++;
    const { v, load } = encodeValue(r, 'request');
    return new Promise((resolve, reject) => {
      this.requests.set(req, { resolve: resolve as (v: unknown) => void, reject, to: place });
      this.out.send(place, { op: 'request', req, from: this.thread, body: v, load });
    });
  }

  /** Starts an actor on `place` (it is adopted there before any later packet from here is handled). */
  spawn(place: number, p: SpawnPacket): void {
    this.out.crossed++;
    this.out.send(place, p);
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
      if (p.op === 'exit' && p.urgent === true) {
        // Links, monitors and names its sender set up before it take effect first (their order with the
        // exit is observable: the DOWN's reason); only data is overtaken.
        for (const q of queue) {
          if (q.applied === undefined && OVERTAKEN_NEVER.has(q.op) && q.load === undefined) {
            this.handleSafely(q, thread);
            q.applied = true;
          }
        }
        this.handleSafely(p, thread);
      } else queue.push(p);
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
        // Dead, overtaken by an exit, or not spawned here yet (then it waits for the spawn).
        this.arrivals.laneMessage(thread, to, tag, sender, args);
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
      ref: (id, t, name) => this.decoder.revive([id, t, name]),
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
    this.out.flush();
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
    const enc = encodeAnswer(value, failed);
    this.out.send(to, { op: 'answer', req, failed: enc.failed, value: enc.v, load: enc.load });
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
    if (p.applied) return;
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
    if (isActorPacket(p)) return this.arrivals.whenHere(p.to, () => this.arrivals.toActor(p, from));
    switch (p.op) {
      case 'reply':
        return this.sink.arrive(packetToSignal(p, this.decoder), false);
      case 'spawn':
        return this.arrivals.adopt(p);
      case 'request': {
        const r = decodeValue(p.body, this.decoder) as Request;
        const to = 'to' in r ? r.to.id : undefined;
        const ask = () =>
          this.sink.answer(r).then(
            (v) => this.answer(p.from, p.req, v, false),
            (e) => this.answer(p.from, p.req, e, true),
          );
        if (to === undefined) void ask();
        else this.arrivals.whenHere(to, () => void ask());
        return;
      }
      case 'answer': {
        const r = this.requests.get(p.req);
        if (r === undefined) return;
        this.requests.delete(p.req);
        const value = decodeValue(p.value, this.decoder);
        if (p.failed) r.reject(value);
        else r.resolve(value);
        return;
      }
      case 'log':
        this.rt.logger[p.level](p.message, decodeValue(p.fields, this.decoder) as Record<string, unknown>);
        return;
      case 'record':
        return this.rt.recording.forwarded(decodeValue(p.event, this.decoder) as Record<string, unknown>);
      case 'threads':
        this.live = p.live;
        return;
      case 'threadDown':
        return this.threadDown(p.thread);
      case 'fwd': {
        // A worker's signal for another node (this is the main thread): the cluster transport sends it on.
        const remote = this.rt.router.remoteTransport as
          | { forward?(place: number, p: Record<string, unknown>): void }
          | undefined;
        if (remote?.forward !== undefined) return remote.forward(p.place, p.p as never);
        if (p.p.op !== 'spawn') {
          const d = this.decoder;
          const here = d.here;
          const replyRef = d.replyRef;
          try {
            d.here = (id: number) => this.rt.bindRef(id, p.place, 'actor');
            d.replyRef = (callId: number) => this.rt.bindRef(0, p.place, 'reply', callId) as ReplyRef;
            this.rt.router.route(packetToSignal(p.p, d));
          } finally {
            d.here = here;
            d.replyRef = replyRef;
          }
        }
        return;
      }
      case 'nodes': {
        const remote = this.rt.router.remoteTransport as
          | { learn?(self: string, table: [string, number[], number[]][]): void }
          | undefined;
        remote?.learn?.(p.self, p.table);
        return;
      }
      case 'remoteLost':
        this.arrivals.giveUp(p.places);
        for (const place of p.places) this.sink.lost(place);
        return;
      default:
        this.rt.logger.error(`thread ${this.thread}: unknown packet '${p.op}' from thread ${from}`);
    }
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

  /** Is `id` (unknown here) one another thread spawned here whose spawn has not arrived yet? */
  isFuture(id: number): boolean {
    return this.arrivals.isFuture(id);
  }
}
