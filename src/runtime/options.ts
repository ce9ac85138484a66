/**
 * The options of `new Runtime(...)` and of `spawnWith`, the spawn signature, and their validation: every
 * option is checked before anything is built, and a bad one is named with what it must be.
 */
import { isGeneratorFunction, isProxy } from 'node:util/types';
import { Actor, isForeignClass } from '../actors/actor.js';
import { FunctionActor } from '../actors/function-actor.js';
import { classInfo } from '../actors/handles.js';
import type { ActorProxy } from '../actors/proxy.js';
import { type ClusterOptions, type ResolvedCluster, resolveCluster } from '../cluster/options.js';
import type { Controller } from '../controllers/controller.js';
import { type Clock, systemClock } from '../core/clock.js';
import { checkKnownOptions, checkOption, InvalidOptionError, NotAnActorError } from '../core/errors.js';
import { consoleLogger, type Logger } from '../core/logger.js';
import { checkTimeout, describeType } from '../core/validate.js';
import type { RecordOption } from '../record/recorder.js';
import type { Fabric } from '../threads/fabric.js';
import type { Runtime } from './runtime.js';

/** Options of `new Runtime(...)`. */
export interface RuntimeOptions {
  /** Where actors run (default: `new TaskletController()`). */
  controller?: Controller;
  /** Default call timeout in ms, 0 to 2^31 − 1, or `Infinity` for none (default 5000). */
  callTimeout?: number;
  /**
   * How long shutdown waits for each actor to stop before killing it, in ms, 0 to 2^31 − 1, or `Infinity`
   * to wait as long as it takes (default 5000).
   */
  shutdownTimeout?: number;
  /** Record every send, spawn and exit as JSON lines: `'stdout'`, a file path, or `{ to, filter }`. */
  record?: RecordOption;
  /** Where crashes nobody is linked to, unhandled messages and supervisor reports go (default: stderr). */
  logger?: Logger;
  /** Time source for timeouts (default: the system clock; tests pass sinon's fake timers' globals). */
  clock?: Clock;
  /**
   * Join a cluster of runtimes over NATS: `{ servers, name, node, secret }` (see {@link ClusterOptions}
   * and README, "Clusters"). Refs, calls, links, monitors and names then reach actors on other nodes.
   */
  cluster?: ClusterOptions;
}

/** Where to spawn, for `spawnWith`: a worker thread number, `'local'` (this thread) or `'own'` (a new thread). */
export interface SpawnOptions {
  /**
   * `'local'`: on the spawning thread. `'own'`: on a worker thread of its own, for blocking or CPU-heavy
   * work (in both controllers; the thread ends with the actor). A number: that worker thread (1…threads).
   * Default: the controller's placement (round-robin over worker threads for importable actors).
   */
  thread?: number | 'local' | 'own';
  /**
   * In a cluster: the node to start the actor on (its name, e.g. `'web-2'`); that node picks the thread.
   * The actor's class must be importable there (the same code, see README "Clusters").
   */
  node?: string;
  /** Link the new actor to the current one, atomically (as spawnLink). */
  link?: boolean;
}

/** What can be spawned: an Actor subclass, a function (run as a receive loop), or a functionActor. */
export type SpawnTarget =
  | (new (
      ...args: any[]
    ) => Actor)
  | ((...args: any[]) => unknown)
  | FunctionActor<any>;

/**
 * The arguments `spawn(target, ...args)` takes after `target`: an Actor subclass's constructor parameters,
 * a function actor's parameters, nothing for a functionActor (a target typed `never`, as tests of bad
 * input write it, takes any arguments).
 */
export type SpawnArgs<T> = [T] extends [never]
  ? unknown[]
  : T extends FunctionActor<any>
    ? []
    : T extends abstract new (
          ...args: infer A
        ) => unknown
      ? A
      : T extends (...args: infer A) => unknown
        ? A
        : never;

/** What the proxy of a spawned `T` is typed after: the class's instance, else `T` itself. */
export type SpawnedOf<T> = T extends abstract new (...args: any[]) => infer I ? I : T;

/**
 * The typed signature shared by `runtime.spawn`, `spawn` and `spawnLink`. One generic signature (no
 * overloads): `T` is inferred from the target alone and `args` are checked against its constructor's or
 * function's parameters, so a wrong argument is reported as such ("Argument of type 'string' is not
 * assignable to parameter of type 'number'"; "Expected 2 arguments, but got 1").
 */
export type SpawnFn = <T extends SpawnTarget>(target: T, ...args: SpawnArgs<T>) => ActorProxy<SpawnedOf<T>>;

/** @internal Set by a worker host: this runtime is one thread of a threaded runtime. */
export interface ThreadRole {
  thread: number;
  attachFabric(rt: Runtime): Fabric;
  /** Called when this thread's run-queue runs dry (low-latency mode). */
  onIdle?: (() => void) | undefined;
  /** Called when the last actor of this thread is gone (a dedicated thread then retires). */
  onEmpty?: (() => void) | undefined;
}

/**
 * @internal The controller a Runtime gets when none is given: controllers/tasklet.ts sets it as it loads
 * (the runtime layer does not import the controllers above it).
 */
export const defaultController: { make?: () => Controller } = {};

const KNOWN_OPTIONS = [
  'controller',
  'callTimeout',
  'shutdownTimeout',
  'record',
  'logger',
  'clock',
  'cluster',
];

/** @internal The options with their defaults, each checked (InvalidOptionError names a bad one). */
export function resolveOptions(options: RuntimeOptions): {
  callTimeout: number;
  shutdownTimeout: number;
  logger: Logger;
  clock: Clock;
  controller: Controller;
  cluster: ResolvedCluster | undefined;
} {
  checkKnownOptions(options, 'Runtime options', KNOWN_OPTIONS);
  const cluster = options.cluster === undefined ? undefined : resolveCluster(options.cluster);
  const { callTimeout = 5000, shutdownTimeout = 5000 } = options;
  checkTimeout(callTimeout, 'options.callTimeout');
  checkTimeout(shutdownTimeout, 'options.shutdownTimeout');
  const logger = options.logger ?? consoleLogger;
  checkOption(
    ['error', 'warn', 'info', 'debug'].every((m) => typeof (logger as any)[m] === 'function'),
    'options.logger',
    'must have error, warn, info and debug methods',
    logger,
  );
  const clock = options.clock ?? systemClock;
  checkOption(
    typeof clock.now === 'function' &&
      typeof clock.setTimeout === 'function' &&
      typeof clock.clearTimeout === 'function',
    'options.clock',
    'must have now, setTimeout and clearTimeout',
    clock,
  );
  const controller = options.controller ?? defaultController.make?.();
  checkOption(
    controller !== undefined,
    'options.controller',
    "is required when TaskletController was never imported (import { TaskletController } from 'parley-actors')",
    controller,
  );
  checkOption(
    typeof controller?.attach === 'function',
    'options.controller',
    'must be a TaskletController or ThreadController',
    controller,
  );
  return { callTimeout, shutdownTimeout, logger, clock, controller: controller as Controller, cluster };
}

/**
 * @internal Checks `spawnWith`'s options: an object with only `thread` (`'local'`, `'own'` or a thread
 * number; whether that thread is live is checked at placement) and `link` (a boolean). InvalidOptionError
 * names the bad field and what it may be. `{}` (what `spawn` passes) costs one empty `for…in`.
 */
export function checkSpawnOptions(options: unknown): asserts options is SpawnOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError(
      `spawnWith(options, target, ...args): options must be an object such as { thread: 'own' } or { link: true } ` +
        `(got ${describeType(options)}); use spawn(target, ...args) for no options`,
    );
  }
  for (const key in options) {
    if (key !== 'thread' && key !== 'link' && key !== 'node') {
      throw new InvalidOptionError(
        `spawnWith options.${key} is not a spawn option (known: thread, link, node)`,
      );
    }
  }
  const { thread, link, node } = options as { thread?: unknown; link?: unknown; node?: unknown };
  if (node !== undefined && (typeof node !== 'string' || node === '')) {
    throw new InvalidOptionError(
      `spawnWith options.node must be the name of a node of the cluster, such as 'web-2' (got ${describeType(node)})`,
    );
  }
  if (node !== undefined && thread !== undefined) {
    throw new InvalidOptionError(
      'spawnWith options.node and options.thread cannot be combined: the node picks the thread of an actor it runs',
    );
  }
  if (
    thread !== undefined &&
    thread !== 'local' &&
    thread !== 'own' &&
    !(typeof thread === 'number' && Number.isInteger(thread) && thread >= 0)
  ) {
    throw new InvalidOptionError(
      `spawnWith options.thread must be 'local' (this thread), 'own' (a new thread of its own) or the ` +
        `number of a live worker thread (got ${describeType(thread)})`,
    );
  }
  if (link !== undefined && typeof link !== 'boolean') {
    throw new InvalidOptionError(
      `spawnWith options.link must be true (link the new actor to the current one, as spawnLink) or false ` +
        `(got ${describeType(link)})`,
    );
  }
}

/** @internal Checks what `spawn` was given (DecoratorError: a class's handlers clash); returns the name its refs carry. */
export function checkTarget(target: unknown): string {
  if (target instanceof FunctionActor) return target.name;
  if (typeof target !== 'function') {
    throw new NotAnActorError(
      `spawn() needs an Actor subclass, a function or functionActor(fn) (got ${describeType(target)})`,
    );
  }
  if (target === Actor) {
    throw new NotAnActorError('spawn(Actor): subclass Actor and give the subclass @handles methods');
  }
  if (target.prototype instanceof Actor) {
    // Its handler table (built once per class, cached): a tag that two of a class's methods handle, which
    // TC39 standard decorators without context.metadata cannot see at class definition, is refused here.
    classInfo(target, Actor);
    return target.name || 'anonymous';
  }
  // Not an Actor subclass: it runs as a function actor, so it must be a function that can be called.
  const source = Function.prototype.toString.call(target);
  if (source.endsWith('[native code] }')) throw new NotAnActorError(notCallable(target));
  if (isGeneratorFunction(target)) {
    throw new NotAnActorError(
      `${target.name || 'the function'} is a generator function: calling it only makes an iterator, its body ` +
        'would never run as an actor. Spawn a plain or async function (use await recv() to take messages)',
    );
  }
  if (isForeignClass(target, source)) {
    throw new NotAnActorError(
      `${target.name} is a class that does not extend Actor: write "class ${target.name} extends Actor" ` +
        'and mark its handlers with @handles(tag)',
    );
  }
  return target.name || 'anonymous';
}

/** Why a built-in, bound or Proxy-wrapped function is not an actor, and what to pass instead. */
function notCallable(target: Function): string {
  const name = typeof target.name === 'string' ? target.name : '';
  if (isProxy(target)) {
    return 'spawn() was given a Proxy around a function: pass the Actor subclass or function itself';
  }
  if (name.startsWith('bound ')) {
    const inner = name.slice(6) || 'fn';
    return (
      `spawn() was given a bound function (${name}): pass ${inner} itself and give its arguments to spawn, ` +
      `spawn(${inner}, ...args); a class actor reads its state from its fields, a function actor from its parameters`
    );
  }
  return (
    `spawn() was given the built-in function ${name || '(anonymous)'}, which is not an actor: pass an Actor ` +
    'subclass, a function of your own (it runs as the actor, taking messages with await recv()) or functionActor(fn)'
  );
}
