/**
 * The one place that applies a signal to an actor of this place, by Erlang's rules:
 * - a message is queued (a dead target makes it a dead letter; a call to it fails with NoSuchActorError);
 * - a reply completes its pending call (a late one is dropped);
 * - an exit signal: `'kill'` (sent, not via a link) ends the target with `'killed'`, untrappable; else a
 *   trapping target gets `['EXIT', from, [reason], {}]`; else `'normal'` is ignored (unless an actor sent
 *   it to itself); else the target exits with the reason. A link's signal counts only while the link stands;
 * - a link to a dead actor answers `'noproc'`; a monitor of one answers a `DOWN` with `'noproc'`;
 * - a DOWN ends its monitor on the watcher's side and queues `['DOWN', from, [reason, mref], {}]`.
 */
import { type Cell, DEAD, ERROR_REPLY } from '../actors/cell.js';
import { NoSuchActorError } from '../core/errors.js';
import { type ExitReason, type Kwargs, NO_KWARGS } from '../core/message.js';
import { type ActorRef, type Address, ReplyRef } from '../core/ref.js';
import type { Signal } from './signal.js';

/** What apply needs of its place (implemented by the router). */
export interface ApplyHost {
  /** The live (not dead) cell of `ref` on this place. */
  liveCell(ref: ActorRef): Cell | undefined;
  /** Sends a signal on (an answer such as 'noproc' goes back through the router). */
  route(s: Signal): void;
  /** Queues a runtime notice (EXIT, DOWN) in `cell`'s mailbox, recorded as a send. */
  notify(cell: Cell, tag: 'EXIT' | 'DOWN', from: ActorRef, args: unknown[]): void;
  /** A reply arrived: false if its call is no longer pending. */
  complete(callId: number, tag: string, args: unknown[]): boolean;
  /** A message for an actor that is not here. */
  deadLetter(to: ActorRef, tag: string, sender: Address | null): void;
  /** The actor of `to` no longer holds `name` (the registry is told). */
  released(name: string, id: number): void;
  debug(message: string): void;
}

export function apply(host: ApplyHost, s: Signal): void {
  switch (s.kind) {
    case 'msg':
      return applyMessage(host, host.liveCell(s.to), s.to, s.tag, s.sender, s.args, s.kwargs);
    case 'reply':
      return applyReply(host, s.to.callId, s.tag, s.args);
    case 'exit':
      return exitSignal(host, s.to, s.from, s.reason, s.viaLink);
    case 'link': {
      const cell = host.liveCell(s.to);
      if (cell === undefined) {
        host.route({ kind: 'exit', to: s.from, from: s.to, reason: 'noproc', viaLink: true });
        return;
      }
      (cell.links ??= new Map()).set(s.from.id, s.from);
      return;
    }
    case 'unlink':
      host.liveCell(s.to)?.links?.delete(s.from.id);
      return;
    case 'monitor': {
      const cell = host.liveCell(s.to);
      if (cell === undefined) {
        host.route({ kind: 'down', to: s.watcher, from: s.to, reason: 'noproc', mref: s.mref });
        return;
      }
      (cell.monitoredBy ??= new Map()).set(s.mref, s.watcher);
      return;
    }
    case 'demonitor':
      host.liveCell(s.to)?.monitoredBy?.delete(s.mref);
      return;
    case 'down': {
      const cell = host.liveCell(s.to);
      if (cell === undefined) return;
      // Only a monitor the watcher still holds fires (after demonitor, no DOWN of it ever arrives, as in
      // Erlang), and then it is gone on the watcher's side too: a DOWN never leaves an entry behind.
      if (cell.monitoring === undefined || !cell.monitoring.delete(s.mref)) return;
      return host.notify(cell, 'DOWN', s.from, [s.reason, s.mref]);
    }
    case 'named': {
      const cell = host.liveCell(s.to);
      if (cell !== undefined) cell.name = s.name;
      else if (s.name !== undefined) host.released(s.name, s.to.id);
      return;
    }
  }
}

/** `apply` of a message, field-wise (the lanes' hot path calls it without a signal object). */
export function applyMessage(
  host: ApplyHost,
  cell: Cell | undefined,
  to: ActorRef,
  tag: string,
  sender: Address | null,
  args: unknown[],
  kwargs: Kwargs,
): void {
  if (cell !== undefined && cell.state !== DEAD) return cell.enqueue(tag, sender, args, kwargs);
  host.deadLetter(to, tag, sender);
}

/** `apply` of a reply, field-wise. */
export function applyReply(host: ApplyHost, callId: number, tag: string, args: unknown[]): void {
  if (!host.complete(callId, tag, args)) host.debug(`late reply to call ${callId} dropped`);
}

function exitSignal(
  host: ApplyHost,
  to: ActorRef,
  from: ActorRef,
  reason: ExitReason,
  viaLink: boolean,
): void {
  const cell = host.liveCell(to);
  if (cell === undefined) return;
  if (viaLink) {
    if (cell.links === undefined || !cell.links.delete(from.id)) return;
  } else if (reason === 'kill') {
    return cell.exit('kill');
  }
  if (cell.trapExit) return host.notify(cell, 'EXIT', from, [reason]);
  if (reason === 'normal') {
    // A normal exit signal ends only the actor that sent it to itself.
    if (!viaLink && from.id === cell.id) cell.exit('normal');
    return;
  }
  cell.exit(reason);
}

/** Would applying this exit signal now be unobservable out of order (so it may overtake data)? */
export function canOvertake(cell: Cell | undefined, reason: ExitReason, viaLink: boolean): boolean {
  if (cell === undefined || cell.state === DEAD) return true;
  if (reason === 'kill' && !viaLink) return true;
  return !cell.trapExit;
}

/** The answer to a call whose target is not there: the caller's promise rejects at once. */
export function failCallTo(host: ApplyHost, to: ActorRef, sender: Address | null): boolean {
  if (!(sender instanceof ReplyRef)) return false;
  host.route({
    kind: 'reply',
    to: sender,
    tag: ERROR_REPLY,
    sender: to,
    args: [new NoSuchActorError(to)],
    kwargs: NO_KWARGS,
  });
  return true;
}
