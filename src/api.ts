/**
 * PARLEY's functional API. Inside an actor each function acts for the current actor; `spawn`, `send`,
 * `register` and `whereis` at top level use the default runtime that `startTaskletController()` sets.
 */
import type { Actor } from './actors/actor.js';
import type { Cell } from './actors/cell.js';
import { DEAD } from './actors/cell.js';
import { currentCell } from './actors/context.js';
import type { FunctionActor } from './actors/function-actor.js';
import { type ActorProxy, ProxyBase } from './actors/proxy.js';
import { sendAfter as startTimer, type TimerRef } from './actors/timers.js';
import { TaskletController, type TaskletControllerOptions } from './controllers/tasklet.js';
import { ThreadController, type ThreadControllerOptions } from './controllers/thread.js';
import {
  ActorExitedError,
  checkOption,
  InvalidArgumentError,
  NoCurrentActorError,
  NoRuntimeError,
  RuntimeRunningError,
} from './core/errors.js';
import { type ExitReason, type Message, NO_KWARGS } from './core/message.js';
import { ActorRef, BOUND } from './core/ref.js';
import {
  checkArgument,
  checkOptionsObject,
  checkTag,
  checkTimeout,
  describeType,
  oneActorAdvice,
} from './core/validate.js';
import type { MonitorRef } from './router/signal.js';
import { type PoolOptions, type PoolProxy, startPool } from './routing/pool.js';
import { type NamedProxy, namedProxy } from './runtime/named.js';
import { checkName, refToRegister } from './runtime/names.js';
import {
  Runtime,
  type RuntimeOptions,
  type SpawnArgs,
  type SpawnedOf,
  type SpawnFn,
  type SpawnOptions,
  type SpawnTarget,
} from './runtime/runtime.js';
import { awaitStarted, type StartedOptions } from './runtime/started.js';

/**
 * An actor, by proxy or by ref: every function that takes an actor accepts both (`ProxyBase` is the class
 * of every {@link ActorProxy}).
 */
export type ActorLike = ActorRef | ProxyBase;

/** Options of `recv()`. */
export interface RecvOptions {
  /**
   * Milliseconds to wait for a matching message, 0 to 2^31 − 1 (0: only what is queued now), or `Infinity`
   * (the default) to wait as long as it takes; past it recv() rejects with ReceiveTimeoutError.
   */
  timeout?: number;
}

let defaultRuntime: Runtime | undefined;

/**
 * PARLEY-style start-up: creates the default runtime on a TaskletController (all actors on this thread's
 * event loop). Top-level `spawn()` then uses it; the runtime shuts down in order once the actors spawned
 * at top level are done, or when the event loop has nothing left to do, so the process exits by itself.
 * SIGINT/SIGTERM shut it down in order too, as `runtime.run()` does (see README, "Shutdown").
 *
 * @example
 * ```ts
 * import { spawn, startTaskletController } from 'parley-actors';
 * startTaskletController();
 * spawn(main); // shuts down in order once main (every actor spawned at top level) has exited
 * ```
 * @throws RuntimeRunningError if the default runtime of an earlier call still runs; InvalidOptionError
 * for a bad option.
 */
export function startTaskletController(
  options: TaskletControllerOptions & Omit<RuntimeOptions, 'controller'> = {},
): Runtime {
  checkNoDefaultRuntime('startTaskletController');
  const { copyMessages, ...rest } = options;
  return setDefaultRuntime(
    new Runtime({
      ...rest,
      controller: new TaskletController(copyMessages === undefined ? {} : { copyMessages }),
    }),
  );
}

/**
 * PARLEY-style start-up on worker threads: creates the default runtime on a ThreadController. Nothing
 * else in the program changes. The runtime shuts down in order once the actors spawned at top level are
 * done, so the process exits by itself; SIGINT/SIGTERM shut it down in order too, as `runtime.run()` does.
 *
 * @example
 * ```ts
 * startThreadController({ threads: 4 });
 * spawn(main);
 * ```
 * @throws RuntimeRunningError if the default runtime of an earlier call still runs; InvalidOptionError
 * for a bad option.
 */
export function startThreadController(
  options: ThreadControllerOptions & Omit<RuntimeOptions, 'controller'> = {},
): Runtime {
  checkNoDefaultRuntime('startThreadController');
  const { threads, spinMicros, ...rest } = options;
  return setDefaultRuntime(
    new Runtime({
      ...rest,
      controller: new ThreadController({
        ...(threads === undefined ? {} : { threads }),
        ...(spinMicros === undefined ? {} : { spinMicros }),
      }),
    }),
  );
}

/** One default runtime at a time: a second start-up would silently orphan the first and its actors. */
function checkNoDefaultRuntime(fn: string): void {
  if (defaultRuntime !== undefined && !defaultRuntime.shuttingDown) {
    throw new RuntimeRunningError(
      `${fn}(): the default runtime made by an earlier start…Controller() call is still running; ` +
        'call one start…Controller() once at start-up, or await getDefaultRuntime().shutdown() before starting another',
    );
  }
}

/**
 * @internal Makes `rt` the default runtime: it shuts down in order when its top-level actors are done, when
 * the event loop runs dry, or on SIGINT/SIGTERM (then the signal ends the process; a second one forces the
 * exit), as `runtime.run()` does.
 */
export function setDefaultRuntime(rt: Runtime): Runtime {
  defaultRuntime = rt;
  rt.stopWhenTopLevelDone();
  rt.answerProcessEvents(() => {
    if (defaultRuntime === rt) defaultRuntime = undefined;
    void rt.shutdown();
  });
  return rt;
}

/**
 * The default runtime that a `start…Controller()` helper made, or undefined if there is none; e.g.
 * `await getDefaultRuntime()?.shutdown()` stops it early.
 */
export function getDefaultRuntime(): Runtime | undefined {
  return defaultRuntime;
}

function self(fn: string): Cell {
  const cell = currentCell();
  if (cell === undefined) throw new NoCurrentActorError(fn);
  if (cell.state === DEAD) {
    throw new ActorExitedError(cell.reason, cell.ref, `has exited and can no longer ${fn}()`);
  }
  return cell;
}

function runtimeFor(fn: string): Runtime {
  const cell = currentCell();
  if (cell !== undefined) return self(fn).runtime;
  if (defaultRuntime !== undefined) return defaultRuntime;
  throw new NoRuntimeError(
    `${fn}() at top level needs a default runtime: call startTaskletController() first, ` +
      'or use runtime.spawn()/runtime.run() of a Runtime you created',
  );
}

/** @internal The ref of an ActorLike, or an InvalidArgumentError naming the function. */
export function refOf(actor: ActorLike, fn: string): ActorRef {
  if (actor instanceof ActorRef) return actor;
  if (actor instanceof ProxyBase) return actor.ref;
  throw new InvalidArgumentError(
    `${fn}() needs an ActorProxy or an ActorRef (got ${describeType(actor)}); ` +
      oneActorAdvice(actor, 'pass what spawn() returned, its .ref, or a ref from a message'),
  );
}

/**
 * Starts an actor (a child of the current actor, if any) and returns its typed proxy at once; the actor
 * starts asynchronously. Inside an actor it uses that actor's runtime, at top level the default runtime.
 *
 * @example
 * ```ts
 * startTaskletController();
 * const counter = spawn(Counter, 10); // Counter's constructor takes (start: number)
 * console.log(await counter.incr(1)); // 11
 * ```
 * @throws NotAnActorError if `target` is not an Actor subclass, a function or a functionActor;
 * NoRuntimeError at top level before `startTaskletController()` / `startThreadController()`.
 * @function
 */
export const spawn: SpawnFn = ((target: SpawnTarget, ...args: unknown[]) =>
  (runtimeFor('spawn').spawn as (t: SpawnTarget, ...a: unknown[]) => ActorProxy)(target, ...args)) as SpawnFn;

/**
 * Starts an actor linked to the current one (atomically: it cannot die unlinked).
 *
 * @throws NoCurrentActorError outside an actor, and what {@link spawn} throws.
 * @function
 */
export const spawnLink: SpawnFn = ((target: SpawnTarget, ...args: unknown[]) => {
  const cell = self('spawnLink');
  return cell.runtime.spawnCell(target, args, cell, true).proxy;
}) as SpawnFn;

/** Starts an actor monitored by the current one; returns `[proxy, monitorRef]`. */
export function spawnMonitor<T extends SpawnTarget>(
  target: T,
  ...args: SpawnArgs<T>
): [ActorProxy<SpawnedOf<T>>, MonitorRef] {
  const cell = self('spawnMonitor');
  const { proxy } = cell.runtime.spawnCell(target, args, cell, false);
  return [proxy as any, cell.runtime.links.monitor(cell, proxy.ref)];
}

/**
 * `spawn` with placement options: `{ thread: 'own' }` gives the actor a worker thread of its own (for
 * blocking or CPU-heavy work, in both controllers; from the main thread only), `{ thread: 'local' }` keeps
 * it on this thread, `{ thread: n }` pins it to worker thread n; `{ link: true }` links it like spawnLink.
 * Any other option or value throws InvalidOptionError naming it, before anything starts.
 */
export function spawnWith<T extends SpawnTarget>(
  options: SpawnOptions,
  target: T,
  ...args: SpawnArgs<T>
): ActorProxy<SpawnedOf<T>> {
  return runtimeFor('spawnWith').spawnWith(options, target, ...args) as any;
}

/**
 * The current actor's ref.
 *
 * @throws NoCurrentActorError outside an actor (in an async class handler after an `await`, use
 * `this.self`).
 */
export function me(): ActorRef {
  const cell = currentCell();
  if (cell === undefined) throw new NoCurrentActorError('me');
  return cell.ref;
}

/**
 * Selective receive: resolves with the first queued message `filter` accepts (a predicate on the
 * message, or a tag), leaving the others queued in order. Rejects with ReceiveTimeoutError after
 * `timeout` ms. Rejects (never throws) with NoCurrentActorError outside an actor and InvalidArgumentError
 * or InvalidOptionError for a bad filter or options.
 *
 * @example
 * ```ts
 * async function pinger() {
 *   const [tag, sender, args] = await recv();            // the next message, whatever it is
 *   const [, , [n]] = await recv('pong', { timeout: 1000 }); // the first 'pong', skipping others
 *   const down = await recv((m) => m[0] === 'DOWN');      // by predicate
 * }
 * ```
 */
export function recv(filter?: string | ((msg: Message) => boolean), options?: RecvOptions): Promise<Message> {
  // recv is async: every mistake rejects (nothing throws synchronously).
  let cell: Cell;
  try {
    cell = self('recv');
    if (filter !== undefined && typeof filter !== 'string' && typeof filter !== 'function') badFilter(filter);
    if (options !== undefined) {
      checkOptionsObject(options, 'recv options', RECV_OPTIONS);
      if (options?.timeout !== undefined) checkTimeout(options.timeout, 'recv options.timeout');
    }
  } catch (err) {
    return Promise.reject(err);
  }
  return cell.receive(filter, options?.timeout);
}

const RECV_OPTIONS = ['timeout'];

function badFilter(filter: unknown): never {
  const hint =
    typeof filter === 'object' && filter !== null && 'timeout' in filter
      ? '; options come second: recv(undefined, { timeout })'
      : '';
  throw new InvalidArgumentError(
    `recv(filter, options): filter must be a tag (a string), a predicate function on the message, or ` +
      `undefined for any message (got ${describeType(filter)})${hint}`,
  );
}

/** Sends `[tag, me(), args, {}]` to `to` (the sender is null at top level). */
export function send(to: ActorLike, tag: string, ...args: unknown[]): void {
  const ref = refOf(to, 'send');
  checkTag(tag, 'send(to, tag, ...args)');
  const cell = currentCell();
  ref.sendWith(tag, cell === undefined ? null : self('send').ref, args, NO_KWARGS);
}

/**
 * Links the current actor and `to` (both ways): when either exits, the other gets the exit signal (and
 * exits too with the same reason, unless it traps exits or the reason is `'normal'`). A dead `to` delivers
 * `'noproc'`. Throws NoCurrentActorError outside an actor, InvalidArgumentError if `to` is not an actor.
 */
export function link(to: ActorLike): void {
  const cell = self('link');
  cell.runtime.links.link(cell, refOf(to, 'link'));
}

/** Removes the link between the current actor and `to`. */
export function unlink(to: ActorLike): void {
  const cell = self('unlink');
  cell.runtime.links.unlink(cell, refOf(to, 'unlink'));
}

/**
 * The current actor watches `to`; when it exits, `['DOWN', to, [reason, monitorRef], {}]` arrives (at once,
 * with `'noproc'`, if it is already dead). One-way, and never kills the watcher. Throws NoCurrentActorError
 * outside an actor.
 *
 * @example
 * ```ts
 * const mref = monitor(worker);
 * const [, , [reason]] = await recv((m) => m[0] === 'DOWN' && m[2][1] === mref);
 * ```
 */
export function monitor(to: ActorLike): MonitorRef {
  const cell = self('monitor');
  return cell.runtime.links.monitor(cell, refOf(to, 'monitor'));
}

/** Stops a monitor; `{ flush: true }` also drops its DOWN message if it already arrived. */
export function demonitor(monitorRef: MonitorRef, options?: { flush?: boolean }): boolean {
  const cell = self('demonitor');
  checkArgument(
    typeof monitorRef === 'number',
    'demonitor(monitorRef, options)',
    'monitorRef',
    'must be the monitor ref that monitor() or spawnMonitor() returned',
    monitorRef,
  );
  checkOptionsObject(options, 'demonitor options', ['flush']);
  const flush = options?.flush;
  checkOption(
    flush === undefined || typeof flush === 'boolean',
    'demonitor options.flush',
    'must be true or false',
    flush,
  );
  return cell.runtime.links.demonitor(cell, monitorRef, flush === true);
}

/**
 * Sends the exit signal `reason` to `to`: a trapping actor gets `['EXIT', me(), [reason], {}]`, another
 * exits with `reason` (`'normal'` is ignored, unless sent to itself); `'kill'` cannot be trapped.
 */
export function exit(to: ActorLike, reason: ExitReason): void {
  const ref = refOf(to, 'exit');
  checkArgument(
    reason !== undefined,
    'exit(to, reason)',
    'reason',
    "is required: 'normal', 'shutdown', 'kill', an Error or any value that says why",
    reason,
  );
  const cell = currentCell();
  // At top level the ref's own runtime sends it (the default runtime may not be the ref's).
  const rt = cell?.runtime ?? (ref[BOUND] instanceof Runtime ? ref[BOUND] : runtimeFor('exit'));
  rt.links.exitSignal(ref, cell === undefined ? rt.systemRef : cell.ref, reason, false);
}

/**
 * Turns exit trapping on (default) or off for the current actor; returns the previous setting. A trapping
 * actor gets exit signals as `['EXIT', from, [reason], {}]` messages instead of exiting (but `'kill'`
 * still kills it).
 */
export function trapExit(on = true): boolean {
  const cell = self('trapExit');
  checkArgument(typeof on === 'boolean', 'trapExit(on)', 'on', 'must be true or false', on);
  const was = cell.trapExit;
  cell.trapExit = on;
  return was;
}

/**
 * Registers `actor` (default: the current actor) under `name`; NameTakenError if it is taken. Every mistake
 * rejects (a bad name: InvalidArgumentError; not an actor: InvalidArgumentError too), none throws.
 */
export function register(name: string, actor?: ActorLike): Promise<void> {
  try {
    checkName(name, 'register(name, actor)');
    const rt = runtimeFor('register');
    return rt.register(
      name,
      actor === undefined ? self('register').ref : refToRegister(actor, 'register(name, actor)'),
    );
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Removes a registered name; resolves false if it was not registered. Every mistake rejects. */
export function unregister(name: string): Promise<boolean> {
  try {
    checkName(name, 'unregister(name)');
    return runtimeFor('unregister').unregister(name);
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * The actor registered under `name`, as a proxy typed after its class, or undefined:
 * `const room = await whereis('room', Room)`. Rejects with WrongActorClassError if the actor registered
 * under `name` is not a Room (nor a subclass). Every mistake rejects.
 */
export function whereis<C extends SpawnTarget>(
  name: string,
  cls: C,
): Promise<ActorProxy<SpawnedOf<C>> | undefined>;
/**
 * The actor registered under `name`, as an untyped proxy (`call`, `cast`, `send`), or undefined. `T` is
 * an unchecked cast: prefer `whereis(name, Class)`. Every mistake rejects.
 */
export function whereis<T = unknown>(name: string): Promise<ActorProxy<T> | undefined>;
export function whereis(name: string, cls?: SpawnTarget): Promise<ActorProxy | undefined> {
  try {
    checkName(name, 'whereis(name)');
    return runtimeFor('whereis').whereis(name, cls as SpawnTarget);
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * Sends `[tag, null, args, {}]` to `to` after `ms` milliseconds (0 to 2^31 − 1), Erlang's `send_after`, on
 * the runtime's clock (sinon's fake timers drive it). Returns a TimerRef: `cancel()` stops the timer while
 * it is pending and says whether it was. Called inside an actor, the timer is that actor's: it is cancelled
 * when the actor exits; at top level it is cancelled when the runtime shuts down. A dead `to` is no error
 * (the message is dropped, as any send to it). Throws InvalidArgumentError for a bad `ms`, `to` or `tag`,
 * NotCloneableError (copying placements) for args that cannot be copied — at the start, not when it fires.
 * For timers an actor keeps by name (replace, cancel, repeat), see `Actor.timers`.
 */
export function sendAfter(ms: number, to: ActorLike, tag: string, ...args: unknown[]): TimerRef {
  const fn = 'sendAfter(ms, to, tag, ...args)';
  const cell = currentCell();
  if (cell !== undefined) {
    const owner = self('sendAfter');
    return startTimer(owner.runtime, owner, ms, to, tag, args, fn);
  }
  return startTimer(runtimeOfActor(to, 'sendAfter'), undefined, ms, to, tag, args, fn);
}

/**
 * Resolves once `actor`'s start — its constructor and `onStart`, sync or async — has finished, wherever
 * it runs (OTP's `start_link` returns only then; `spawn` returns at once): `await started(spawn(Db, url))`.
 * Rejects with ActorExitedError (`reason`: why) if the actor exited before its start finished,
 * NoSuchActorError if it is not alive (it exited earlier, or never existed), CallTimeoutError past
 * `options.timeout` (default: the runtime's `callTimeout`); every mistake rejects too.
 */
export function started(actor: ActorLike, options?: StartedOptions): Promise<void> {
  try {
    const cell = currentCell();
    const rt = cell !== undefined ? self('started').runtime : runtimeOfActor(actor, 'started');
    return awaitStarted(rt, actor, options, 'started(actor, options)');
  } catch (err) {
    return Promise.reject(err);
  }
}

/** At top level: the runtime `actor`'s ref is bound to (else the default one); InvalidArgumentError for a non-actor. */
function runtimeOfActor(actor: unknown, fn: string): Runtime {
  const bound = refOf(actor as ActorLike, fn)[BOUND];
  return bound instanceof Runtime ? bound : runtimeFor(fn);
}

/**
 * A proxy that follows a registered name across restarts (Erlang's `{via, global, Name}`, Akka's
 * ActorSelection): `const room = named('room', Room); await room.post('hi')`. It has the class's methods,
 * typed, and `call`, `cast`, `send`. The name is looked up on first use and the holder cached while it lives;
 * after the holder exits (a supervised child restarting) the next use looks the name up again. A use while
 * no actor holds the name rejects with NameNotBoundError at once. Inside an actor it uses that actor's
 * runtime, at top level the default runtime; a name that is not a non-empty string throws InvalidArgumentError.
 */
export function named(name: string): NamedProxy;
/**
 * A named proxy typed after the actor class that holds the name: `named('room', Room).post('hi')`.
 * @typeParam C The actor's class: the proxy has its handlers as typed methods.
 */
export function named<C extends abstract new (...args: any[]) => Actor>(
  name: string,
  cls: C,
): NamedProxy<InstanceType<C>>;
/**
 * A named proxy of a `functionActor`: `named('double', double).invoke(2)`.
 * @typeParam F The function's type: it types the proxy's `invoke(...args)`.
 */
export function named<F extends (...args: any[]) => any>(
  name: string,
  fa: FunctionActor<F>,
): NamedProxy<FunctionActor<F>>;
export function named(name: string, cls?: unknown): NamedProxy<any> {
  return namedProxy(runtimeFor('named'), name, cls, 'named(name, cls?)') as NamedProxy<any>;
}

/**
 * Starts a pool (a router): `size` actors of one class, supervised (a crashed member is restarted) and spread
 * over the worker threads, behind one typed proxy whose methods spread calls over them —
 * `const p = await pool(PrimeCounter, { size: 4, strategy: 'least-busy' }); await p.count(0, 1e6)`.
 * `'round-robin'` (the default) takes the members in turn; `'least-busy'` the member with the fewest calls in
 * flight from this proxy. `p.broadcast(tag, ...args)` casts to every member, `p.stop()` stops them all.
 * Resolves once every member has started; rejects for bad input (NotAnActorError, InvalidArgumentError,
 * InvalidOptionError, NotImportableError) and with ChildStartError if a member fails to start.
 * @typeParam C The members' class: the proxy has its handlers as typed methods, `args` its constructor's.
 */
export function pool<C extends new (...args: any[]) => Actor>(
  cls: C,
  options: PoolOptions,
  ...args: ConstructorParameters<C>
): Promise<PoolProxy<InstanceType<C>>>;
/**
 * A pool of `functionActor`s: `(await pool(double, { size: 4 })).invoke(2)`.
 * @typeParam F The function's type: it types the proxy's `invoke(...args)`.
 */
export function pool<F extends (...args: any[]) => any>(
  fa: FunctionActor<F>,
  options: PoolOptions,
): Promise<PoolProxy<FunctionActor<F>>>;
export async function pool(
  target: unknown,
  options: PoolOptions,
  ...args: unknown[]
): Promise<PoolProxy<any>> {
  return (await startPool(runtimeFor('pool'), target, options, args)) as PoolProxy<any>;
}

// ---- clusters ----

/**
 * In a cluster: the names of the nodes up now, this node first (`[]` when the runtime is not in a cluster).
 * See README, "Clusters".
 */
export function nodes(): string[] {
  return runtimeFor('nodes').nodes();
}

/**
 * In a cluster: resolves once node `node` is up (at once if it is), so that `spawnWith({ node }, …)` can
 * place actors on it. Rejects with NoSuchNodeError after `options.timeout` ms (default 10000).
 */
export function connectNode(node: string, options?: { timeout?: number }): Promise<void> {
  return runtimeFor('connectNode').connectNode(node, options);
}

/**
 * Erlang's `monitor_node(Node, true)`: the current actor gets `['NODEDOWN', null, [node, 'noconnection'], {}]`
 * once, when node `node` goes down (dies, hangs past the heartbeat limit, is cut off, or leaves); at once if
 * it is not up. Outside a cluster it is never up.
 */
export function monitorNode(node: string): void {
  const cell = self('monitorNode');
  checkArgument(
    typeof node === 'string' && node !== '',
    'monitorNode(node)',
    'node',
    "must be a node's name",
    node,
  );
  void cell.runtime.router.request(0, { q: 'monitorNode', node, watcher: cell.ref, on: true });
}

/** Stops the current actor's node monitors of `node` (a NODEDOWN already queued stays queued). */
export function demonitorNode(node: string): void {
  const cell = self('demonitorNode');
  checkArgument(
    typeof node === 'string' && node !== '',
    'demonitorNode(node)',
    'node',
    "must be a node's name",
    node,
  );
  void cell.runtime.router.request(0, { q: 'monitorNode', node, watcher: cell.ref, on: false });
}
