/**
 * Links and monitors, as an actor makes them: each operation sets this actor's half and sends the other
 * half to the target as a signal through the router (apply.ts then applies Erlang's rules on the target's
 * place, wherever that is). Links are two-way; monitors one-way: the watcher gets
 * `['DOWN', from, [reason, monitorRef], {}]`. Linking to (or monitoring) a dead actor answers 'noproc';
 * one on a lost place answers 'noconnection'.
 */
import type { Cell } from '../actors/cell.js';
import { ID_SPACE } from '../core/inspect.js';
import type { ExitReason, Message } from '../core/message.js';
import type { ActorRef } from '../core/ref.js';
import type { Router } from './router.js';
import type { MonitorRef } from './signal.js';

/** Ids carry the place that allocated them in their high part (`idText` prints them `place.n`). */
export { ID_SPACE };

export class Links {
  private nextMonitor = 1;

  constructor(private readonly router: Router) {}

  /** An exit signal `reason` from `from` to `to` (see apply.ts for what it does there). */
  exitSignal(to: ActorRef, from: ActorRef, reason: ExitReason, viaLink: boolean): void {
    this.router.route({ kind: 'exit', to, from, reason, viaLink });
  }

  /** Links `cell` and `to` both ways; a dead `to` sends `cell` the exit signal `'noproc'`. */
  link(cell: Cell, to: ActorRef): void {
    if (to.id === cell.id) return;
    (cell.links ??= new Map()).set(to.id, to);
    this.router.route({ kind: 'link', to, from: cell.ref });
  }

  /** Removes the link both ways (no-op if there is none). */
  unlink(cell: Cell, to: ActorRef): void {
    cell.links?.delete(to.id);
    this.router.route({ kind: 'unlink', to, from: cell.ref });
  }

  /** `cell` watches `to`; returns the monitor ref its `DOWN` message will carry. */
  monitor(cell: Cell, to: ActorRef): MonitorRef {
    const mref = this.router.place * ID_SPACE + this.nextMonitor++;
    (cell.monitoring ??= new Map()).set(mref, to);
    this.router.route({ kind: 'monitor', to, watcher: cell.ref, mref });
    return mref;
  }

  /** Stops a monitor; with `flush`, also removes its `DOWN` message if it already arrived. */
  demonitor(cell: Cell, mref: MonitorRef, flush: boolean): boolean {
    const to = cell.monitoring?.get(mref);
    if (to !== undefined) {
      cell.monitoring!.delete(mref);
      this.router.route({ kind: 'demonitor', to, mref });
    }
    if (flush) cell.mailbox?.take((m: Message) => m[0] === 'DOWN' && m[2][1] === mref);
    return to !== undefined;
  }

  /**
   * `cell` is gone with `reason`: its links get exit signals, its watchers DOWNs, and the actors it
   * watched forget it (names and callers were released before this).
   */
  exited(cell: Cell, reason: ExitReason): void {
    const router = this.router;
    const self = cell.ref;
    const links = cell.links;
    cell.links = undefined;
    if (links !== undefined) {
      for (const other of links.values())
        router.route({ kind: 'exit', to: other, from: self, reason, viaLink: true });
    }
    const watchers = cell.monitoredBy;
    cell.monitoredBy = undefined;
    if (watchers !== undefined) {
      for (const [mref, watcher] of watchers)
        router.route({ kind: 'down', to: watcher, from: self, reason, mref });
    }
    const watching = cell.monitoring;
    cell.monitoring = undefined;
    if (watching !== undefined) {
      for (const [mref, target] of watching) router.route({ kind: 'demonitor', to: target, mref });
    }
  }

  /** Entries of these cells' link, monitored-by and monitoring maps, summed (for leak checks). */
  count(cells: Iterable<Cell>): { links: number; monitors: number; monitoring: number } {
    let links = 0;
    let monitors = 0;
    let monitoring = 0;
    for (const c of cells) {
      links += c.links?.size ?? 0;
      monitors += c.monitoredBy?.size ?? 0;
      monitoring += c.monitoring?.size ?? 0;
    }
    return { links, monitors, monitoring };
  }

  /** `place` is lost: everything here linked to or watching its actors hears 'noconnection'. */
  placeLost(cells: Iterable<Cell>, place: number): void {
    for (const cell of cells) {
      for (const ref of [...(cell.links?.values() ?? [])]) {
        if (ref.thread === place)
          this.router.arrive(
            { kind: 'exit', to: cell.ref, from: ref, reason: 'noconnection', viaLink: true },
            true,
          );
      }
      for (const [mref, target] of [...(cell.monitoring ?? [])]) {
        if (target.thread === place) {
          this.router.arrive(
            { kind: 'down', to: cell.ref, from: target, reason: 'noconnection', mref },
            true,
          );
        }
      }
    }
  }
}
