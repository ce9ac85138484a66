import { getHeapStatistics } from 'node:v8';
import { type Actor, supervisorClass } from '../actors/actor.js';
import { Calls } from '../actors/calls.js';
import { type Cell, DEAD } from '../actors/cell.js';
import { CellTable } from '../actors/cell-table.js';
import { currentCell } from '../actors/context.js';
import { Deadlines } from '../actors/deadlines.js';
import { FunctionActor } from '../actors/function-actor.js';
import { type Descriptor, sleep, startUpSleeps } from '../actors/importable.js';
import { type ActorProxy, ProxyBase } from '../actors/proxy.js';
import { Scheduler } from '../actors/scheduler.js';
import { sendAfter, TimerGroup, type TimerRef } from '../actors/timers.js';
import type { Controller } from '../controllers/controller.js';
import type { Clock } from '../core/clock.js';
import {
  checkKnownOptions,
  checkOption,
  InvalidOptionError,
  NoSuchActorError,
  NoSuchNodeError,
  RuntimeStoppedError,
} from '../core/errors.js';
import { UNNAMED } from '../core/inspect.js';
import type { Logger } from '../core/logger.js';
import { type ExitReason, isCleanStop, type Kwargs, NO_KWARGS } from '../core/message.js';
import { ActorRef, type Address, CELL, type Delivery, ReplyRef } from '../core/ref.js';
import {
  checkArgs,
  checkArgument,
  checkKwargs,
  checkTag,
  checkTimeout,
  isPlainObject,
  timeoutProblem,
} from '../core/validate.js';
import { Recording } from '../record/recording.js';
import { ID_SPACE, Links } from '../router/links.js';
import { Router, type RouterHost } from '../router/router.js';
import type { AnswerOf, LiveCell, Request, Tables } from '../router/signal.js';
import { REMOTE_BASE } from '../router/transport.js';
import type { PoolOptions, PoolProxy } from '../routing/pool.js';
import type { Fabric } from '../threads/fabric.js';
import { answerRequest, awaitExit, liveCellsOf, tablesOfEveryThread } from './answers.js';
import { type ClusterNode, clusterStarter } from './cluster-hook.js';
import { type NamedProxy, namedProxy } from './named.js';
import { checkName, checkProxyClass, Registry, refToRegister } from './names.js';
import {
  checkSpawnOptions,
  type RuntimeOptions,
  resolveOptions,
  type SpawnArgs,
  type SpawnedOf,
  type SpawnFn,
  type SpawnOptions,
  type SpawnTarget,
  type ThreadRole,
} from './options.js';
import { describeTarget, proxyForTarget } from './placement.js';
import { poolStarter } from './pool-hook.js';
import { runMain } from './run.js';
import { Shutdown } from './shutdown.js';
import { join as joinProcessEvents, leave as leaveProcessEvents } from './signals.js';
import { adoptCell, releaseCell, spawnCell } from './spawn.js';
import { awaitStarted, type StartedOptions } from './started.js';

export type { LiveCell } from '../router/signal.js';
export type {
  RuntimeOptions,
  SpawnArgs,
  SpawnedOf,
  SpawnFn,
  SpawnOptions,
  SpawnTarget,
  ThreadRole,
} from './options.js';

/**
 * A runtime: the actors, names, timers and threads of one program. Create one with its options and start
 * actors with {@link Runtime.run | run} (a `main` function that the program awaits) or
 * {@link Runtime.spawn | spawn}; {@link Runtime.shutdown | shutdown} stops them all. The functional API
 * (`spawn`, `send`, `recv`…) acts for the runtime of the current actor, or at top level for the default
 * runtime that `startTaskletController()` / `startThreadController()` create.
 *
 * @example
 * ```ts
 * const runtime = new Runtime({ controller: new ThreadController({ threads: 4 }), callTimeout: 10_000 });
 * const total = await runtime.run(async () => {
 *   const adder = spawn(Adder);
 *   return adder.add(1, 2);
 * }); // 3; every actor is stopped when run() resolves
 * ```
 */
export class Runtime implements Delivery, RouterHost {
  /** Where this runtime's actors run (the `controller` option). */
  readonly controller: Controller;
  /** Where crashes nobody hears of, unhandled messages and supervisor reports go (the `logger` option). */
  readonly logger: Logger;
  /** The time source of every timeout and timer (the `clock` option). */
  readonly clock: Clock;
  /** This thread's number within the runtime (0: the main thread). */
  readonly thread: number;
  /** @internal */ readonly scheduler: Scheduler;
  /** @internal */ readonly deadlines: Deadlines;
  /** @internal */ readonly calls: Calls;
  /** @internal */ readonly registry: Registry;
  /** @internal Every signal of this thread passes here. */ readonly router: Router;
  /** @internal Links, monitors and exit signals. */ readonly links: Links;
  /** @internal The sender of signals that come from the runtime itself (shutdown). */
  readonly systemRef: ActorRef;
  /** @internal The other threads, once there are any. */
  get fabric(): Fabric | undefined {
    return this.router.connected as Fabric | undefined;
  }
  private readonly cells: CellTable;
  /** @internal The recording (JSON lines) of this thread's signals, spawns and exits, if any. */
  readonly recording: Recording;
  /** @internal The default call timeout (worker threads get it too). */ readonly callTimeout: number;
  private nextId = 1;
  private stopping: Promise<void> | undefined;
  /** Top-level actors still alive, when the runtime stops by itself once they are all done. */
  private autoStop: { alive: number } | undefined;
  /** @internal */ readonly stopper: Shutdown;
  /** A module's start-up re-run by a worker thread that imports it: it does nothing. */
  private readonly asleep: boolean;

  /**
   * @param options Where actors run, timeouts, recording, logger and clock; each is checked at once.
   * @param role Internal: set by Parley's worker threads. Leave it out.
   * @throws InvalidOptionError for an unknown option or a bad value (the message names it), a controller
   * already used by another Runtime, or a `record` path that cannot be opened.
   */
  constructor(options: RuntimeOptions = {}, role?: ThreadRole) {
    const { callTimeout, shutdownTimeout, logger, clock, controller, cluster } = resolveOptions(options);
    this.thread = role?.thread ?? 0;
    this.cells = new CellTable(this.thread * ID_SPACE);
    this.callTimeout = callTimeout;
    this.logger = logger;
    this.clock = clock;
    this.controller = controller;
    this.router = new Router(this, this.thread, controller.copiesMessages);
    this.links = new Links(this.router);
    // A module's start-up re-run by a worker thread that imports it sleeps: no threads, no recording.
    const asleep = role === undefined && startUpSleeps();
    this.asleep = asleep;
    this.recording = new Recording(
      asleep ? undefined : options.record,
      this.thread,
      clock,
      this.router,
      logger,
    );
    this.deadlines = new Deadlines(clock);
    this.calls = new Calls(this.deadlines);
    this.scheduler = new Scheduler(
      (err) => this.logger.error(`internal scheduler error: ${err}`, { error: err }),
      role?.onIdle,
    );
    this.onEmpty = role?.onEmpty;
    this.registry = new Registry(this);
    this.systemRef = new ActorRef(0, 0, 'runtime', this);
    this.stopper = new Shutdown(this, shutdownTimeout);
    if (role !== undefined) role.attachFabric(this);
    else if (asleep) sleep(this);
    else {
      controller.attach(this);
      if (cluster !== undefined) {
        const start = clusterStarter.start;
        if (start === undefined) throw new Error('internal: the cluster module is not loaded');
        this.cluster = start(this, cluster);
        const c = this.cluster;
        this.placeText = (place) => c.placeText(place);
        this.router.connectRemote(this.cluster);
        this.joining = this.cluster.join();
        // Seen by run() and connectNode(); a failure to connect is logged now too.
        this.joining.catch((err) => {
          if (this.stopping !== undefined) return; // shut down before it joined: nothing to report
          this.logger.error(
            `cluster ${cluster.name}: node ${cluster.node} could not join through ${cluster.servers.join(', ')}: ` +
              `${err instanceof Error ? err.message : String(err)}; check that nats-server runs there (with -js ` +
              'for cluster-wide names) and the NATS credentials (cluster.user/pass, token, tls, authenticator)',
            { error: err },
          );
        });
      }
    }
  }

  /** @internal How places print: in a cluster, another node's place is its node's name. */
  placeText: ((place: number) => string) | undefined = undefined;

  /** @internal This node's cluster membership (the `cluster` option), on the main thread. */
  cluster: ClusterNode | undefined;
  /** @internal Resolves once the cluster connection is up. */
  private joining: Promise<void> | undefined;

  /**
   * In a cluster: resolves once node `node` is up (at once if it is), so actors can be spawned on it;
   * rejects with NoSuchNodeError after `options.timeout` ms (default 10000), and with InvalidOptionError
   * when this runtime is not in a cluster (see README, "Clusters").
   */
  async connectNode(node: string, options: { timeout?: number } = {}): Promise<void> {
    checkArgument(
      typeof node === 'string' && node !== '',
      'connectNode(node, options)',
      'node',
      "must be a node's name, such as 'web-2'",
      node,
    );
    checkOption(
      typeof options === 'object' && options !== null && !Array.isArray(options),
      'connectNode options',
      'must be an object such as { timeout: 5000 }',
      options,
    );
    checkKnownOptions(options, 'connectNode options', ['timeout']);
    const timeout = options.timeout ?? 10_000;
    checkTimeout(timeout, 'connectNode options.timeout');
    const c = this.cluster;
    if (c === undefined || c.node === '') {
      throw new InvalidOptionError(
        `connectNode('${node}'): this runtime is not in a cluster; give it the cluster option ` +
          '({ cluster: { servers, name, node, secret } })',
      );
    }
    await this.joining;
    if (this.stopping !== undefined)
      throw new RuntimeStoppedError(`connectNode('${node}'): the runtime is shutting down`);
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    let stop: (() => void) | undefined;
    try {
      await Promise.race([
        c.whenUp(node),
        new Promise<never>((_, reject) => {
          timer = this.clock.setTimeout(
            () => reject(new NoSuchNodeError(node, c.nodes(), `did not come up within ${timeout} ms`)),
            timeout,
          );
          // Shutdown ends the wait (no timer outlives the runtime).
          stop = () => reject(new RuntimeStoppedError(`connectNode('${node}'): the runtime has shut down`));
          this.waits.add(stop);
        }),
      ]);
    } finally {
      if (timer !== undefined) this.clock.clearTimeout(timer);
      if (stop !== undefined) this.waits.delete(stop);
    }
  }

  /** @internal Resolves once the cluster connection is up (or failed; at once without a cluster). */
  whenJoined(): Promise<void> | undefined {
    return this.joining?.catch(() => undefined);
  }

  /** Waits that shutdown ends (connectNode). */
  private readonly waits = new Set<() => void>();

  /** In a cluster: the names of the nodes up now, this one first (`[]` without a cluster). */
  nodes(): string[] {
    return this.cluster?.nodes() ?? [];
  }

  /** This runtime's node name in its cluster (undefined without one). */
  get node(): string | undefined {
    return this.cluster?.node;
  }

  /**
   * Starts an actor and returns its proxy. A class gets `args` in its constructor, a function as its
   * parameters. Called from inside an actor, the new actor's parent is that actor.
   */
  readonly spawn: SpawnFn = ((target: SpawnTarget, ...args: unknown[]) =>
    this.spawnWith({}, target, ...args)) as SpawnFn;

  /** `spawn` with placement options: `runtime.spawnWith({ thread: 'own' }, Cruncher, data)`. */
  spawnWith<T extends SpawnTarget>(
    options: SpawnOptions,
    target: T,
    ...args: SpawnArgs<T>
  ): ActorProxy<SpawnedOf<T>> {
    checkSpawnOptions(options);
    const parent = currentCell();
    const mine = parent?.runtime === this ? parent : undefined;
    if (options.link === true && mine === undefined) {
      throw new InvalidOptionError(
        'spawnWith options.link: true links the new actor to the current actor, and there is none here ' +
          '(called outside an actor of this runtime); drop link, or spawn from inside an actor',
      );
    }
    const spawned = this.spawnCell(target, args, mine, options.link === true, options);
    if (mine === undefined && this.autoStop !== undefined) this.watchTopLevel(spawned.proxy.ref);
    return spawned.proxy as ActorProxy<SpawnedOf<T>>;
  }

  /**
   * Runs `main` as an actor, resolves with its return value (rejects with its crash reason) once it
   * exits, after stopping every other actor. SIGINT/SIGTERM meanwhile trigger the same orderly shutdown.
   */
  async run<A extends unknown[], R>(main: (...args: A) => R, ...args: A): Promise<Awaited<R>> {
    if (this.joining !== undefined) await this.joining;
    const { cell } = this.spawnCell(main, args, undefined, false, { thread: 'local' });
    return runMain(this, cell!) as Promise<Awaited<R>>;
  }

  /** @internal Whether shutdown() has begun. */
  get shuttingDown(): boolean {
    return this.stopping !== undefined;
  }

  /**
   * Stops every actor: top-level actors (and so whole supervision trees) in reverse start order, each
   * with exit reason `'shutdown'` (killed if it takes longer than `shutdownTimeout`), then releases every
   * timer, the recording file and the controller (its threads). Idempotent; resolves when nothing is left.
   */
  shutdown(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  /**
   * Looks up a registered name: a proxy, or undefined. With the actor's class, `whereis('room', Room)`,
   * the proxy is typed after it, and the lookup rejects with WrongActorClassError if the actor registered
   * under `name` is not a Room (see README, "Names").
   */
  whereis<C extends SpawnTarget>(name: string, cls: C): Promise<ActorProxy<SpawnedOf<C>> | undefined>;
  /** Looks up a registered name: an untyped proxy (call, cast, send), or undefined. `T` is an unchecked cast. */
  whereis<T = unknown>(name: string): Promise<ActorProxy<T> | undefined>;
  async whereis(name: string, cls?: SpawnTarget): Promise<ProxyBase | undefined> {
    checkName(name, 'whereis(name)');
    if (cls !== undefined) checkProxyClass(cls, 'whereis(name, cls)', true);
    const found = await this.registry.whereis(name);
    if (found === undefined) return undefined;
    if (cls !== undefined) return this.registry.proxyAs(name, found, cls);
    return (await this.registry.proxyFor(found)) as ProxyBase;
  }

  /**
   * Registers `actor` under `name` (unique in this runtime; released when the actor exits). Rejects with
   * NameTakenError if another live actor holds it, InvalidArgumentError for a bad name or actor.
   */
  async register(name: string, actor: ActorRef | ProxyBase): Promise<void> {
    checkName(name, 'register(name, actor)');
    await this.registry.register(name, refToRegister(actor, 'register(name, actor)'));
  }

  /** Removes a name; resolves false if it was not registered. */
  async unregister(name: string): Promise<boolean> {
    checkName(name, 'unregister(name)');
    return this.registry.unregister(name);
  }

  /**
   * A proxy that follows a registered name across restarts: `runtime.named('room', Room).post('hi')`. See
   * `named()` in the functional API.
   */
  named(name: string): NamedProxy;
  /**
   * A named proxy typed after the actor class that holds the name: `runtime.named('room', Room).post('hi')`.
   * @typeParam C The actor's class: the proxy has its handlers as typed methods.
   */
  named<C extends abstract new (...args: any[]) => Actor>(name: string, cls: C): NamedProxy<InstanceType<C>>;
  /**
   * A named proxy of a `functionActor`: `runtime.named('double', double).invoke(2)`.
   * @typeParam F The function's type: it types the proxy's `invoke(...args)`.
   */
  named<F extends (...args: any[]) => any>(name: string, fa: FunctionActor<F>): NamedProxy<FunctionActor<F>>;
  named(name: string, cls?: unknown): NamedProxy<any> {
    return namedProxy(this, name, cls, 'named(name, cls?)') as NamedProxy<any>;
  }

  /**
   * Starts a pool of `options.size` actors of one class, supervised and spread over the worker threads,
   * behind one typed proxy that spreads calls over them: `await runtime.pool(Counter, { size: 4 })`. See
   * `pool()` in the functional API.
   * @typeParam C The members' class: the proxy has its handlers as typed methods, `args` its constructor's.
   */
  pool<C extends new (...args: any[]) => Actor>(
    cls: C,
    options: PoolOptions,
    ...args: ConstructorParameters<C>
  ): Promise<PoolProxy<InstanceType<C>>>;
  /**
   * A pool of `functionActor`s: `(await runtime.pool(double, { size: 4 })).invoke(2)`.
   * @typeParam F The function's type: it types the proxy's `invoke(...args)`.
   */
  pool<F extends (...args: any[]) => any>(
    fa: FunctionActor<F>,
    options: PoolOptions,
  ): Promise<PoolProxy<FunctionActor<F>>>;
  pool(target: unknown, options: PoolOptions, ...args: unknown[]): Promise<PoolProxy<any>> {
    const start = poolStarter.start;
    if (start === undefined) return Promise.reject(new Error('internal: the pool module is not loaded'));
    return start(this, target, options as never, args) as Promise<PoolProxy<any>>;
  }

  /**
   * A proxy for a ref (e.g. one received in a message). Pass the actor's class for typed method calls
   * when it may run on another thread: `runtime.proxy(ref, Worker).getLabel()`; without it, the proxy of
   * an actor on another thread has `call`, `cast` and `send` only.
   */
  proxy<T = unknown>(ref: ActorRef, cls?: T): ActorProxy<T extends new (...a: any[]) => infer I ? I : T> {
    checkProxyArgs(ref, cls);
    const cell = this.cellOf(ref);
    if (cell !== undefined) return this.proxyOf(cell) as any;
    return (cls === undefined ? new ProxyBase(ref) : this.proxyForTarget(ref, cls)) as any;
  }

  /**
   * Sends `[tag, null, args, {}]` to `to` after `ms` (0 to 2^31 − 1) on this runtime's clock (Erlang's
   * `send_after`); returns a TimerRef whose `cancel()` stops it while it is pending. Started inside an actor,
   * the timer is that actor's and is cancelled when it exits; otherwise it is cancelled at shutdown. A dead
   * `to` is no error (the message is dropped, as any send to it). Throws InvalidArgumentError for a bad `ms`,
   * `to` or `tag`, NotCloneableError (copying placements) for args that cannot be copied.
   */
  sendAfter(ms: number, to: ActorRef | ProxyBase, tag: string, ...args: unknown[]): TimerRef {
    const cell = currentCell();
    return sendAfter(
      this,
      cell?.runtime === this ? cell : undefined,
      ms,
      to,
      tag,
      args,
      'runtime.sendAfter(ms, to, tag, ...args)',
    );
  }

  /**
   * Resolves once `actor`'s start (constructor and `onStart`, sync or async) has finished, wherever it runs.
   * Rejects with ActorExitedError (its `reason`) if it exited before, NoSuchActorError if it is not alive
   * (exited long ago, or never existed), CallTimeoutError past `options.timeout` (default: `callTimeout`).
   */
  started(actor: ActorRef | ProxyBase, options?: StartedOptions): Promise<void> {
    return awaitStarted(this, actor, options, 'runtime.started(actor, options)');
  }

  /** @internal The timers started outside any actor (cancelled at shutdown). */
  timerGroup(): TimerGroup {
    return (this.timers ??= new TimerGroup(this, undefined));
  }
  private timers: TimerGroup | undefined;

  /** A text view of every live supervision tree (supervisors, children, states, restart counts). */
  tree(): Promise<string> {
    // No supervisor class loaded means no supervisor runs: nothing to show.
    return supervisorClass.renderTrees?.(this) ?? Promise.resolve('');
  }

  /** @internal The worker threads alive now (for benchmarks and tests that pin actors). */
  fabricThreads(): number[] {
    return this.fabric?.live ?? [];
  }

  /**
   * @internal Signals sent from one thread of this runtime to another so far (all threads together;
   * 0 on one thread). The conformance suite uses it to prove that a thread leg crossed threads.
   */
  crossings(): number {
    return this.fabric === undefined ? 0 : Atomics.load(this.fabric.crossings, 0);
  }

  /**
   * Counts of what is live on this thread: `actors`, pending `calls`, armed `deadlines` (call and receive
   * timeouts) and registered `names`.
   */
  stats(): { actors: number; calls: number; deadlines: number; names: number } {
    return {
      actors: this.cells.size,
      calls: this.calls.size,
      deadlines: this.deadlines.size,
      names: this.registry.size,
    };
  }

  /**
   * @internal Everything this thread's tables hold (stats, link and monitor entries, what the thread
   * transport holds): leak tests and the churn soak check it returns to a baseline. `heap`: also the heap
   * in use after a GC (forced when the process runs with --expose-gc).
   */
  tables(heap = false): Tables {
    const t: Tables = {
      place: this.thread,
      ...this.stats(),
      nameIds: this.registry.ids,
      emptyChunks: this.cells.emptyChunks,
      ...this.links.count(this.cells.values()),
      ...(this.fabric?.tables() ?? NO_TRANSPORT),
    };
    if (heap) t.heapUsed = heapAfterGc();
    return t;
  }

  /** @internal `tables()` of every thread of this runtime (asked of each; see tablesOfEveryThread). */
  everyThreadTables(heap = false): Promise<Tables[]> {
    return tablesOfEveryThread(this, heap);
  }

  // ---- internal: the delivery path ----

  /** @internal A message: through the router (recorded, copied or carried to its place, applied). */
  deliver(to: ActorRef, tag: string, sender: Address | null, args: unknown[], kwargs: Kwargs): void {
    this.router.message(to, tag, sender, args, kwargs);
  }

  /** @internal A reply to a call: completes the pending call, or is dropped if it is late. */
  deliverReply(to: ReplyRef, tag: string, sender: Address | null, args: unknown[], kwargs: Kwargs): void {
    this.router.reply(to, tag, sender, args, kwargs);
  }

  /** @internal A call: `[tag, replyRef, args, kwargs]` to `to`, answered through the pending-call table. */
  call(
    to: ActorRef,
    tag: string,
    args: unknown[],
    kwargs: Kwargs,
    timeout: number | undefined,
  ): Promise<any> {
    // Every call path passes here: the caller's mistakes are refused before anything is sent (cheap checks).
    if (
      typeof tag !== 'string' ||
      !Array.isArray(args) ||
      (kwargs !== NO_KWARGS && !isPlainObject(kwargs)) ||
      (timeout !== undefined && timeoutProblem(timeout) !== undefined)
    ) {
      return badCall(tag, args, kwargs, timeout);
    }
    const cell = this.cellOf(to);
    const remote = to.thread !== this.thread && (this.fabric !== undefined || to.thread >= REMOTE_BASE);
    if (!remote && (cell === undefined || cell.state === DEAD) && !this.fabric?.isFuture(to.id)) {
      return Promise.reject(new NoSuchActorError(to));
    }
    const [id, promise] = this.calls.open(to, cell, tag, timeout ?? this.callTimeout);
    const caller = currentCell();
    try {
      this.deliver(
        to,
        tag,
        new ReplyRef(caller === undefined ? 0 : caller.id, this.thread, id, this),
        args,
        kwargs,
      );
    } catch (err) {
      this.calls.abandon(id);
      throw err;
    }
    return promise;
  }

  /** @internal RouterHost: binds a copied ref to this thread. */
  revive(ref: ActorRef): ActorRef {
    return this.bindRef(ref.id, ref.thread, ref.name, ref instanceof ReplyRef ? ref.callId : undefined);
  }

  /** @internal A ref bound to this thread (with its cell if the actor lives here); a reply ref with `callId`. */
  bindRef(id: number, thread: number, name: string, callId?: number): ActorRef {
    if (callId !== undefined) return new ReplyRef(id, thread, callId, this);
    return new ActorRef(id, thread, name, this, thread === this.thread ? this.cells.get(id) : undefined);
  }

  /** @internal RouterHost */
  cellById(id: number): Cell | undefined {
    return this.cells.get(id);
  }

  /** @internal RouterHost */
  complete(callId: number, tag: string, args: unknown[]): boolean {
    return this.calls.complete(callId, tag, args);
  }

  /** @internal Supervisor reports appear in the recording as `ev: 'report'`. */
  recordReport(fields: Record<string, unknown>): void {
    this.recording.write({ ev: 'report', from: fields.supervisor, ...fields });
  }

  /** @internal Called when the last actor of this thread is gone (a dedicated thread then retires). */
  readonly onEmpty: (() => void) | undefined;

  // ---- internal: actors ----

  /** @internal The live cell of `ref` on this thread, if any. */
  cellOf(ref: ActorRef): Cell | undefined {
    const cell = ref[CELL];
    if (cell !== undefined) return cell.state === DEAD ? undefined : cell;
    return ref.thread === this.thread ? this.cells.get(ref.id) : undefined;
  }

  /** @internal The cell with this id on this thread (alive or exiting), if any. */
  localCell(id: number): Cell | undefined {
    return this.cells.get(id);
  }

  /** @internal A ref to an actor of this thread. */
  localRef(id: number, cell: Cell | undefined): ActorRef {
    return cell?.ref ?? new ActorRef(id, this.thread, UNNAMED, this);
  }

  /** @internal Starts an actor here or on another thread; its cell if it is here, and its proxy. */
  spawnCell(
    target: SpawnTarget,
    args: unknown[],
    parent: Cell | undefined,
    link: boolean,
    options: SpawnOptions = {},
  ): { cell: Cell | undefined; proxy: ProxyBase } {
    if (this.stopping !== undefined) {
      throw new RuntimeStoppedError('cannot spawn: the runtime is shutting down; create a new Runtime');
    }
    return spawnCell(this, this.thread * ID_SPACE + this.nextId++, target, args, parent, link, options);
  }

  /** @internal Creates a cell on this thread (spawned here, or by another thread). */
  adopt(
    id: number,
    name: string,
    target: unknown,
    args: unknown[],
    parent: ActorRef | undefined,
    link: boolean,
    born?: number,
  ): Cell {
    if (this.stopping !== undefined) {
      // Spawned here by another node while this one shuts down: it fails its start (the spawner's
      // links, monitors and started() learn why), and nothing is left behind.
      target = undefined;
      args = [new RuntimeStoppedError(`cannot start ${name}: node ${this.node ?? ''} is shutting down`)];
    }
    const cell = adoptCell(this, id, name, target, args, parent, link, born);
    this.cells.set(id, cell);
    this.scheduler.push(cell);
    return cell;
  }

  /** @internal A new proxy for a live cell. */
  proxyOf(cell: Cell): ProxyBase {
    return this.proxyForTarget(cell.ref, cell.target);
  }

  /** @internal A proxy for `ref` typed after `target` (its class or functionActor). */
  proxyForTarget(ref: ActorRef, target: unknown): ProxyBase {
    return proxyForTarget(ref, target);
  }

  /** @internal How another thread can import this cell's class (for typed proxies from whereis). */
  describeTarget(cell: Cell): Descriptor | undefined {
    return describeTarget(cell.target);
  }

  /** @internal Called as a cell dies, before its exit signals: names, callers, bookkeeping, reports. */
  released(cell: Cell, reason: ExitReason, crashTag: string | undefined): void {
    releaseCell(this, cell, reason, crashTag);
    this.cells.delete(cell.id);
    if (this.cells.size === 0) this.onEmpty?.();
  }

  /** @internal RouterHost: a thread was lost: its actors are gone with 'noconnection' for everyone here. */
  lost(thread: number): void {
    this.links.placeLost([...this.cells.values()], thread);
    this.calls.threadLost(thread);
    this.registry.dropThread(thread);
  }

  /** @internal RouterHost: answers a control request from a thread (this one included). */
  async answer<R extends Request>(r: R): Promise<AnswerOf<R>> {
    return (await answerRequest(this, r)) as AnswerOf<R>;
  }

  /** @internal Live actors of this thread, for a distributed shutdown and the tree view. */
  liveCells(): LiveCell[] {
    return liveCellsOf(this.cells.values());
  }

  /** @internal The runtime made by start…Controller() stops by itself once its top-level actors are done. */
  stopWhenTopLevelDone(): void {
    this.autoStop = { alive: 0 };
  }

  /**
   * A top-level actor of the default runtime: once all are done the runtime shuts down, and one that
   * ended abnormally (any reason but 'normal', 'shutdown' or `{ shutdown: … }`: `isCleanStop`) makes the
   * process exit with status 1, unless the program has set `process.exitCode` itself.
   */
  private watchTopLevel(ref: ActorRef): void {
    const count = this.autoStop!;
    count.alive++;
    void awaitExit(this, ref).then((reason) => {
      if (reason !== undefined && !isCleanStop(reason) && process.exitCode === undefined) {
        process.exitCode = 1;
      }
      if (--count.alive === 0) void this.shutdown();
    });
  }

  /**
   * @internal Until it has shut down, this runtime answers SIGINT and SIGTERM (an orderly shutdown, then
   * the signal ends the process; a second one forces the exit) and calls `idle` when the event loop runs
   * dry (signals.ts). For `run()` and the default runtime of the start…Controller() helpers.
   */
  answerProcessEvents(idle?: () => void): void {
    if (this.asleep || this.thread !== 0 || this.stopping !== undefined) return;
    joinProcessEvents(this, idle);
  }

  private async stopAll(): Promise<void> {
    try {
      this.timers?.close(); // no timer sends into a runtime that is stopping
      for (const stop of this.waits) stop();
      this.waits.clear();
      await this.stopper.stopAll();
      await this.cluster?.leave();
      this.timers?.close();
      this.deadlines.close();
      this.scheduler.close();
      this.recording.close();
      this.registry.clear();
      await this.controller.close();
      this.fabric?.close();
    } finally {
      // Last: if a signal started this shutdown and this was the last runtime, the process ends here.
      leaveProcessEvents(this);
    }
  }
}

/** The rejection of a call the caller got wrong: InvalidArgumentError, or InvalidOptionError for the timeout. */
function badCall(tag: unknown, args: unknown, kwargs: unknown, timeout: unknown): Promise<never> {
  const fn = 'proxy.call(tag, args, kwargs, options)';
  try {
    checkTag(tag, fn);
    checkArgs(args, fn);
    checkKwargs(kwargs, fn);
    checkTimeout(timeout, 'call options.timeout');
  } catch (err) {
    return Promise.reject(err);
  }
  return Promise.reject(new Error('internal: badCall found nothing wrong'));
}

/** runtime.proxy's arguments: an ActorRef (a proxy's ref too), and for `cls` an actor class or functionActor. */
function checkProxyArgs(ref: unknown, cls: unknown): void {
  checkArgument(
    ref instanceof ActorRef,
    'runtime.proxy(ref, cls?)',
    'ref',
    'must be an ActorRef (from a message, whichChildren() or proxy.ref); spawn() and whereis() give proxies already',
    ref,
  );
  checkArgument(
    cls === undefined || typeof cls === 'function' || cls instanceof FunctionActor,
    'runtime.proxy(ref, cls?)',
    'cls',
    "must be the actor's class or functionActor, to type the proxy, or left out",
    cls,
  );
}

const NO_TRANSPORT = { requests: 0, held: 0, backlog: 0, early: 0, overtaken: 0, diedAhead: 0 } as const;

/** This thread's heap in use, after a full GC when `gc` is exposed (node --expose-gc; workers have it too). */
function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === 'function') gc();
  return getHeapStatistics().used_heap_size;
}
