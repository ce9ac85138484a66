/**
 * The fabric between the threads of one runtime: every thread (main and each worker) has one, with a
 * MessagePort to every other thread. Messages, replies and signals to an actor on another thread become
 * packets, batched per destination thread and posted once per turn; one port per pair and packets handled
 * in order keep FIFO per sender→receiver pair. A packet that names actor classes waits (and holds back the
 * packets behind it from the same thread) until their modules are imported on this thread.
 */
import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import type { Cell } from './cell.js';
import { DEAD, ERROR_REPLY } from './cell.js';
import { ActorExitedError } from './errors.js';
import { type Descriptor, load, loaded } from './importable.js';
import { FULL, LaneReader, type LaneSink, LaneWriter, newLaneBuffer, WRITTEN_OK } from './lane.js';
import { type ExitReason, type Kwargs, type Message, NO_KWARGS } from './message.js';
import type { ProxyBase } from './proxy.js';
import { ActorRef, type Address, CELL, ReplyRef } from './ref.js';
import { Ring } from './ring.js';
import type { Runtime } from './runtime.js';
import {
  decodePlain,
  decodeValue,
  type EncodedRef,
  encodeMessage,
  encodeRef,
  encodeValue,
  type Reviver,
} from './wire.js';

/** @internal One unit of cross-thread traffic. `load`: modules to import before handling it. */
export type Packet = { op: string; load?: Descriptor[] | undefined; [field: string]: unknown };

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

/** Ids carry the thread that allocated them in their high part. */
export const ID_SPACE = 2 ** 32;

const resolved = Promise.resolve();
/** `performance.now` bound once (the global `performance` is a lazy getter on Node 20: slow in a loop). */
const now = performance.now.bind(performance);
/** Packets per postMessage at most (batching pays ~3× over one post per message). */
const BATCH = 256;

/** Ops addressed to one actor of this thread (they wait for its spawn if it has not arrived yet). */
const ACTOR_OPS = new Set([
  'msg',
  'exit',
  'link',
  'unlink',
  'monitor',
  'demonitor',
  'watch',
  'named',
  'alive',
  'started',
]);

/** @internal */
export class Fabric implements Reviver {
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
  private readonly early = new Map<number, Packet[]>();
  private readonly requests = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  private nextRequest = 1;
  /**
   * Signals this runtime's threads have sent to one another, counted in shared memory by every thread
   * (tests check that a placement leg really crossed threads). Created by the pool, adopted by workers.
   */
  crossings = new Int32Array(new SharedArrayBuffer(4));
  /** Actor signals (not thread management) sent since the last flush, added to `crossings` then. */
  private crossed = 0;
  /** Ops the controller handles itself (thread management). */
  onPacket: ((p: Packet, from: number) => boolean) | undefined;

  constructor(readonly rt: Runtime) {}

  get thread(): number {
    return this.rt.thread;
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
  }

  /** Queues a packet for `thread`; the batch is posted at the end of this turn. */
  send(thread: number, p: Packet): void {
    if (thread === this.thread) return this.arrive(thread, [p]);
    if (ACTOR_OPS.has(p.op) || p.op === 'spawn' || p.op === 'reply') this.crossed++;
    const lane = this.laneTo(thread);
    if (lane === undefined) return this.unreachable(thread, p);
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
  private flushTo(thread: number, lane: LaneWriter): void {
    const batch = this.out.get(thread);
    if (batch !== undefined && batch.length > 0) {
      this.out.set(thread, []);
      this.ports.get(thread)?.postMessage(batch);
    }
    if (this.crossed > 0) {
      Atomics.add(this.crossings, 0, this.crossed);
      this.crossed = 0;
    }
    lane.publish();
  }

  /** Posts one packet now, with objects to transfer (ports), after everything queued before it. */
  post(thread: number, p: Packet, transfer: MessagePort[]): void {
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
    for (const p of batch) inc.queue.push(p);
    inc.reader.pump();
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
        // Dead, or not spawned here yet: the packet path knows what to do.
        this.handleSafely({ op: 'msg', to, m: [tag, sender, args, NO_KWARGS], decoded: true }, thread);
      },
      reply: (callId, tag, args) => {
        if (!rt.calls.complete(callId, tag, args)) rt.logger.debug(`late reply to call ${callId} dropped`);
      },
      marker: () => {
        if (queue.size === 0) {
          // Posted before the MARKER was published, so it is there: take it now rather than wait a turn.
          const got = receiveMessageOnPort(port);
          if (got !== undefined) for (const p of got.message as Packet[]) queue.push(p);
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

  /** Asks `thread` something; resolves with its answer. */
  request(thread: number, p: Packet): Promise<unknown> {
    const id = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.requests.set(id, { resolve, reject });
      this.send(thread, { ...p, req: id, from: this.thread });
    });
  }

  private answer(p: Packet, value: unknown, error?: unknown): void {
    const enc = encodeValue(error === undefined ? value : error, 'answer');
    this.send(p.from as number, {
      op: 'answer',
      req: p.req,
      failed: error !== undefined,
      value: enc.v,
      load: enc.load,
    });
  }

  // ---- what the runtime sends ----

  /** A message for an actor of another thread: a lane record if it is plain, else a packet. */
  message(to: ActorRef, tag: string, sender: Address | null, args: unknown[], kwargs: Kwargs): void {
    const t = to.thread;
    this.crossed++;
    const lane = this.laneTo(t);
    if (lane !== undefined && kwargs === NO_KWARGS) {
      const backlog = this.backlog.get(t);
      if (backlog !== undefined)
        return this.addToBacklog(t, lane, backlog, B_MSG, to.id, [tag, sender, args, kwargs]);
      const r = lane.msg(to.id, tag, sender, args);
      if (r === WRITTEN_OK) return this.wrote(t, lane);
      if (r === FULL) return this.holdBack(t, lane, B_MSG, to.id, [tag, sender, args, kwargs]);
    }
    const { m, load, plain } = encodeMessage([tag, sender, args, kwargs]);
    this.send(t, { op: 'msg', to: to.id, m, load, plain });
  }

  /** A reply to a call made on another thread: as message(). */
  reply(to: ReplyRef, tag: string, sender: Address | null, args: unknown[], kwargs: Kwargs): void {
    const t = to.thread;
    this.crossed++;
    const lane = this.laneTo(t);
    if (lane !== undefined) {
      const backlog = this.backlog.get(t);
      if (backlog !== undefined) {
        return this.addToBacklog(t, lane, backlog, B_REPLY, to.callId, [tag, sender, args, kwargs]);
      }
      const r = lane.reply(to.callId, tag, args);
      if (r === WRITTEN_OK) return this.wrote(t, lane);
      if (r === FULL) return this.holdBack(t, lane, B_REPLY, to.callId, [tag, sender, args, kwargs]);
    }
    const { m, load, plain } = encodeMessage([tag, sender, args, kwargs]);
    this.send(t, { op: 'reply', call: to.callId, m, load, plain });
  }

  /** `thread`'s lane is full: `p` and everything after it waits for room. */
  private holdBack(thread: number, lane: LaneWriter, kind: number, key: unknown, value: unknown): void {
    const backlog = new Backlog();
    backlog.add(kind, key, value);
    this.backlog.set(thread, backlog);
    lane.waitForRoom();
    this.later();
  }

  private decodeMessage(p: Packet): Message {
    if (p.decoded === true) return p.m as Message;
    return p.plain ? decodePlain(p.m as Message, this) : (decodeValue(p.m, this) as Message);
  }

  exitSignal(to: ActorRef, from: ActorRef, reason: ExitReason, viaLink: boolean): void {
    const { v, load } = encodeValue(reason, 'reason');
    this.send(to.thread, { op: 'exit', to: to.id, from: encodeRef(from), reason: v, viaLink, load });
  }

  /** Is `id` (unknown here) one another thread spawned here whose spawn has not arrived yet? */
  isFuture(id: number): boolean {
    const spawner = Math.floor(id / ID_SPACE);
    return spawner !== this.thread && id > (this.spawnedFrom.get(spawner) ?? -1);
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
    const rt = this.rt;
    if (ACTOR_OPS.has(p.op)) {
      const id = p.to as number;
      const cell = rt.localCell(id);
      if (cell === undefined && this.isFuture(id)) {
        let waiting = this.early.get(id);
        if (waiting === undefined) this.early.set(id, (waiting = []));
        waiting.push(p);
        return;
      }
      return this.toActor(p, id, cell);
    }
    switch (p.op) {
      case 'spawn':
        return this.spawn(p);
      case 'reply': {
        const msg = decodeValue(p.m, this) as Message;
        if (!rt.calls.complete(p.call as number, msg[0], msg[2]))
          rt.logger.debug(`late reply to call ${p.call} dropped`);
        return;
      }
      case 'answer': {
        const r = this.requests.get(p.req as number);
        if (r === undefined) return;
        this.requests.delete(p.req as number);
        const value = decodeValue(p.value, this);
        if (p.failed) r.reject(value);
        else r.resolve(value);
        return;
      }
      case 'register':
      case 'unregister':
      case 'whereis':
      case 'release':
        return void rt.registry.handle(p).then(
          (v) => p.req !== undefined && this.answer(p, v),
          (e) => p.req !== undefined && this.answer(p, undefined, e),
        );
      case 'list':
        return this.answer(p, rt.liveCells());
      case 'log':
        rt.logger[p.level as 'error' | 'warn' | 'info' | 'debug'](
          p.message as string,
          decodeValue(p.fields, this) as Record<string, unknown>,
        );
        return;
      case 'record':
        return rt.recordForwarded(decodeValue(p.event, this) as Record<string, unknown>);
      case 'threads':
        this.live = p.live as number[];
        return;
      case 'threadDown':
        return this.threadDown(p.thread as number);
      default:
        rt.logger.error(`thread ${this.thread}: unknown packet '${p.op}' from thread ${from}`);
    }
  }

  /** A packet for one actor of this thread (alive, dead, or never spawned). */
  private toActor(p: Packet, id: number, cell: Cell | undefined): void {
    const rt = this.rt;
    const here = rt.localRef(id, cell);
    const alive = cell !== undefined && cell.state !== DEAD;
    switch (p.op) {
      case 'msg': {
        const msg = this.decodeMessage(p);
        if (alive) return cell.enqueue(msg[0], msg[1], msg[2], msg[3]);
        return rt.undeliverable(here, msg[0], msg[1]);
      }
      case 'exit':
        return rt.signals.exitSignal(
          here,
          this.revive(p.from as EncodedRef),
          decodeValue(p.reason, this) as ExitReason,
          p.viaLink as boolean,
        );
      case 'link': {
        const from = this.revive(p.from as EncodedRef);
        if (!alive) return this.exitSignal(from, here, 'noproc', true);
        (cell.links ??= new Map()).set(from.id, from);
        return;
      }
      case 'unlink':
        cell?.links?.delete(this.revive(p.from as EncodedRef).id);
        return;
      case 'monitor': {
        const watcher = this.revive(p.watcher as EncodedRef);
        if (!alive) return rt.deliver(watcher, 'DOWN', here, ['noproc', p.mref], NO_KWARGS);
        (cell.monitoredBy ??= new Map()).set(p.mref as number, watcher);
        return;
      }
      case 'demonitor':
        cell?.monitoredBy?.delete(p.mref as number);
        return;
      case 'watch':
        if (!alive) return this.answer(p, true);
        void cell.exited().then(() => this.answer(p, true));
        return;
      case 'named':
        if (!alive) {
          if (p.name !== undefined) this.send(0, { op: 'release', name: p.name, id });
          return;
        }
        cell.name = p.name as string | undefined;
        return;
      case 'alive':
        return this.answer(p, alive ? { alive, target: rt.describeTarget(cell) } : { alive });
      case 'started':
        if (cell === undefined) return this.answer(p, { failed: true, reason: 'noproc' });
        void cell.whenStarted().then((reason) => this.answer(p, { failed: reason !== undefined, reason }));
        return;
    }
  }

  private spawn(p: Packet): void {
    const id = p.id as number;
    const spawner = Math.floor(id / ID_SPACE);
    const parent = p.parent === null ? undefined : this.revive(p.parent as EncodedRef);
    let target: unknown;
    let args: unknown[];
    try {
      target = loaded(p.target as Descriptor);
      args = decodeValue(p.args, this) as unknown[];
    } catch (err) {
      target = undefined;
      args = [err];
    }
    this.rt.adopt(id, p.name as string, target, args, parent, p.link as boolean, p.born as number);
    this.spawnedFrom.set(spawner, Math.max(id, this.spawnedFrom.get(spawner) ?? -1));
    const waiting = this.early.get(id);
    this.early.delete(id);
    if (waiting !== undefined) for (const w of waiting) this.handleSafely(w, spawner);
  }

  /** A thread is gone: its actors exit 'noconnection' for everyone linked to or watching them here. */
  threadDown(thread: number): void {
    if (this.dead.has(thread)) return;
    this.dead.add(thread);
    this.live = this.live.filter((t) => t !== thread);
    this.disconnect(thread);
    this.rt.threadLost(thread);
  }

  private unreachable(thread: number, p: Packet): void {
    // A call to an actor of a lost thread fails now rather than at its timeout.
    if (p.op === 'msg') {
      const sender = (p.m as unknown[])[1] as { r?: EncodedRef } | EncodedRef | null;
      const r = Array.isArray(sender) ? sender : sender?.r;
      if (r !== undefined && r.length === 4 && r[1] === this.thread) {
        const err = new ActorExitedError(
          'noconnection',
          undefined,
          `(on lost thread ${thread}) cannot reply`,
        );
        this.rt.calls.complete(r[3], ERROR_REPLY, [err]);
      }
    }
    this.rt.logger.debug(`packet '${p.op}' for lost thread ${thread} dropped`);
  }

  // ---- decoding ----

  revive(r: EncodedRef): ActorRef {
    if (r.length === 4) return new ReplyRef(r[0], r[1], r[3], this.rt);
    const ref = new ActorRef(r[0], r[1], r[2], this.rt);
    if (r[1] === this.thread) ref[CELL] = this.rt.localCell(r[0]);
    return ref;
  }

  proxy(ref: ActorRef): ProxyBase {
    return this.rt.proxy(ref);
  }

  loaded(d: Descriptor): unknown {
    return loaded(d);
  }
}
