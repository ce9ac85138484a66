/**
 * `Supervisor`: the OTP supervisor, as an actor. It traps exits, starts its children in order (linked), and
 * when one exits applies its restart type (permanent / transient / temporary) and the strategy
 * (one_for_one / one_for_all / rest_for_one), within a restart intensity over a sliding window; past it, it
 * stops every child in reverse order and exits `'shutdown'`, which escalates to its own supervisor.
 *
 * Call map (through its proxy): startChild → startChild, terminateChild, restartChild, deleteChild,
 * whichChildren, countChildren. Its state is data: one record per child whose `ref` says running or not.
 */

import { Actor, CELL_OF, supervisorClass } from '../actors/actor.js';
import { handles } from '../actors/handles.js';
import { recordSite } from '../actors/importable.js';
import {
  ChildPresentError,
  ChildRestartingError,
  ChildRunningError,
  ChildStartError,
  NoSuchChildError,
  NoSuchNodeError,
  ReceiveTimeoutError,
} from '../core/errors.js';
import { type ExitReason, isCleanStop, type Message } from '../core/message.js';
import type { ActorRef } from '../core/ref.js';
import { whenStarted } from '../runtime/answers.js';
import type { SpawnOptions } from '../runtime/options.js';
import type { Runtime } from '../runtime/runtime.js';
import {
  type ChildCounts,
  type ChildInfo,
  type ChildRecord,
  type ChildSpec,
  checkLimits,
  checkOptions,
  inWindow,
  normalizeAll,
  normalizeSpec,
  reportChild,
  type Strategy,
  type SupervisorOptions,
} from './child-spec.js';
import { renderTrees } from './tree-view.js';

export type { ChildCounts, ChildInfo } from './child-spec.js';

const NO_PLACEMENT: SpawnOptions = {};

/** A child spec's `node`: the first of its nodes that is up now (NoSuchNodeError if none is). */
function onFirstNodeUp(rt: Runtime, nodes: readonly string[]): SpawnOptions {
  const up = rt.cluster?.nodes() ?? [];
  for (const node of nodes) if (up.includes(node)) return { node };
  throw new NoSuchNodeError(
    nodes.join(', '),
    up,
    nodes.length === 1
      ? 'is not up in this cluster'
      : 'are none of them up (a child spec lists them in order of preference)',
  );
}

/** Internal tag of the retry message a supervisor sends itself when a restart failed. */
const RETRY = 'parley:supervisor:retry';

const isDown = (mref: number) => (m: Message) => m[0] === 'DOWN' && m[2][1] === mref;
const isExitFrom = (ref: ActorRef) => (m: Message) => m[0] === 'EXIT' && (m[1] as ActorRef).id === ref.id;

/**
 * An OTP supervisor. Configure it with options — `spawn(Supervisor, { strategy, intensity, period,
 * children })` — or by subclassing: set `static strategy` / `intensity` / `period` and override `children()`.
 *
 * ```ts
 * const sup = spawn(Supervisor, {
 *   strategy: 'one_for_one', intensity: 3, period: 5000,
 *   children: [{ id: 'db', actor: Db, name: 'db' }, { id: 'web', actor: Web, args: [8080] }],
 * });
 * await sup.whichChildren();
 * ```
 */
export class Supervisor extends Actor {
  /** Subclass configuration: the restart strategy (options passed to spawn win; default 'one_for_one'). */
  static strategy: Strategy | undefined;
  /** Subclass configuration: the most restarts allowed within `period` (options win; default 1). */
  static intensity: number | undefined;
  /** Subclass configuration: the window of `intensity`, in ms (options win; default 5000). */
  static period: number | undefined;

  private readonly options: SupervisorOptions;
  private readonly kids: ChildRecord[] = [];
  private restartTimes: number[] = [];
  private strategy: Strategy = 'one_for_one';
  private intensity = 1;
  private period = 5000;

  constructor(options: SupervisorOptions = {}) {
    super();
    checkOptions(options);
    this.options = options;
  }

  /** Checks options and child specs at spawn, so a bad spec fails there with ChildSpecError. */
  static checkArgs(this: typeof Supervisor, options: SupervisorOptions = {}): void {
    checkOptions(options);
    checkLimits(...limitsOf(options, this));
    if (options.children !== undefined) normalizeAll(options.children);
  }

  /** The child specs, started in order. Override in a subclass; by default `options.children`. */
  protected children(): ChildSpec[] {
    return this.options.children ?? [];
  }

  /**
   * Starts the children in order, like OTP's `init`: the supervisor counts as started (for its own
   * supervisor, and for calls) only once every child has. If one fails to start, the ones started are
   * stopped in reverse and the supervisor exits with ChildStartError. Call `super.onStart()` if you override.
   */
  override async onStart(): Promise<void> {
    this[CELL_OF].trapExit = true;
    const limits = limitsOf(this.options, this.constructor as typeof Supervisor);
    checkLimits(...limits);
    [this.strategy, this.intensity, this.period] = limits as [Strategy, number, number];
    for (const spec of normalizeAll(this.children())) {
      const rec: ChildRecord = { spec, ref: undefined, restarting: false, restarts: 0 };
      this.kids.push(rec);
      const failed = await this.start(rec);
      if (failed !== undefined) {
        this.report(
          'error',
          'start_failed',
          rec,
          failed,
          'stopping the children started so far, then itself',
        );
        await this.terminateAll();
        throw new ChildStartError(spec.id, failed);
      }
    }
  }

  /** @internal A caller's mistake (an unknown child id, a bad spec) goes back to it; never our crash. */
  static containsHandlerErrors = true;

  /** @internal A trapped exit: the parent's (stop), or a child's (restart by strategy). */
  @handles('EXIT')
  async exitSignal(reason: ExitReason): Promise<void> {
    try {
      await this.onExit(this.sender as ActorRef, reason);
    } catch (err) {
      this.stop(err); // the supervisor's own failure: it crashes, as OTP's would
    }
  }

  /** @internal A restart that failed is tried again (a message to itself, so calls in between are served). */
  @handles(RETRY)
  async retried(id: string): Promise<void> {
    try {
      await this.retry(id);
    } catch (err) {
      this.stop(err);
    }
  }

  /**
   * Adds and starts a child; resolves with its ref. ChildSpecError (a bad spec), then, as OTP's
   * `start_child` checks the id: ChildRunningError if a child with that id runs (`{already_started, Pid}`),
   * ChildPresentError if the id is there but its child does not run (`already_present`, a restarting child
   * included); ChildStartError if the new child fails to start.
   */
  @handles('startChild')
  async startChild(spec: ChildSpec): Promise<ActorRef> {
    const normal = normalizeSpec(spec, undefined, () => false);
    const old = this.find(normal.id);
    if (old?.ref !== undefined) throw new ChildRunningError(normal.id, 'start', old.ref);
    if (old !== undefined) throw new ChildPresentError(normal.id, old.restarting ? 'restarting' : 'stopped');
    const rec: ChildRecord = { spec: normal, ref: undefined, restarting: false, restarts: 0 };
    this.kids.push(rec);
    const failed = await this.start(rec);
    if (failed !== undefined) {
      this.kids.splice(this.kids.indexOf(rec), 1);
      throw new ChildStartError(rec.spec.id, failed);
    }
    return rec.ref!;
  }

  /**
   * Stops a child (its spec stays, unless it is temporary). NoSuchChildError. A child in its restart loop
   * is stopped there: no more retries (as OTP's `terminate_child`).
   */
  @handles('terminateChild')
  async terminateChild(id: string): Promise<void> {
    const rec = this.get(id);
    rec.restarting = false;
    await this.terminate(rec);
    if (rec.spec.restart === 'temporary') this.kids.splice(this.kids.indexOf(rec), 1);
  }

  /**
   * Starts a stopped child again; resolves with its new ref. NoSuchChildError, ChildRunningError, and
   * ChildRestartingError for a child in its restart loop (OTP's `{error, restarting}`: the supervisor's
   * own retries go on, untouched); ChildStartError if it fails to start (it stays stopped, as in OTP).
   */
  @handles('restartChild')
  async restartChild(id: string): Promise<ActorRef> {
    const rec = this.get(id);
    if (rec.ref !== undefined) throw new ChildRunningError(id, 'restart');
    if (rec.restarting) throw new ChildRestartingError(id, 'restart');
    const failed = await this.start(rec);
    if (failed !== undefined) throw new ChildStartError(id, failed);
    return rec.ref!;
  }

  /**
   * Forgets a stopped child's spec. NoSuchChildError, ChildRunningError, and ChildRestartingError for a
   * child in its restart loop (OTP's `{error, restarting}`; terminateChild stops the loop first).
   */
  @handles('deleteChild')
  async deleteChild(id: string): Promise<void> {
    const rec = this.get(id);
    if (rec.ref !== undefined) throw new ChildRunningError(id, 'delete');
    if (rec.restarting) throw new ChildRestartingError(id, 'delete');
    this.kids.splice(this.kids.indexOf(rec), 1);
  }

  /** Every child, in start order; a child in its restart loop is `'restarting'` (OTP's `restarting`). */
  @handles('whichChildren')
  whichChildren(): ChildInfo[] {
    return this.kids.map((k) => ({
      id: k.spec.id,
      ref: k.ref,
      type: k.spec.isSupervisor ? 'supervisor' : 'worker',
      restart: k.spec.restart,
      state: k.ref !== undefined ? 'running' : k.restarting ? 'restarting' : 'stopped',
      restarts: k.restarts,
    }));
  }

  /** Counts of specs, running children (`active`: not one in its restart loop), supervisors and workers. */
  @handles('countChildren')
  countChildren(): ChildCounts {
    const supervisors = this.kids.filter((k) => k.spec.isSupervisor).length;
    return {
      specs: this.kids.length,
      active: this.kids.filter((k) => k.ref !== undefined).length,
      supervisors,
      workers: this.kids.length - supervisors,
    };
  }

  /**
   * The `strategy`, `intensity` and `period` in force, and `recentRestarts`: the restarts in the current
   * window (one more than `intensity` makes the supervisor give up).
   */
  @handles('supervisorInfo')
  supervisorInfo(): { strategy: Strategy; intensity: number; period: number; recentRestarts: number } {
    this.restartTimes = inWindow(this.restartTimes, this.runtime.clock.now(), this.period);
    return {
      strategy: this.strategy,
      intensity: this.intensity,
      period: this.period,
      recentRestarts: this.restartTimes.length,
    };
  }

  // ---- exits and restarts ----

  /** Returns true when the supervisor has stopped itself. */
  private async onExit(from: ActorRef, reason: ExitReason): Promise<boolean> {
    const parent = this[CELL_OF].parent;
    if (from.id === 0 || (parent !== undefined && from.id === parent.id)) {
      await this.terminateAll();
      this.stop(reason);
      return true;
    }
    const rec = this.kids.find((k) => k.ref?.id === from.id);
    if (rec === undefined) return false; // an old instance, or a non-child link: nothing to do
    rec.ref = undefined;
    const restart = rec.spec.restart;
    if (restart === 'temporary') {
      this.kids.splice(this.kids.indexOf(rec), 1);
      return false;
    }
    if (restart === 'transient' && isCleanStop(reason)) return false;
    return this.restart(rec, reason);
  }

  private async retry(id: string): Promise<boolean> {
    const rec = this.find(id);
    if (rec === undefined || !rec.restarting || rec.ref !== undefined) return false;
    return this.restart(rec, 'retry');
  }

  /**
   * Applies the strategy for `rec`; returns true if the intensity was exceeded and the supervisor stopped.
   *
   * As OTP's `restart/3`: the group is `rec` alone (one_for_one), every child (one_for_all), or `rec` and
   * the children after it (rest_for_one). Its running children are stopped in reverse start order
   * (temporary ones are dropped, `terminate_children`), then EVERY child of the group is started in start
   * order (`start_children`) — also one that was not running before: stopped with `terminateChild`, a
   * transient one that had exited normally, or one in its own restart loop. The first start that fails
   * stops the round: that child is marked restarting (OTP's `{restarting, Pid}`) and retried by a message
   * to itself (`try_again_restart`); the children after it in the group stay stopped until that retry,
   * which applies the strategy again from the failed child. Only the failed child shows `'restarting'`.
   */
  private async restart(rec: ChildRecord, reason: ExitReason): Promise<boolean> {
    if (!this.allowRestart()) {
      this.report(
        'error',
        'give_up',
        rec,
        reason,
        `more than ${this.intensity} restart(s) in ${this.period} ms: stopping all children, then exiting 'shutdown'`,
      );
      await this.terminateAll();
      this.stop('shutdown');
      return true;
    }
    const i = this.kids.indexOf(rec);
    const group =
      this.strategy === 'one_for_one'
        ? [rec]
        : this.strategy === 'one_for_all'
          ? [...this.kids]
          : this.kids.slice(i);
    for (const k of [...group].reverse()) {
      k.restarting = false;
      if (k === rec) continue;
      await this.terminate(k);
      if (k.spec.restart === 'temporary') {
        this.kids.splice(this.kids.indexOf(k), 1);
        group.splice(group.indexOf(k), 1);
      }
    }
    for (const k of group) {
      const failed = await this.start(k);
      if (failed === undefined) {
        k.restarts++;
        this.report(
          'warn',
          'restarted',
          k,
          k === rec ? reason : 'sibling restart',
          `${this.strategy}: started again`,
        );
      } else {
        k.restarting = true;
        this.report('error', 'start_failed', k, failed, 'will retry (counts against the restart intensity)');
        this.retryLater(k.spec.id);
        break;
      }
    }
    return false;
  }

  /**
   * Queues the retry of `id` behind what is in the mailbox (OTP's `try_again_restart` cast), from the next
   * turn of the event loop: a start that fails at once would otherwise chain retries in microtasks only,
   * and a large intensity would keep timers and I/O (other threads' messages) from ever running.
   */
  private retryLater(id: string): void {
    const self = this.self;
    setImmediate(() => {
      try {
        self.send(RETRY, null, id);
      } catch {
        // The runtime has stopped meanwhile: nothing is left to restart.
      }
    });
  }

  /** Counts a restart in the sliding window; false if that makes more than `intensity` in `period`. */
  private allowRestart(): boolean {
    this.restartTimes = inWindow(this.restartTimes, this.runtime.clock.now(), this.period);
    this.restartTimes.push(this.runtime.clock.now());
    return this.restartTimes.length <= this.intensity;
  }

  // ---- starting and stopping children ----

  /** Spawns (linked) and waits for the start; resolves undefined, or the reason it failed. */
  private async start(rec: ChildRecord): Promise<ExitReason | undefined> {
    const { spec } = rec;
    const rt = this.runtime;
    let ref: ActorRef;
    try {
      const where = spec.node === undefined ? this.placeChild(spec.id) : onFirstNodeUp(rt, spec.node);
      ref = rt.spawnCell(spec.actor, spec.args, this[CELL_OF], true, where).proxy.ref;
    } catch (err) {
      return err;
    }
    const failed = await whenStarted(rt, ref);
    if (failed !== undefined) {
      // The link brought its exit reason too (it is more precise than what a remote thread can tell).
      const exitMsg = await this[CELL_OF].receive(isExitFrom(ref), 0).catch(() => undefined);
      return exitMsg === undefined ? failed : exitMsg[2][0];
    }
    rec.ref = ref;
    if (spec.name !== undefined) {
      try {
        await rt.registry.register(spec.name, ref);
      } catch (err) {
        await this.terminate(rec);
        return err;
      }
    }
    return undefined;
  }

  /**
   * @internal Where a child starts (spawn placement options); by default the runtime's placement. A subclass
   * may pin children (a pool spreads its members over the worker threads).
   */
  protected placeChild(_id: string): SpawnOptions {
    return NO_PLACEMENT;
  }

  /** Stops a child as its spec says: exit 'shutdown' then kill after the timeout, or kill at once. */
  private async terminate(rec: ChildRecord): Promise<void> {
    const ref = rec.ref;
    if (ref === undefined) return;
    rec.ref = undefined;
    const mref = this.runtime.links.monitor(this[CELL_OF], ref);
    this.runtime.links.unlink(this[CELL_OF], ref);
    await this[CELL_OF].receive(isExitFrom(ref), 0).catch(() => {}); // it may have died already
    const shutdown = rec.spec.shutdown;
    if (shutdown === 'brutal_kill') {
      this.runtime.links.exitSignal(ref, this.self, 'kill', false);
      await this[CELL_OF].receive(isDown(mref), undefined);
      return;
    }
    this.runtime.links.exitSignal(ref, this.self, 'shutdown', false);
    try {
      await this[CELL_OF].receive(isDown(mref), shutdown === 'infinity' ? undefined : shutdown);
    } catch (err) {
      if (!(err instanceof ReceiveTimeoutError)) throw err;
      this.report('error', 'killed', rec, 'shutdown timeout', `did not stop within ${shutdown} ms: killed`);
      this.runtime.links.exitSignal(ref, this.self, 'kill', false);
      await this[CELL_OF].receive(isDown(mref), undefined);
    }
  }

  /** Stops every child in reverse start order. */
  private async terminateAll(): Promise<void> {
    for (const k of [...this.kids].reverse()) {
      k.restarting = false;
      await this.terminate(k);
    }
  }

  private find(id: string): ChildRecord | undefined {
    return this.kids.find((k) => k.spec.id === id);
  }

  private get(id: string): ChildRecord {
    const rec = this.find(id);
    if (rec === undefined) throw new NoSuchChildError(id);
    return rec;
  }

  /** Every supervisor report goes through here, in one shape: supervisor, child, reason, what was done. */
  private report(
    level: 'warn' | 'error',
    action: string,
    rec: ChildRecord,
    reason: unknown,
    done: string,
  ): void {
    reportChild(this.runtime, this.self, level, action, rec.spec.id, reason, done);
  }
}

/**
 * The strategy, intensity and period in force: the option if given, else the subclass's static, else the
 * default. Only `undefined` means "not given": a `null` option is checked (and refused), not defaulted.
 */
function limitsOf(options: SupervisorOptions, statics: typeof Supervisor): [unknown, unknown, unknown] {
  const pick = (option: unknown, fromClass: unknown, fallback: unknown) =>
    option !== undefined ? option : fromClass !== undefined ? fromClass : fallback;
  return [
    pick(options.strategy, statics.strategy, 'one_for_one'),
    pick(options.intensity, statics.intensity, 1),
    pick(options.period, statics.period, 5000),
  ];
}

supervisorClass.cls = Supervisor;
supervisorClass.renderTrees = renderTrees;
// Parley's own module: worker threads import Supervisor from here.
recordSite(Supervisor, { url: import.meta.url, topLevel: true, line: null });
