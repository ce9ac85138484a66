/**
 * The fabric between the threads of one runtime: every thread (main and each worker) has one, with a
 * MessagePort to every other thread. Messages, replies and signals to an actor on another thread become
 * packets, batched per destination thread and posted once per turn; one port per pair and packets handled
 * in order keep FIFO per sender→receiver pair. A packet that names actor classes waits (and holds back the
 * packets behind it from the same thread) until their modules are imported on this thread.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Cell } from './cell.js';
import { DEAD, ERROR_REPLY } from './cell.js';
import { ActorExitedError } from './errors.js';
import { type Descriptor, load, loaded } from './importable.js';
import { type ExitReason, type Message, NO_KWARGS } from './message.js';
import type { ProxyBase } from './proxy.js';
import { ActorRef, CELL, ReplyRef } from './ref.js';
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

/** Ids carry the thread that allocated them in their high part. */
export const ID_SPACE = 2 ** 32;

const resolved = Promise.resolve();
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
  private readonly out = new Map<number, Packet[]>();
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
  /** Ops the controller handles itself (thread management). */
  onPacket: ((p: Packet, from: number) => boolean) | undefined;

  constructor(readonly rt: Runtime) {}

  get thread(): number {
    return this.rt.thread;
  }

  connect(thread: number, port: MessagePort): void {
    this.ports.set(thread, port);
    port.on('message', (batch: Packet[]) => this.arrive(thread, batch));
  }

  disconnect(thread: number): void {
    this.ports.get(thread)?.close();
    this.ports.delete(thread);
    this.out.delete(thread);
    this.held.delete(thread);
  }

  close(): void {
    this.flush();
    for (const port of this.ports.values()) port.close();
    this.ports.clear();
  }

  /** Queues a packet for `thread`; the batch is posted at the end of this turn. */
  send(thread: number, p: Packet): void {
    if (thread === this.thread) return this.arrive(thread, [p]);
    if (!this.ports.has(thread)) return this.unreachable(thread, p);
    let batch = this.out.get(thread);
    if (batch === undefined) this.out.set(thread, (batch = []));
    batch.push(p);
    if (batch.length >= BATCH) {
      // A long burst goes out in slices, so the receiver starts on it while the sender still sends.
      this.out.set(thread, []);
      this.ports.get(thread)!.postMessage(batch);
      return;
    }
    if (!this.flushing) {
      this.flushing = true;
      resolved.then(this.flushFn);
    }
  }

  flush(): void {
    this.flushing = false;
    for (const [thread, batch] of this.out) {
      if (batch.length === 0) continue;
      this.out.set(thread, []);
      this.ports.get(thread)?.postMessage(batch);
    }
  }

  /** Posts one packet now, with objects to transfer (ports); call flush() first to keep the order. */
  post(thread: number, p: Packet, transfer: MessagePort[]): void {
    this.ports.get(thread)?.postMessage([p], transfer as never);
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

  message(to: ActorRef, msg: Message): void {
    const { m, load, plain } = encodeMessage(msg);
    this.send(to.thread, { op: 'msg', to: to.id, m, load, plain });
  }

  reply(to: ReplyRef, msg: Message): void {
    const { m, load, plain } = encodeMessage(msg);
    this.send(to.thread, { op: 'reply', call: to.callId, m, load, plain });
  }

  private decodeMessage(p: Packet): Message {
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
