/**
 * What a packet for an actor of this thread means when it arrives: one whose spawn is on its way waits
 * for it; an exit sent twice (urgent and in order) is applied once; a signal that an urgent exit overtook
 * meets a dying actor, not a missing one; a spawn adopts the actor and lets its waiting packets in.
 */
import { DEAD, ERROR_REPLY } from '../actors/cell.js';
import { loaded } from '../actors/importable.js';
import { ActorExitedError } from '../core/errors.js';
import { NO_KWARGS } from '../core/message.js';
import { type Address, ReplyRef } from '../core/ref.js';
import { applyMessage, canOvertake } from '../router/apply.js';
import { ID_SPACE } from '../router/links.js';
import type { Signal } from '../router/signal.js';
import type { TransportSink } from '../router/transport.js';
import type { Runtime } from '../runtime/runtime.js';
import { decodeValue } from '../wire/codec.js';
import { type ActorPacket, type Decoder, packetToSignal, type SpawnPacket } from './protocol.js';

/** @internal */
export class Arrivals {
  /** Highest id each other thread has spawned here, so a packet for a higher id waits for its spawn. */
  private readonly spawnedFrom = new Map<number, number>();
  private readonly early = new Map<number, (() => void)[]>();
  /** Exit signals sent twice (urgent and in order): the xids whose urgent copy was applied, per thread. */
  private readonly overtaken = new Map<number, Set<number>>();
  /**
   * Actors an urgent exit from a thread ended ahead of that thread's earlier signals to them: their death
   * reason, per sending thread, until the exit's in-order copy arrives. What those earlier signals find
   * is a dying actor, not a missing one: a call fails with ActorExitedError, a link or monitor gets the
   * death reason (as if the signal had been in the mailbox when the exit struck).
   */
  private readonly diedAhead = new Map<number, Map<number, unknown>>();

  constructor(
    private readonly rt: Runtime,
    private readonly sink: TransportSink,
    private readonly decoder: Decoder,
  ) {}

  /** A lane record for an actor that is not alive here (the lanes' fast path handles the living). */
  laneMessage(from: number, to: number, tag: string, sender: Address | null, args: unknown[]): void {
    const reason = this.diedAhead.get(from)?.get(to);
    if (reason !== undefined) {
      const s: Signal = { kind: 'msg', to: this.decoder.here(to), tag, sender, args, kwargs: NO_KWARGS };
      return this.toDyingActor(s, reason);
    }
    this.whenHere(to, () =>
      applyMessage(
        this.rt.router,
        this.rt.localCell(to),
        this.decoder.here(to),
        tag,
        sender,
        args,
        NO_KWARGS,
      ),
    );
  }

  /** What waits here (for leak checks): signals for actors not spawned yet, exits sent twice, early deaths. */
  tables(): { early: number; overtaken: number; diedAhead: number } {
    let early = 0;
    for (const w of this.early.values()) early += w.length;
    let overtaken = 0;
    for (const s of this.overtaken.values()) overtaken += s.size;
    let diedAhead = 0;
    for (const m of this.diedAhead.values()) diedAhead += m.size;
    return { early, overtaken, diedAhead };
  }

  /** `thread` is gone: nothing more will come from it. */
  forget(thread: number): void {
    this.overtaken.delete(thread);
    this.diedAhead.delete(thread);
  }

  /**
   * Spawns from `spawners` (another node's places, whose session broke or which is down) may never come:
   * what waits for them is let in now, to meet a missing actor ('noproc'), and those ids are no longer
   * expected.
   */
  giveUp(spawners: readonly number[]): void {
    if (this.early.size === 0) return;
    const lost = new Set(spawners);
    for (const [id, waiting] of [...this.early]) {
      const spawner = Math.floor(id / ID_SPACE);
      if (!lost.has(spawner)) continue;
      this.spawnedFrom.set(spawner, Math.max(id, this.spawnedFrom.get(spawner) ?? -1));
      this.early.delete(id);
      for (const w of waiting) w();
    }
  }

  /** Is `id` (unknown here) one another thread spawned here whose spawn has not arrived yet? */
  isFuture(id: number): boolean {
    const spawner = Math.floor(id / ID_SPACE);
    return spawner !== this.rt.thread && id > (this.spawnedFrom.get(spawner) ?? -1);
  }
  /** Runs `then` now, or once actor `id`'s spawn has arrived if it is on its way. */
  whenHere(id: number, then: () => void): void {
    if (this.rt.localCell(id) === undefined && this.isFuture(id)) {
      let waiting = this.early.get(id);
      if (waiting === undefined) this.early.set(id, (waiting = []));
      waiting.push(then);
      return;
    }
    then();
  }
  /** A signal for one actor of this thread (alive, dead, or never spawned). */
  toActor(p: Exclude<ActorPacket, { op: 'reply' }>, from: number): void {
    if (p.op === 'exit' && p.xid !== undefined) {
      // Sent twice: apply the urgent copy if it may overtake, else the in-order one, never both.
      let done = this.overtaken.get(from);
      if (p.urgent) {
        const cell = this.rt.localCell(p.to);
        const s = packetToSignal(p, this.decoder);
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
    if (reason !== undefined && this.rt.cellOf(this.decoder.here(p.to)) === undefined) {
      return this.toDyingActor(packetToSignal(p, this.decoder), reason);
    }
    this.sink.arrive(packetToSignal(p, this.decoder), false);
  }
  /** A signal sent before an exit that overtook it: it meets the actor as it dies (see `diedAhead`). */
  toDyingActor(s: Signal, reason: unknown): void {
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
  adopt(p: SpawnPacket): void {
    const id = p.id;
    const spawner = Math.floor(id / ID_SPACE);
    const parent = p.parent === null ? undefined : this.decoder.revive(p.parent);
    let target: unknown;
    let args: unknown[];
    try {
      target = loaded(p.target);
      args = decodeValue(p.args, this.decoder) as unknown[];
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
}
