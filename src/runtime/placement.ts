/**
 * Placement: which thread a new actor goes to (`spawnWith({ thread })`, else the controller's placement:
 * round-robin over worker threads for importable actors, the spawning thread for plain functions), and
 * the typed proxy and import descriptor of an actor's class, wherever it runs.
 */
import { Actor } from '../actors/actor.js';
import { FunctionActor } from '../actors/function-actor.js';
import { classInfo } from '../actors/handles.js';
import { type Descriptor, descriptorOf, isImportable } from '../actors/importable.js';
import { FunctionActorProxy, ProxyBase, proxyClassFor } from '../actors/proxy.js';
import type { Placement } from '../controllers/controller.js';
import { checkOption, InvalidOptionError, NotImportableError } from '../core/errors.js';
import type { ActorRef } from '../core/ref.js';
import { REMOTE_BASE } from '../router/transport.js';
import type { SpawnOptions, SpawnTarget } from './options.js';
import type { Runtime } from './runtime.js';

/** @internal The thread a new actor goes to; NotImportableError or InvalidOptionError if it cannot go there. */
export function placeOf(rt: Runtime, target: SpawnTarget, name: string, options: SpawnOptions): number {
  if (options.node !== undefined && options.node !== rt.cluster?.node) {
    const cluster = rt.cluster;
    if (cluster === undefined || cluster.node === '') {
      throw new InvalidOptionError(
        `spawnWith options.node ('${options.node}', for ${name}): this runtime is not in a cluster; give ` +
          'it the cluster option ({ cluster: { servers, name, node, secret } }), or drop node',
      );
    }
    const place = cluster.placeOn(options.node);
    if (place !== rt.thread) importableOnNode(target, name, options.node); // now, not on the other node
    return place;
  }
  // This node named: without worker threads, its one thread (a placement only picks among threads).
  if (options.node !== undefined && rt.fabric === undefined) return rt.thread;
  const where = options.thread;
  if (where === 'local') return rt.thread;
  if (where === 'own') {
    if (rt.thread !== 0) {
      // Only the main thread starts threads, and a new actor's ref needs its thread at once.
      throw new InvalidOptionError(
        `spawnWith options.thread 'own' (for ${name}) works on the main thread only, and this actor runs on ` +
          `worker thread ${rt.thread}: a worker thread cannot start threads. Spawn ${name} from the main ` +
          'thread (from an actor there, or runtime.spawnWith at top level), or put it on a pool thread here: ' +
          '{ thread: n } or no thread option',
      );
    }
    descriptorOf(target, name); // NotImportableError now, not on the new thread
    return rt.controller.ownThread!(rt);
  }
  if (
    typeof where === 'number' &&
    where >= REMOTE_BASE &&
    rt.cluster !== undefined &&
    rt.router.reaches(where)
  ) {
    // Another node's thread (a ref's \`thread\`): beside that actor, on its node and thread.
    descriptorOf(target, name);
    return where;
  }
  if (typeof where === 'number') {
    checkOption(
      Number.isInteger(where) && (where === rt.thread || (rt.fabric?.live.includes(where) ?? false)),
      'spawn options.thread',
      `must be a live worker thread (${rt.fabric?.live.join(', ') || 'none'}), 'local' or 'own'`,
      where,
    );
    if (where !== rt.thread) descriptorOf(target, name);
    return where;
  }
  const placement: Placement | undefined = rt.controller.placement;
  // Without worker threads, a placement is asked only on a cluster node (a controller may spread new
  // actors over nodes: the conformance suite's cluster leg does).
  if (placement === undefined || (rt.fabric === undefined && rt.cluster === undefined)) return rt.thread;
  if (typeof target === 'function' && !(target.prototype instanceof Actor)) return rt.thread; // plain function
  if (!isImportable(target)) descriptorOf(target, name); // throws NotImportableError saying what to do
  return placement.next(rt.fabric?.live ?? [], rt.thread);
}

/** @internal A proxy for `ref` typed after `target` (its class or functionActor). */
export function proxyForTarget(ref: ActorRef, target: unknown): ProxyBase {
  if (target instanceof FunctionActor) return new FunctionActorProxy(ref);
  if (typeof target === 'function' && target.prototype instanceof Actor) {
    return new (proxyClassFor(classInfo(target, Actor)))(ref);
  }
  return new ProxyBase(ref);
}

/** @internal How another thread can import an actor's class (for typed proxies from whereis). */
export function describeTarget(t: unknown): Descriptor | undefined {
  if (t === null || (typeof t !== 'object' && typeof t !== 'function') || !isImportable(t)) return undefined;
  return descriptorOf(t, t instanceof FunctionActor ? t.name : (t as Function).name);
}

/** NotImportableError, worded for another node, if `target` cannot be imported there. */
function importableOnNode(target: SpawnTarget, name: string, node: string): void {
  if (typeof target === 'function' && !(target.prototype instanceof Actor) && !isImportable(target)) {
    throw new NotImportableError(
      `${name} cannot be spawned on node '${node}': it is a plain function, and another node finds an actor ` +
        'by importing its module: wrap it with functionActor(fn) (which records its module) and export that ' +
        'from the top level of a module in the project (see README, "Clusters")',
    );
  }
  try {
    descriptorOf(target, name);
  } catch (err) {
    throw new NotImportableError(
      `${name} cannot be spawned on node '${node}': another node finds an actor class by importing its module ` +
        '(its path relative to the project root), so it must be exported from the top level of a module in ' +
        `the project, with at least one @handles method or @actor() (see README, "Clusters"). ${(err as Error).message}`,
      { cause: err },
    );
  }
}
