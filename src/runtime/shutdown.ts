/**
 * Shutdown: top-level actors (and so whole supervision trees) stop in reverse start order, each with exit
 * reason 'shutdown' and killed if it takes longer than the shutdown timeout. Runs of actors that stop at
 * once (no onStop, not trapping exits: nothing of theirs can observe the order) go in one request per
 * thread, all threads at once; any other actor is stopped alone, and waited for, in its place in the order.
 */

import { DEAD } from '../actors/cell.js';
import type { ExitReason } from '../core/message.js';
import type { ActorRef } from '../core/ref.js';
import type { LiveCell } from '../router/signal.js';
import { allLive, awaitExit } from './answers.js';
import type { Runtime } from './runtime.js';

/** @internal */
export class Shutdown {
  /** Where stopAll is: the live actors it started the round from, its top-level ones in stop order, how
   * far it got (`at`: the first one not yet stopped) and since when it waits for that one. */
  private progress: { all: LiveCell[]; roots: LiveCell[]; at: number; since: number } | undefined;

  constructor(
    private readonly rt: Runtime,
    /** ms an actor has to stop before it is killed. */
    private readonly timeout: number,
  ) {}

  /**
   * Stops top-level actors in reverse start order. Runs of actors that stop at once (no onStop, not
   * trapping exits: nothing of theirs can observe the order) go in one request per thread; any other
   * actor is stopped alone, and waited for, in its place in the order.
   */
  async stopAll(): Promise<void> {
    for (;;) {
      const all = await allLive(this.rt);
      if (all.length === 0) break;
      const alive = new Set(all.map((c) => c.ref.id));
      let roots = all.filter((c) => c.parent === undefined || !alive.has(c.parent.id));
      if (roots.length === 0) roots = all;
      roots.sort((a, b) => b.born - a.born || b.ref.id - a.ref.id);
      const progress = { all, roots, at: 0, since: this.rt.clock.now() };
      this.progress = progress;
      let batch = new Map<number, number[]>();
      for (let i = 0; i < roots.length; i++) {
        const root = roots[i]!;
        progress.at = i;
        if (root.quick) {
          const ids = batch.get(root.ref.thread);
          if (ids === undefined) batch.set(root.ref.thread, [root.ref.id]);
          else ids.push(root.ref.id);
          continue;
        }
        if (batch.size > 0) await this.stopBatch(batch);
        batch = new Map();
        progress.since = this.rt.clock.now();
        const pending = this.stopOne(root.ref);
        if (pending !== undefined) await pending;
      }
      if (batch.size > 0) await this.stopBatch(batch);
    }
    this.progress = undefined;
  }

  /**
   * What a shutdown that is cut short leaves behind, for the report of a forced exit: the top-level actor
   * being stopped now (with how long it has been stopping, and the actors of its tree that were alive), then
   * the ones not reached yet, in the order they would have stopped. Empty when no actor is left to stop.
   */
  pending(): string {
    const p = this.progress;
    if (p === undefined) return '';
    const children = new Map<string, LiveCell[]>();
    for (const c of p.all) {
      if (c.parent === undefined) continue;
      const key = `${c.parent.thread}:${c.parent.id}`;
      const list = children.get(key);
      if (list === undefined) children.set(key, [c]);
      else list.push(c);
    }
    const treeOf = (root: LiveCell): string[] => {
      const out: string[] = [];
      const walk = (c: LiveCell) => {
        for (const child of children.get(`${c.ref.thread}:${c.ref.id}`) ?? []) {
          if (this.alive(child.ref)) out.push(where(child.ref));
          walk(child);
        }
      };
      walk(root);
      return out;
    };
    const parts: string[] = [];
    const rest = p.roots.slice(p.at).filter((c) => this.alive(c.ref));
    const now = rest[0];
    if (now !== undefined && now === p.roots[p.at] && !now.quick) {
      const secs = ((this.rt.clock.now() - p.since) / 1000).toFixed(1);
      const tree = treeOf(now);
      const limit = Number.isFinite(this.timeout)
        ? `of its ${this.timeout} ms shutdownTimeout`
        : '(no timeout)';
      parts.push(
        `${where(now.ref)}, stopping for ${secs} s ${limit}` +
          (tree.length > 0 ? ` (its tree: ${tree.join(', ')})` : ''),
      );
      rest.shift();
    }
    if (rest.length > 0) parts.push(`not stopped yet: ${rest.map((c) => where(c.ref)).join(', ')}`);
    return parts.join('; ');
  }

  /** Alive, as far as this thread can tell at once (an actor of another thread is taken as alive). */
  private alive(ref: ActorRef): boolean {
    if (ref.thread !== this.rt.thread) return true;
    const cell = this.rt.localCell(ref.id);
    return cell !== undefined && cell.state !== DEAD;
  }

  /** Stops actors of several threads, one request per thread, all threads at once. */
  private async stopBatch(batch: Map<number, number[]>): Promise<void> {
    await Promise.all(
      [...batch].map(([thread, ids]) =>
        this.rt.router
          .request(thread, {
            q: 'stop',
            ids: Float64Array.from(ids),
            reason: 'shutdown',
            timeout: this.timeout,
          })
          .catch(() => true),
      ),
    );
  }

  /** Stops actors of this thread in the given order; resolves when all are gone (killed after `timeout`). */
  async stopHere(ids: ArrayLike<number>, reason: ExitReason, timeout: number): Promise<true> {
    for (let i = 0; i < ids.length; i++) {
      const cell = this.rt.localCell(ids[i]!);
      if (cell === undefined || cell.state === DEAD) continue;
      this.rt.links.exitSignal(cell.ref, this.rt.systemRef, reason, false);
      if (cell.state !== DEAD) await this.awaitStop(cell.ref, cell.exited(), timeout);
    }
    return true;
  }

  /** Stops one top-level tree; undefined if it stopped at once (a local actor without onStop or children). */
  private stopOne(ref: ActorRef): Promise<void> | undefined {
    const cell = this.rt.cellOf(ref);
    if (cell !== undefined) {
      this.rt.links.exitSignal(ref, this.rt.systemRef, 'shutdown', false);
      if (cell.state === DEAD) return undefined;
      return this.awaitStop(ref, cell.exited(), this.timeout);
    }
    const exited = awaitExit(this.rt, ref);
    this.rt.links.exitSignal(ref, this.rt.systemRef, 'shutdown', false);
    return this.awaitStop(ref, exited, this.timeout);
  }

  /** Waits for `ref` to exit, killing it after `timeout` ms. */
  private async awaitStop(ref: ActorRef, exited: Promise<unknown>, timeout: number): Promise<void> {
    const kill = {
      at: 0,
      slot: -1,
      fire: () => this.rt.links.exitSignal(ref, this.rt.systemRef, 'kill', false),
    };
    this.rt.deadlines.add(kill, timeout);
    await exited;
    this.rt.deadlines.cancel(kill);
  }
}

/** `<Name#id> on thread n`. */
function where(ref: ActorRef): string {
  return `${ref} on thread ${ref.thread}`;
}
