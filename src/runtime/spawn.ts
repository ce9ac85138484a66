/**
 * An actor's birth and death on a thread: spawning it here or on the thread its placement picks (its
 * class is imported there), creating its cell, and releasing it when it dies (its name, its callers —
 * also those on other threads — and a report of a crash nobody is linked to).
 */
import { Actor } from '../actors/actor.js';
import { Cell, ERROR_REPLY } from '../actors/cell.js';
import { descriptorOf } from '../actors/importable.js';
import type { ProxyBase } from '../actors/proxy.js';
import { ActorExitedError, describeReason, isErrorValue } from '../core/errors.js';
import { type ExitReason, isCleanStop, NO_KWARGS } from '../core/message.js';
import { ActorRef, CELL, ReplyRef } from '../core/ref.js';
import { REMOTE_BASE } from '../router/transport.js';
import { encodeRef, encodeValue } from '../wire/codec.js';
import type { ClusterNode } from './cluster-hook.js';
import { checkTarget, type SpawnOptions, type SpawnTarget } from './options.js';
import { placeOf, proxyForTarget } from './placement.js';
import type { Runtime } from './runtime.js';

/** @internal Spawns actor `id` here or on the thread its placement picks. */
export function spawnCell(
  rt: Runtime,
  id: number,
  target: SpawnTarget,
  args: unknown[],
  parent: Cell | undefined,
  link: boolean,
  options: SpawnOptions = {},
): { cell: Cell | undefined; proxy: ProxyBase } {
  const name = checkTarget(target);
  // A class may vet its spawn arguments at once (Supervisor checks its options and child specs).
  const checkArgs = (target as { checkArgs?: (...a: unknown[]) => void }).checkArgs;
  if (typeof checkArgs === 'function') checkArgs.apply(target, args);
  let thread = placeOf(rt, target, name, options);
  let encoded: ReturnType<typeof encodeValue> | undefined;
  if (thread !== rt.thread) {
    try {
      encoded = encodeValue(args, 'args');
    } catch (err) {
      // Spawn args only this thread can hold (a plain function in a child spec…) keep the actor here.
      if (options.thread !== undefined) throw err;
      thread = rt.thread;
    }
  }
  if (thread !== rt.thread && encoded !== undefined) {
    const ref = new ActorRef(id, thread, name, rt);
    const d = descriptorOf(target, name);
    if (link && parent !== undefined) (parent.links ??= new Map()).set(id, ref);
    const via = thread >= REMOTE_BASE ? (rt.router.remoteTransport as ClusterNode) : rt.fabric!;
    via.spawn(thread, {
      op: 'spawn',
      id,
      name,
      target: d,
      args: encoded.v,
      parent: parent === undefined ? null : encodeRef(parent.ref),
      link,
      born: performance.timeOrigin + performance.now(),
      load: [d, ...(encoded.load ?? [])],
    });
    return { cell: undefined, proxy: proxyForTarget(ref, target) };
  }
  const cell = rt.adopt(id, name, target, args, parent?.ref, false);
  if (link && parent !== undefined) rt.links.link(parent, cell.ref);
  return { cell, proxy: proxyForTarget(cell.ref, cell.target) };
}

/**
 * The class of an actor another thread spawned here that cannot be created here: its constructor throws
 * its one argument, the reason, so the actor fails its start (it never counts as started).
 */
class StartFailed extends Actor {
  constructor(reason: unknown) {
    super();
    throw reason;
  }
}

/** @internal A new cell for actor `id` of this thread (the runtime files and schedules it). */
export function adoptCell(
  rt: Runtime,
  id: number,
  name: string,
  target: unknown,
  args: unknown[],
  parent: ActorRef | undefined,
  link: boolean,
  born?: number,
): Cell {
  if (target === undefined) {
    // Its class could not be imported here (or its args not decoded): args[0] is why. Its start fails
    // with that reason, as a constructor that throws does: started() and a supervisor learn it, and its
    // links and monitors get it.
    target = StartFailed;
  }
  const ref = new ActorRef(id, rt.thread, name, rt);
  const cell = new Cell(ref, target as SpawnTarget, args.length === 0 ? undefined : args, parent);
  // With threads, shutdown orders actors of all threads by the spawner's clock; one thread needs no clock.
  cell.born = born ?? (rt.fabric === undefined ? undefined : performance.timeOrigin + performance.now());
  ref[CELL] = cell;
  if (link && parent !== undefined) (cell.links ??= new Map()).set(parent.id, parent);
  if (rt.recording.on) rt.recording.write({ ev: 'spawn', from: parent ?? null, to: ref, args });
  return cell;
}

/** @internal A cell dies: its name goes, its callers are answered, its crash is reported. Never throws. */
export function releaseCell(rt: Runtime, cell: Cell, reason: ExitReason, crashTag: string | undefined): void {
  rt.registry.release(cell);
  if (cell.callsIn > 0) rt.calls.calleeExited(cell, reason);
  if (rt.fabric !== undefined || rt.router.remoteTransport !== undefined) failRemoteCallers(rt, cell, reason);
  if (rt.recording.on) rt.recording.write({ ev: 'exit', from: cell.ref, reason });
  if (isCleanStop(reason) || reason === 'killed' || cell.observed) return;
  if (cell.links !== undefined && cell.links.size > 0) return;
  const during = crashTag === undefined ? '' : ` while handling '${crashTag}'`;
  rt.logger.error(`${cell.ref} crashed${during}: ${crashText(reason)}`, {
    actor: cell.ref,
    tag: crashTag,
    reason,
    error: isErrorValue(reason) ? reason : undefined,
  });
}

/** Calls from other threads still queued (or being handled) fail now, not at their timeout. */
function failRemoteCallers(rt: Runtime, cell: Cell, reason: ExitReason): void {
  const mb = cell.mailbox;
  const pending = mb === undefined ? [] : [...mb];
  const current = mb?.current();
  if (current !== undefined) pending.push(current);
  for (const m of pending) {
    const s = m[1];
    if (s instanceof ReplyRef && s.thread !== rt.thread) {
      s.sendWith(ERROR_REPLY, cell.ref, [new ActorExitedError(reason, cell.ref)], NO_KWARGS);
    }
  }
}

/** A crash reason as the log shows it (an Error's message, else the value), whatever it is. */
function crashText(reason: unknown): string {
  try {
    if (isErrorValue(reason)) return reason.message;
    // A plain object reason ({ custom: 'bye' }) reads as itself, not '[object Object]'.
    return typeof reason === 'object' && reason !== null ? describeReason(reason) : String(reason);
  } catch {
    return describeReason(reason);
  }
}
