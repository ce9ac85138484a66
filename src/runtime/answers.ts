/**
 * Questions between the threads of a runtime: what this thread answers when another thread (or this one)
 * asks — names (the directory lives on the main thread), whether an actor is alive or has started, its
 * exit, the live actors, shutdown batches — and the asking side of the questions about actors.
 */

import { isSupervisorClass } from '../actors/actor.js';
import type { Cell } from '../actors/cell.js';
import type { ExitReason } from '../core/message.js';
import { ActorRef } from '../core/ref.js';
import type { LiveCell, LiveTable, Request, Tables } from '../router/signal.js';
import type { Runtime } from './runtime.js';

/** @internal */
export async function answerRequest(rt: Runtime, r: Request): Promise<unknown> {
  switch (r.q) {
    case 'register':
      return rt.registry.register(r.name, r.ref);
    case 'unregister':
      return rt.registry.unregister(r.name);
    case 'whereis':
      return rt.registry.whereis(r.name);
    case 'release':
      return rt.registry.drop(r.name, r.id);
    case 'alive': {
      const cell = rt.cellOf(r.to);
      return cell === undefined ? { alive: false } : { alive: true, target: rt.describeTarget(cell) };
    }
    case 'started': {
      const cell = rt.cellOf(r.to) ?? rt.localCell(r.to.id);
      return cell === undefined ? 'noproc' : cell.whenStarted();
    }
    case 'watch': {
      // Its exit reason once it has exited; undefined if it was gone before the question came (unknown).
      const cell = rt.cellOf(r.to);
      if (cell === undefined) return undefined;
      await cell.exited();
      return cell.reason;
    }
    case 'list':
      return liveTableOf(rt.thread, rt.liveCells());
    case 'tables':
      return rt.tables(r.heap);
    case 'stop':
      return rt.stopper.stopHere(r.ids, r.reason, r.timeout);
    case 'monitorNode': {
      const c = rt.cluster;
      if (c === undefined) {
        r.watcher.sendWith('NODEDOWN', null, [r.node, 'noconnection'], {});
        return true;
      }
      if (r.on) c.monitorNode(r.node, r.watcher);
      else c.demonitorNode(r.node, r.watcher);
      return true;
    }
    case 'via':
      return rt.router.request(r.place, r.r);
  }
}

/** @internal What shutdown and the tree view need to know of each of these live actors. */
export function liveCellsOf(cells: Iterable<Cell>): LiveCell[] {
  const out: LiveCell[] = [];
  for (const c of cells) {
    const actor = c.actor;
    out.push({
      ref: c.ref,
      parent: c.parent,
      born: c.born ?? 0,
      quick: !c.trapExit && (actor === undefined || typeof actor.onStop !== 'function'),
      supervisor: isSupervisorClass(c.target),
    });
  }
  return out;
}

/** @internal Live actors as columns, to cross to another thread cheaply. */
export function liveTableOf(place: number, cells: LiveCell[]): LiveTable {
  const n = cells.length;
  const t: LiveTable = {
    place,
    ids: new Float64Array(n),
    parents: new Float64Array(n),
    parentPlaces: new Float64Array(n),
    born: new Float64Array(n),
    flags: new Uint8Array(n),
    names: JSON.stringify(cells.map((c) => c.ref.name)),
  };
  for (let i = 0; i < n; i++) {
    const c = cells[i]!;
    t.ids[i] = c.ref.id;
    t.parents[i] = c.parent?.id ?? -1;
    t.parentPlaces[i] = c.parent?.thread ?? -1;
    t.born[i] = c.born;
    t.flags[i] = (c.quick ? 1 : 0) | (c.supervisor ? 2 : 0);
  }
  return t;
}

/** @internal The live actors of a table, as refs bound to `rt` (the thread that asked). */
export function liveCellsFrom(rt: Runtime, t: LiveTable): LiveCell[] {
  const names = JSON.parse(t.names) as string[];
  const out: LiveCell[] = new Array(t.ids.length);
  for (let i = 0; i < t.ids.length; i++) {
    const parent = t.parents[i]!;
    out[i] = {
      ref: new ActorRef(t.ids[i]!, t.place, names[i]!, rt),
      parent: parent < 0 ? undefined : new ActorRef(parent, t.parentPlaces[i]!, 'parent', rt),
      born: t.born[i]!,
      quick: (t.flags[i]! & 1) !== 0,
      supervisor: (t.flags[i]! & 2) !== 0,
    };
  }
  return out;
}

/** @internal Resolves once the actor has started (undefined), or with its exit reason if it failed to. */
export async function whenStarted(rt: Runtime, ref: ActorRef): Promise<ExitReason | undefined> {
  const cell = rt.cellOf(ref);
  if (cell !== undefined) return cell.whenStarted();
  if (ref.thread === rt.thread) return 'noproc';
  return rt.router.request(ref.thread, { q: 'started', to: ref });
}

/**
 * @internal Resolves once the actor has exited (wherever it runs), with its exit reason; undefined when
 * that is unknown (it was gone already, or its thread could not be asked).
 */
export function awaitExit(rt: Runtime, ref: ActorRef): Promise<ExitReason | undefined> {
  const cell = rt.cellOf(ref);
  if (cell !== undefined) return cell.exited().then(() => cell.reason);
  if (ref.thread === rt.thread) return Promise.resolve(undefined);
  return rt.router.request(ref.thread, { q: 'watch', to: ref }).catch(() => undefined);
}

/** @internal Live actors of every thread (the main thread asks the others). */
export async function allLive(rt: Runtime): Promise<LiveCell[]> {
  const all = rt.liveCells();
  if (rt.fabric !== undefined && rt.thread === 0) {
    const answers = await Promise.all(
      rt.fabric.live.map((t) =>
        rt.router.request(t, { q: 'list' }).then(
          (table) => liveCellsFrom(rt, table),
          () => [] as LiveCell[],
        ),
      ),
    );
    for (const a of answers) all.push(...a);
  }
  return all;
}

/**
 * @internal The tables of every thread of the runtime (this one first, then each thread it reaches, in
 * thread order); a thread lost meanwhile is left out. `heap`: each thread also reports its heap after a GC.
 */
export async function tablesOfEveryThread(rt: Runtime, heap: boolean): Promise<Tables[]> {
  const here = rt.tables(heap);
  const others = (rt.fabric?.reached ?? []).sort((a, b) => a - b);
  const answers = await Promise.all(
    others.map((t) => rt.router.request(t, { q: 'tables', heap }).catch(() => undefined)),
  );
  return [here, ...answers.filter((a): a is Tables => a !== undefined)];
}
