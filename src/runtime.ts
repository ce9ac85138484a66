/**
 * `Runtime`: owns everything an actor system needs (cells, registry, controller, scheduler, deadlines,
 * recorder, logger, clock); there are no module-level singletons but the default runtime that the
 * `start…Controller()` helpers set. Every message goes through one function, `deliver`, which is where
 * copying (thread semantics) and recording hang.
 */
import { Actor } from './actor.js';
import { Calls } from './calls.js';
import { Cell, DEAD } from './cell.js';
import { type Clock, systemClock } from './clock.js';
import { copyMessage } from './clone.js';
import { currentCell } from './context.js';
import type { Controller } from './controllers/controller.js';
import { TaskletController } from './controllers/tasklet.js';
import { Deadlines } from './deadlines.js';
import {
  ActorExitedError,
  checkOption,
  NoSuchActorError,
  NotAnActorError,
  RuntimeStoppedError,
} from './errors.js';
import { FunctionActor } from './function-actor.js';
import { classInfo } from './handles.js';
import { consoleLogger, type Logger } from './logger.js';
import { type ExitReason, isCleanStop, type Kwargs, type Message } from './message.js';
import { type ActorProxy, FunctionActorProxy, ProxyBase, proxyClassFor } from './proxy.js';
import { Recorder, type RecordOption } from './record/recorder.js';
import { ActorRef, CELL, type Delivery, ReplyRef } from './ref.js';
import { Registry } from './registry.js';
import { Scheduler } from './scheduler.js';
import { Signals } from './signals.js';
import { supervisorClass } from './supervisor-spec.js';

/** Options of `new Runtime(...)`. */
export interface RuntimeOptions {
  /** Where actors run (default: `new TaskletController()`). */
  controller?: Controller;
  /** Default call timeout in ms (default 5000). */
  callTimeout?: number;
  /** How long shutdown waits for each actor to stop before killing it, in ms (default 5000). */
  shutdownTimeout?: number;
  /** Record every send, spawn and exit as JSON lines: `'stdout'`, a file path, or `{ to, filter }`. */
  record?: RecordOption;
  /** Where crashes nobody is linked to, unhandled messages and supervisor reports go (default: stderr). */
  logger?: Logger;
  /** Time source for timeouts (default: the system clock; tests pass sinon's fake timers' globals). */
  clock?: Clock;
}

/** What can be spawned: an Actor subclass, a function (run as a receive loop), or a functionActor. */
export type SpawnTarget =
  | (new (
      ...args: any[]
    ) => Actor)
  | ((...args: any[]) => unknown)
  | FunctionActor<any>;

/** The typed signature shared by `runtime.spawn` and the functional `spawn`. */
export interface SpawnFn {
  <T extends Actor, A extends unknown[]>(cls: new (...args: A) => T, ...args: A): ActorProxy<T>;
  <F extends (...args: any[]) => unknown>(actor: FunctionActor<F>): ActorProxy<FunctionActor<F>>;
  <A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): ActorProxy<(...args: A) => unknown>;
}

const KNOWN_OPTIONS = new Set(['controller', 'callTimeout', 'shutdownTimeout', 'record', 'logger', 'clock']);

export class Runtime implements Delivery {
  readonly controller: Controller;
  readonly logger: Logger;
  readonly clock: Clock;
  /** This thread's number within the runtime (0: the main thread). */
  readonly thread = 0;
  /** @internal */ readonly scheduler: Scheduler;
  /** @internal */ readonly deadlines: Deadlines;
  /** @internal */ readonly calls: Calls;
  /** @internal */ readonly registry = new Registry();
  /** @internal Links, monitors and exit signals. */ readonly signals: Signals;
  /** @internal The sender of signals that come from the runtime itself (shutdown). */
  readonly systemRef: ActorRef;
  private readonly cells = new Map<number, Cell>();
  private readonly recorder: Recorder | undefined;
  private readonly copy: boolean;
  private readonly callTimeout: number;
  private readonly shutdownTimeout: number;
  private readonly t0: number;
  private nextId = 1;
  private stopping: Promise<void> | undefined;
  private signalled: NodeJS.Signals | undefined;
  private readonly reviveFn = (ref: ActorRef) => this.revive(ref);

  constructor(options: RuntimeOptions = {}) {
    checkOption(
      typeof options === 'object' && options !== null,
      'Runtime options',
      'must be an object',
      options,
    );
    for (const key of Object.keys(options)) {
      checkOption(
        KNOWN_OPTIONS.has(key),
        `options.${key}`,
        `is not a Runtime option (known: ${[...KNOWN_OPTIONS].join(', ')})`,
        key,
      );
    }
    const { callTimeout = 5000, shutdownTimeout = 5000 } = options;
    checkOption(
      Number.isFinite(callTimeout) && callTimeout > 0,
      'options.callTimeout',
      'must be a positive number of ms',
      callTimeout,
    );
    checkOption(
      Number.isFinite(shutdownTimeout) && shutdownTimeout >= 0,
      'options.shutdownTimeout',
      'must be a non-negative number of ms',
      shutdownTimeout,
    );
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
    const controller = options.controller ?? new TaskletController();
    checkOption(
      typeof controller?.attach === 'function',
      'options.controller',
      'must be a TaskletController or ThreadController',
      controller,
    );
    this.callTimeout = callTimeout;
    this.shutdownTimeout = shutdownTimeout;
    this.logger = logger;
    this.clock = clock;
    this.controller = controller;
    this.copy = controller.copiesMessages;
    this.recorder = options.record === undefined ? undefined : new Recorder(options.record);
    this.deadlines = new Deadlines(clock);
    this.calls = new Calls(this.deadlines);
    this.scheduler = new Scheduler((err) =>
      this.logger.error(`internal scheduler error: ${err}`, { error: err }),
    );
    this.signals = new Signals(this);
    this.systemRef = new ActorRef(0, this.thread, 'runtime', this);
    this.t0 = clock.now();
    controller.attach(this);
  }

  /**
   * Starts an actor and returns its proxy. A class gets `args` in its constructor, a function as its
   * parameters. Called from inside an actor, the new actor's parent is that actor.
   */
  readonly spawn: SpawnFn = ((target: SpawnTarget, ...args: unknown[]) => {
    const parent = currentCell();
    return this.spawnCell(target, args, parent?.runtime === this ? parent : undefined, false).proxy;
  }) as SpawnFn;

  /**
   * Runs `main` as an actor, resolves with its return value (rejects with its crash reason) once it
   * exits, after stopping every other actor. SIGINT/SIGTERM meanwhile trigger the same orderly shutdown.
   */
  async run<A extends unknown[], R>(main: (...args: A) => R, ...args: A): Promise<Awaited<R>> {
    const { cell } = this.spawnCell(main, args, undefined, false);
    cell.observed = true;
    const onSignal = (sig: NodeJS.Signals) => {
      this.signalled = sig;
      void this.shutdown();
    };
    // The event loop ran dry while main still waits: no message can ever arrive (a deadlock). Say so,
    // and shut down in order, instead of letting Node exit silently with an unsettled promise.
    const onIdle = () => {
      if (cell.state === DEAD) return;
      this.logger.warn(
        `${cell.ref} (main) is still waiting but nothing is left that could wake it (no actor can run, ` +
          'no timer or I/O is pending): shutting down',
        { actor: cell.ref },
      );
      void this.shutdown();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('beforeExit', onIdle);
    try {
      await cell.exited();
      await this.shutdown();
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('beforeExit', onIdle);
    }
    if (this.signalled !== undefined) {
      // Stopped by a signal: everything is shut down; now let the signal end the process as it would have.
      process.kill(process.pid, this.signalled);
      return new Promise<never>(() => {});
    }
    if (cell.reason === 'normal') return cell.result as Awaited<R>;
    throw cell.reason instanceof Error ? cell.reason : new ActorExitedError(cell.reason, cell.ref, 'exited');
  }

  /**
   * Stops every actor: top-level actors (and so whole supervision trees) in reverse start order, each
   * with exit reason `'shutdown'` (killed if it takes longer than `shutdownTimeout`), then releases every
   * timer, the recording file and the controller. Idempotent; resolves when nothing is left running.
   */
  shutdown(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  /** Looks up a registered name: a proxy, or undefined. */
  async whereis<T = unknown>(name: string): Promise<ActorProxy<T> | undefined> {
    const cell = this.registry.whereis(name);
    return cell === undefined ? undefined : (this.proxyOf(cell) as ActorProxy<T>);
  }

  /** Registers `actor` under `name` (unique in this runtime). Throws NameTakenError if taken. */
  async register(name: string, actor: ActorRef | ProxyBase): Promise<void> {
    const ref = actor instanceof ProxyBase ? actor.ref : actor;
    const cell = this.cellOf(ref);
    if (cell === undefined) throw new NoSuchActorError(ref, 'register');
    this.registry.register(name, cell);
  }

  /** Removes a name; resolves false if it was not registered. */
  async unregister(name: string): Promise<boolean> {
    return this.registry.unregister(name);
  }

  /** A proxy for a ref (e.g. one received in a message): typed when you name the actor class. */
  proxy<T = unknown>(ref: ActorRef): ActorProxy<T> {
    const cell = this.cellOf(ref);
    return (cell === undefined ? new ProxyBase(ref) : this.proxyOf(cell)) as ActorProxy<T>;
  }

  /**
   * A text view of every live supervision tree: each supervisor with its strategy and restarts in the
   * current window, and each child with its ref, state and restart count.
   */
  async tree(): Promise<string> {
    const Sup = supervisorClass.cls;
    if (Sup === undefined) return '';
    const lines: string[] = [];
    const isSup = (c: Cell | undefined) => c !== undefined && c.actor instanceof Sup;
    for (const cell of [...this.cells.values()]) {
      if (isSup(cell) && !isSup(cell.parent) && cell.state !== DEAD) {
        await this.renderTree(cell.ref, String(cell.ref), '', lines);
      }
    }
    return lines.join('\n');
  }

  private async renderTree(ref: ActorRef, head: string, indent: string, lines: string[]): Promise<void> {
    const sup = this.proxy(ref);
    let info: { strategy: string; intensity: number; period: number; recentRestarts: number };
    let kids: { id: string; ref?: ActorRef; type: string; state: string; restarts: number }[];
    try {
      info = await sup.call('supervisorInfo', [], undefined, { timeout: 1000 });
      kids = await sup.call('whichChildren', [], undefined, { timeout: 1000 });
    } catch (err) {
      lines.push(`${head} (no answer: ${err instanceof Error ? err.message : String(err)})`);
      return;
    }
    lines.push(
      `${head} ${info.strategy}, ${info.recentRestarts}/${info.intensity} restarts in ${info.period} ms`,
    );
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i]!;
      const last = i === kids.length - 1;
      const line = `${indent}${last ? '└─ ' : '├─ '}${k.id} ${k.ref ?? '-'} ${k.state}, restarts ${k.restarts}`;
      if (k.type === 'supervisor' && k.ref !== undefined) {
        await this.renderTree(k.ref, line, `${indent}${last ? '   ' : '│  '}`, lines);
      } else lines.push(line);
    }
  }

  /** Counts of what is live: actors, pending calls, armed deadlines, names. A test's leak check. */
  stats(): { actors: number; calls: number; deadlines: number; names: number } {
    return {
      actors: this.cells.size,
      calls: this.calls.size,
      deadlines: this.deadlines.size,
      names: [...this.registry.entries()].length,
    };
  }

  // ---- internal: the delivery path ----

  /** @internal The one delivery path: copy (thread semantics), record, enqueue. */
  deliver(to: ActorRef, msg: Message): void {
    if (this.copy) msg = copyMessage(msg, this.reviveFn);
    if (this.recorder !== undefined) this.recordSend(to, msg);
    const cell = to[CELL];
    if (cell !== undefined && cell.state !== DEAD) cell.enqueue(msg);
    else this.undeliverable(to, msg);
  }

  /** @internal A reply to a call: completes the pending call, or is dropped if it is late. */
  deliverReply(to: ReplyRef, msg: Message): void {
    if (this.copy) msg = copyMessage(msg, this.reviveFn);
    if (this.recorder !== undefined) this.recordSend(to, msg);
    if (!this.calls.complete(to.callId, msg)) {
      this.logger.debug(`late reply to ${to} dropped (the call had timed out or was answered)`, {
        tag: msg[0],
      });
    }
  }

  /** @internal A call: `[tag, replyRef, args, kwargs]` to `to`, answered through the pending-call table. */
  call(
    to: ActorRef,
    tag: string,
    args: unknown[],
    kwargs: Kwargs,
    timeout: number | undefined,
  ): Promise<any> {
    if (timeout !== undefined && !(timeout > 0)) {
      checkOption(false, 'call options.timeout', 'must be a positive number of ms', timeout);
    }
    const cell = this.cellOf(to);
    if (cell === undefined || cell.state === DEAD) return Promise.reject(new NoSuchActorError(to));
    const [id, promise] = this.calls.open(to, cell, tag, timeout ?? this.callTimeout);
    const caller = currentCell();
    try {
      this.deliver(to, [
        tag,
        new ReplyRef(caller === undefined ? 0 : caller.id, this.thread, id, this),
        args,
        kwargs,
      ]);
    } catch (err) {
      this.calls.abandon(id);
      throw err;
    }
    return promise;
  }

  private undeliverable(to: ActorRef, msg: Message): void {
    this.logger.debug(`message '${msg[0]}' to ${to} dropped: no such actor (dead letter)`, {
      actor: to,
      tag: msg[0],
    });
  }

  private revive(ref: ActorRef): ActorRef {
    if (ref instanceof ReplyRef) return new ReplyRef(ref.id, ref.thread, ref.callId, this);
    return new ActorRef(ref.id, ref.thread, ref.name, this, this.cells.get(ref.id));
  }

  /** ms since the runtime started, to the microsecond (recordings). */
  private elapsed(): number {
    return Math.round((this.clock.now() - this.t0) * 1000) / 1000;
  }

  private recordSend(to: ActorRef, msg: Message): void {
    const from = currentCell();
    this.recorder!.write({
      t: this.elapsed(),
      ev: 'send',
      from: from?.ref ?? msg[1],
      to,
      tag: msg[0],
      args: msg[2],
      kwargs: msg[3],
      thread: this.thread,
    });
  }

  // ---- internal: actors ----

  /** @internal The live cell of `ref` on this thread, if any. */
  cellOf(ref: ActorRef): Cell | undefined {
    const cell = ref[CELL];
    if (cell !== undefined) return cell.state === DEAD ? undefined : cell;
    return this.cells.get(ref.id);
  }

  /** @internal */
  spawnCell(
    target: SpawnTarget,
    args: unknown[],
    parent: Cell | undefined,
    link: boolean,
  ): { cell: Cell; proxy: any } {
    if (this.stopping !== undefined) {
      throw new RuntimeStoppedError('cannot spawn: the runtime is shutting down; create a new Runtime');
    }
    const name = checkTarget(target);
    // A class may vet its spawn arguments at once (Supervisor checks its options and child specs).
    const checkArgs = (target as { checkArgs?: (...a: unknown[]) => void }).checkArgs;
    if (typeof checkArgs === 'function') checkArgs.apply(target, args);
    const id = this.nextId++;
    const ref = new ActorRef(id, this.thread, name, this);
    const cell = new Cell(this, ref, target, args, parent);
    ref[CELL] = cell;
    this.cells.set(id, cell);
    if (link && parent !== undefined) this.signals.link(parent, ref);
    this.recorder?.write({
      t: this.elapsed(),
      ev: 'spawn',
      from: parent?.ref ?? null,
      to: ref,
      args,
      thread: this.thread,
    });
    this.scheduler.push(cell);
    return { cell, proxy: this.proxyOf(cell) };
  }

  /** @internal Supervisor reports appear in the recording as `ev: 'report'`. */
  recordReport(fields: Record<string, unknown>): void {
    this.recorder?.write({
      t: this.elapsed(),
      ev: 'report',
      from: fields.supervisor,
      thread: this.thread,
      ...fields,
    });
  }

  /** @internal A new proxy for a live cell. */
  proxyOf(cell: Cell): ProxyBase {
    const target = cell.target;
    if (target instanceof FunctionActor) return new FunctionActorProxy(cell.ref);
    if (target.prototype instanceof Actor) return new (proxyClassFor(classInfo(target, Actor)))(cell.ref);
    return new ProxyBase(cell.ref);
  }

  /** @internal Called as a cell dies, before its exit signals: names, callers, bookkeeping, reports. */
  released(cell: Cell, reason: ExitReason, crashTag: string | undefined): void {
    this.registry.release(cell);
    if (cell.callsIn > 0) this.calls.calleeExited(cell, reason);
    this.cells.delete(cell.id);
    this.recorder?.write({
      t: this.elapsed(),
      ev: 'exit',
      from: cell.ref,
      reason,
      thread: this.thread,
    });
    if (
      !isCleanStop(reason) &&
      reason !== 'killed' &&
      !cell.observed &&
      !(cell.links !== undefined && cell.links.size > 0)
    ) {
      const during = crashTag === undefined ? '' : ` while handling '${crashTag}'`;
      this.logger.error(
        `${cell.ref} crashed${during}: ${reason instanceof Error ? reason.message : String(reason)}`,
        {
          actor: cell.ref,
          tag: crashTag,
          reason,
          error: reason instanceof Error ? reason : undefined,
        },
      );
    }
  }

  private async stopAll(): Promise<void> {
    while (this.cells.size > 0) {
      const all = [...this.cells.values()];
      let roots = all.filter((c) => c.parent === undefined || c.parent.state === DEAD);
      if (roots.length === 0) roots = all;
      for (const cell of roots.reverse()) await this.stopCell(cell);
    }
    this.deadlines.close();
    this.scheduler.close();
    this.recorder?.close();
    this.registry.clear();
    await this.controller.close();
  }

  private async stopCell(cell: Cell): Promise<void> {
    if (cell.state === DEAD) return;
    this.signals.exitSignal(cell.ref, this.systemRef, 'shutdown', false);
    if (cell.state === DEAD) return;
    const kill = { at: 0, fire: () => cell.exit('kill') };
    this.deadlines.add(kill, this.shutdownTimeout);
    await cell.exited();
    this.deadlines.cancel(kill);
  }
}

/** Checks what `spawn` was given; returns the name its refs carry. */
function checkTarget(target: unknown): string {
  if (target instanceof FunctionActor) return target.name;
  if (typeof target !== 'function') {
    throw new NotAnActorError(
      `spawn() needs an Actor subclass, a function or functionActor(fn) (got ${target === null ? 'null' : typeof target})`,
    );
  }
  if (target === Actor) {
    throw new NotAnActorError('spawn(Actor): subclass Actor and give the subclass @handles methods');
  }
  if (!(target.prototype instanceof Actor) && /^class[\s{]/.test(Function.prototype.toString.call(target))) {
    throw new NotAnActorError(
      `${target.name} is a class that does not extend Actor: write "class ${target.name} extends Actor" ` +
        'and mark its handlers with @handles(tag)',
    );
  }
  return target.name || 'anonymous';
}
