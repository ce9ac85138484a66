/**
 * Importability: a worker thread finds an actor's class (or functionActor) by importing the module that
 * defined it and taking the export of that name. `@handles`, `@actor()` and `functionActor()` record the
 * module and whether the definition is at the module's top level; the rest is checked at spawn.
 *
 * Start-up on worker threads. A module may start the runtime at its top level (`await new Runtime(…).run(main)`,
 * or `startThreadController(); spawn(main)`) and define the actor classes it spawns. A worker thread that
 * imports it to find a class runs that top-level code again, so on a Parley worker thread, outside any actor,
 * a new Runtime sleeps: it starts no threads, `run()` never settles (so the rest of the module's top-level
 * code never runs as if main had finished), and `spawn()` returns a proxy of an actor that never starts. The
 * module's evaluation then waits forever in its top-level await; the worker does not need it to finish: the
 * decorators and `functionActor()` ran while the module evaluated, and registered each top-level definition
 * here (by module URL and name), where `load()` finds it once the module has paused.
 */

import { NotImportableError } from '../core/errors.js';
import { ActorRef, type Delivery } from '../core/ref.js';
import type { Runtime, SpawnOptions, SpawnTarget } from '../runtime/runtime.js';
import { Actor } from './actor.js';
import { ctx, currentCell, outsideActors } from './context.js';
import { markedSite } from './marks.js';
import { type CallSiteInfo, callerSite, isParleySource, siteLine } from './module-url.js';

/** @internal How to find a class or functionActor on another thread. */
export interface Descriptor {
  module: string;
  name: string;
}

const sites = new WeakMap<object, CallSiteInfo>();
const keyOf = (d: Descriptor) => `${d.module}#${d.name}`;

/** Top-level definitions made on this thread, by module URL and name, as their modules evaluate. */
const defined = new Map<string, unknown>();
/** Loads waiting for a definition (their module is still evaluating). */
const awaited = new Map<string, (() => void)[]>();

/** @internal Records where `target` was defined (first record wins: the most specific decorator runs first). */
export function recordSite(target: object, site: CallSiteInfo | undefined): void {
  if (site === undefined || sites.has(target)) return;
  sites.set(target, site);
  const name = (target as { name?: unknown }).name;
  if (!site.topLevel || typeof name !== 'string') return;
  const k = keyOf({ module: site.url, name });
  if (defined.has(k)) return;
  defined.set(k, target);
  const waiting = awaited.get(k);
  awaited.delete(k);
  if (waiting !== undefined) for (const wake of waiting) wake();
}

/**
 * Where `target` was defined: as recorded, or (a class whose own methods carry TC39 standard `@handles`
 * marks, which could not record the class when they ran) from its marked methods, recorded now.
 */
function siteOf(target: object): CallSiteInfo | undefined {
  let site = sites.get(target);
  if (site === undefined && (site = markedSite(target)) !== undefined) recordSite(target, site);
  return site;
}

/** @internal The descriptor of `target`, or NotImportableError saying what to do. `name`: its export name. */
export function descriptorOf(target: object, name: string): Descriptor {
  const site = siteOf(target);
  if (site === undefined) {
    const why = standInFailures.get(target);
    if (why !== undefined) throw why;
    const base = recordedAncestor(target);
    throw new NotImportableError(
      base === undefined
        ? `${name} cannot be spawned on a worker thread: Parley does not know which module defines it. ` +
            'Give the class at least one @handles method, or decorate it with @actor(), and export it from the ' +
            'top level of its module (a functionActor records its module by itself). Or spawn it with ' +
            "{ thread: 'local' } to keep it on this thread."
        : `${name} cannot be spawned on a worker thread: Parley does not know which module defines it. It ` +
            `extends ${base}, whose decorators recorded ${base}'s module, but no decorator of ${name}'s own ran ` +
            '(a method that overrides a handler without @handles records nothing): add @actor() to the ' +
            `subclass (@actor() export class ${name} extends ${base} …) and export it from the top level of ` +
            "its module. Or spawn it with { thread: 'local' } to keep it on this thread.",
    );
  }
  if (!site.topLevel) {
    const line = siteLine(site);
    throw new NotImportableError(
      `${name} is defined inside a function (${site.url}${line === null ? '' : `:${line}`}), so a ` +
        'worker thread cannot import it: move it to the top level of its module and export it, or spawn it ' +
        "with { thread: 'local' } to keep it on this thread.",
    );
  }
  return { module: site.url, name };
}

/** The name of the nearest class `target` extends whose module is recorded (Parley's own classes aside), if any. */
function recordedAncestor(target: object): string | undefined {
  if (typeof target !== 'function') return undefined;
  for (
    let c = Object.getPrototypeOf(target) as unknown;
    typeof c === 'function';
    c = Object.getPrototypeOf(c)
  ) {
    const site = siteOf(c);
    if (site === undefined) continue;
    if (isParleySource(site.url)) return undefined; // Supervisor, PoolSupervisor: not the program's
    return c.name || 'its base class';
  }
  return undefined;
}

/** @internal Whether `target` can be placed on a worker thread. */
export function isImportable(target: object): boolean {
  return siteOf(target)?.topLevel === true;
}

// ---- start-up on worker threads ----

let onWorkerThread = false;

/** @internal Set by the worker host, before it imports any of the program's modules. */
export function markWorkerThread(): void {
  onWorkerThread = true;
}

/**
 * @internal A Runtime made now is a module's start-up re-run by a worker thread that imports the module
 * (on a Parley worker thread, outside any actor): it must sleep.
 */
export function startUpSleeps(): boolean {
  return onWorkerThread && currentCell() === undefined;
}

/** Where a sleeping runtime's actors would be: nothing is delivered, no call is ever answered. */
const nowhere: Delivery = {
  deliver() {},
  deliverReply() {},
  call: () => new Promise<never>(() => {}),
};

const never = <T>(): Promise<T> => new Promise<T>(() => {});

/**
 * @internal Puts a Runtime made by a module's start-up on a worker thread to sleep (its controller is never
 * attached, so no thread starts): `run()`, `register()`, `unregister()` and `whereis()` never settle, and
 * `spawn()` returns a proxy of an actor that never starts (sends to it vanish, calls to it never settle).
 */
export function sleep(rt: Runtime): void {
  const site = callerSite();
  if (site !== undefined) moduleAsleep(site.url);
  rt.run = never as Runtime['run'];
  rt.register = never;
  rt.unregister = never;
  rt.whereis = never;
  rt.spawnWith = ((_options: SpawnOptions, target: SpawnTarget) => {
    const name = (target as { name?: unknown }).name;
    const ref = new ActorRef(0, rt.thread, typeof name === 'string' && name !== '' ? name : 'actor', nowhere);
    return rt.proxyForTarget(ref, target);
  }) as Runtime['spawnWith'];
}

// ---- loading on another thread ----

interface ModuleState {
  /** Settles when the import does; never rejects. */
  settled: Promise<void>;
  exports?: Record<string, unknown>;
  failure?: { error: unknown };
}

const modules = new Map<string, ModuleState>();
const cache = new Map<string, unknown>();
const failures = new Map<string, NotImportableError>();

/** @internal A target already imported on this thread (the receiver awaits `load` first). */
export function loaded(d: Descriptor): unknown {
  const k = keyOf(d);
  if (cache.has(k)) return cache.get(k);
  const failed = failures.get(k);
  if (failed !== undefined) throw failed;
  throw new NotImportableError(
    `${d.name} from ${d.module} was not imported on this thread (an internal error: please report it)`,
  );
}

/** Stand-ins of definitions this thread could not import, by descriptor key (see `loadedOrStandIn`). */
const standIns = new Map<string, Function>();
/** Why each stand-in's definition could not be imported here. */
const standInFailures = new WeakMap<object, NotImportableError>();

/**
 * @internal What a class or functionActor inside a message or spawn arguments decodes to on this thread:
 * the definition (imported already, see `load`), or, if this thread could not import it, a stand-in: an
 * actor class of the same name whose start fails with the NotImportableError, and which cannot be placed
 * on another thread (spawning it there throws that error). So the value still arrives, and what uses it
 * learns why it cannot: a supervisor whose child spec names it fails to start that child (ChildStartError,
 * cause = the NotImportableError), as for any child that fails to start.
 */
export function loadedOrStandIn(d: Descriptor): unknown {
  const k = keyOf(d);
  if (cache.has(k)) return cache.get(k);
  const failed = failures.get(k);
  if (failed === undefined) return loaded(d);
  let s = standIns.get(k);
  if (s === undefined) {
    s = {
      [d.name]: class extends Actor {
        constructor() {
          super();
          throw failed;
        }
      },
    }[d.name]!;
    standIns.set(k, s);
    standInFailures.set(s, failed);
  }
  return s;
}

/**
 * @internal Imports a descriptor's module (once per thread) and returns the named export; rejects with a
 * NotImportableError that says why (and keeps it, for `loaded`).
 */
export async function load(d: Descriptor): Promise<unknown> {
  const k = keyOf(d);
  if (cache.has(k)) return cache.get(k);
  try {
    const value = await find(d);
    cache.set(k, value);
    return value;
  } catch (err) {
    const failure = err instanceof NotImportableError ? err : importFailed(d, err);
    failures.set(k, failure);
    throw failure;
  }
}

function importModule(url: string): ModuleState {
  let m = modules.get(url);
  if (m !== undefined) return m;
  let imported!: Promise<Record<string, unknown>>;
  // A module's top-level code belongs to no actor, whoever happens to import it first.
  const start = () => {
    imported = import(url) as Promise<Record<string, unknown>>;
  };
  if (ctx.alsOn) outsideActors(start);
  else start();
  const state: ModuleState = {
    settled: imported.then(
      (exports) => {
        state.exports = exports;
      },
      (error: unknown) => {
        state.failure = { error };
      },
    ),
  };
  modules.set(url, (m = state));
  return m;
}

/** Modules whose start-up went to sleep on this thread: their top-level code will not finish. */
const asleep = new Set<string>();

/**
 * A module started a runtime at its top level, which sleeps on this worker thread: what it has not defined
 * a turn from now it never will (loads still waiting for a definition of it then fail instead of hanging).
 */
function moduleAsleep(url: string): void {
  asleep.add(url);
  const prefix = `${url}#`;
  for (const [k, waiting] of awaited) {
    if (!k.startsWith(prefix)) continue;
    awaited.delete(k);
    for (const wake of waiting) wake();
  }
}

/** Resolves one event-loop turn after `d` is defined on this thread (an import settles within the turn it ends). */
function definedThenATurn(d: Descriptor): Promise<void> {
  const k = keyOf(d);
  return new Promise<void>((resolve) => {
    const wake = () => setImmediate(resolve);
    if (defined.has(k) || asleep.has(d.module)) return wake();
    let waiting = awaited.get(k);
    if (waiting === undefined) awaited.set(k, (waiting = []));
    waiting.push(wake);
  });
}

async function find(d: Descriptor): Promise<unknown> {
  const m = importModule(d.module);
  if (m.exports === undefined && m.failure === undefined) {
    await Promise.race([m.settled, definedThenATurn(d)]);
  }
  if (m.failure !== undefined) throw importFailed(d, m.failure.error);
  if (m.exports === undefined) {
    // The module defined it, then paused in a top-level await that has not settled (typically its own
    // start-up, asleep on a worker thread): take the definition as the module made it.
    if (defined.has(keyOf(d))) return defined.get(keyOf(d));
    throw new NotImportableError(
      `${d.name} cannot be found on a worker thread: its module ${d.module} starts the runtime at its top ` +
        'level, which pauses on a worker thread, and the class was not recorded before that. With TC39 ' +
        'standard decorators (no experimentalDecorators) @handles cannot record the class while its module ' +
        `runs: decorate the class with @actor() (@actor() export class ${d.name} …), or move the actor ` +
        'classes to a module that does not start the runtime, and define them above the start-up line; or ' +
        "spawn it with { thread: 'local' } to keep it on this thread.",
    );
  }
  const exports = m.exports;
  if (d.name in exports) return exports[d.name];
  // A CommonJS module's exports that Node could not see by reading its code are only on `default`
  // (its module.exports).
  const cjs = exports.default;
  if (cjs !== null && (typeof cjs === 'object' || typeof cjs === 'function') && Object.hasOwn(cjs, d.name)) {
    return (cjs as Record<string, unknown>)[d.name];
  }
  for (const value of Object.values(exports)) {
    if (
      value !== null &&
      (typeof value === 'function' || typeof value === 'object') &&
      (value as { name?: unknown }).name === d.name
    ) {
      return value;
    }
  }
  const definition = defined.get(keyOf(d));
  const how =
    definition === undefined
      ? ''
      : typeof definition === 'function'
        ? ` (export class ${d.name} …)`
        : ` (export const ${d.name} = functionActor(…))`;
  throw new NotImportableError(
    `${d.name} is defined at the top level of ${d.module} but not exported, so a worker thread cannot ` +
      `import it: export it from that module${how}, or spawn it with { thread: 'local' } to keep it ` +
      'on this thread.',
  );
}

/** The real reason a worker could not import an actor's module, and what to do about it. */
function importFailed(d: Descriptor, error: unknown): NotImportableError {
  const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const advice =
    code === 'ERR_UNKNOWN_FILE_EXTENSION'
      ? 'a worker thread could not load that kind of file: run the program under tsx (node --import tsx ' +
        '…, or the tsx command), whose loader Parley registers in its workers, or compile it to JavaScript'
      : 'a worker thread imports the module afresh, without anything the main thread set up: make it ' +
        'import on its own (fix the error, or move the actor to a module without such side effects)';
  return new NotImportableError(
    `${d.name} cannot run on a worker thread: importing its module ${d.module} there failed with ${why}. ` +
      `To fix it: ${advice}; or spawn it with { thread: 'local' } to keep it on this thread.`,
    { cause: error },
  );
}
