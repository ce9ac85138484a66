/**
 * Links, monitors and exit signals, by Erlang's rules. When an actor exits with reason R, each linked
 * actor: if it traps exits, gets `['EXIT', from, [R], {}]`; else if R is not `'normal'`, exits with R.
 * `exit(ref, 'kill')` cannot be trapped and ends the target with `'killed'`. Linking to (or monitoring) a
 * dead actor delivers `'noproc'`. Monitors are one-way: the watcher gets `['DOWN', from, [R, monitorRef], {}]`.
 */
import type { Cell } from './cell.js';
import { DEAD } from './cell.js';
import { type ExitReason, type Message, NO_KWARGS } from './message.js';
import type { ActorRef } from './ref.js';
import { ID_SPACE } from './remote.js';
import type { Runtime } from './runtime.js';
import { encodeRef } from './wire.js';

/** An opaque monitor reference, as returned by `monitor()` and carried by its `DOWN` message. */
export type MonitorRef = number;

/** @internal */
export class Signals {
  private nextMonitor = 1;

  constructor(private readonly rt: Runtime) {}

  /**
   * An exit signal `reason` from `from` to `to`. `viaLink`: it is the link's signal that `from` died
   * (it only counts if the link still stands); otherwise it was sent with `exit(to, reason)`.
   */
  exitSignal(to: ActorRef, from: ActorRef, reason: ExitReason, viaLink: boolean): void {
    const cell = this.rt.cellOf(to);
    if (cell === undefined) {
      if (to.thread !== this.rt.thread) this.rt.fabric?.exitSignal(to, from, reason, viaLink);
      return;
    }
    if (viaLink) {
      if (cell.links === undefined || !cell.links.delete(from.id)) return;
    } else if (reason === 'kill') {
      return cell.exit('kill');
    }
    if (cell.trapExit) {
      this.rt.deliver(cell.ref, 'EXIT', from, [reason], NO_KWARGS);
      return;
    }
    if (reason === 'normal') {
      // A normal exit signal ends only the actor that sent it to itself.
      if (!viaLink && from.id === cell.id) cell.exit('normal');
      return;
    }
    cell.exit(reason);
  }

  /** Links `cell` and `to` both ways; a dead `to` sends `cell` the exit signal `'noproc'`. */
  link(cell: Cell, to: ActorRef): void {
    if (to.id === cell.id) return;
    const other = this.rt.cellOf(to);
    (cell.links ??= new Map()).set(to.id, to);
    if (other === undefined && this.remote(to)) {
      this.rt.fabric!.send(to.thread, { op: 'link', to: to.id, from: encodeRef(cell.ref) });
      return;
    }
    if (other === undefined || other.state === DEAD) {
      this.exitSignal(cell.ref, to, 'noproc', true);
      return;
    }
    (other.links ??= new Map()).set(cell.id, cell.ref);
  }

  /** Removes the link both ways (no-op if there is none). */
  unlink(cell: Cell, to: ActorRef): void {
    cell.links?.delete(to.id);
    if (this.remote(to))
      this.rt.fabric!.send(to.thread, { op: 'unlink', to: to.id, from: encodeRef(cell.ref) });
    else this.rt.cellOf(to)?.links?.delete(cell.id);
  }

  /** `cell` watches `to`; returns the monitor ref its `DOWN` message will carry. */
  monitor(cell: Cell, to: ActorRef): MonitorRef {
    const mref = this.rt.thread * ID_SPACE + this.nextMonitor++;
    const target = this.rt.cellOf(to);
    if (target === undefined && this.remote(to)) {
      (cell.monitoring ??= new Map()).set(mref, to);
      this.rt.fabric!.send(to.thread, { op: 'monitor', to: to.id, watcher: encodeRef(cell.ref), mref });
      return mref;
    }
    if (target === undefined) {
      this.rt.deliver(cell.ref, 'DOWN', to, ['noproc', mref], NO_KWARGS);
      return mref;
    }
    (target.monitoredBy ??= new Map()).set(mref, cell.ref);
    (cell.monitoring ??= new Map()).set(mref, to);
    return mref;
  }

  /** Stops a monitor; with `flush`, also removes its `DOWN` message if it already arrived. */
  demonitor(cell: Cell, mref: MonitorRef, flush: boolean): boolean {
    const to = cell.monitoring?.get(mref);
    if (to !== undefined) {
      cell.monitoring!.delete(mref);
      this.forget(to, mref);
    }
    if (flush) cell.mailbox?.take((m: Message) => m[0] === 'DOWN' && m[2][1] === mref);
    return to !== undefined;
  }

  /** Drops monitor `mref` from the watched actor's side. */
  forget(target: ActorRef, mref: MonitorRef): void {
    if (this.remote(target)) this.rt.fabric!.send(target.thread, { op: 'demonitor', to: target.id, mref });
    else this.rt.cellOf(target)?.monitoredBy?.delete(mref);
  }

  private remote(ref: ActorRef): boolean {
    return ref.thread !== this.rt.thread && this.rt.fabric !== undefined;
  }
}
