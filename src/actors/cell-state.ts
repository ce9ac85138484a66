/**
 * What an actor cell keeps besides its mailbox and handlers: links, monitors, its registered name, its
 * spawn time, a pending recv(), calls in flight, exit trapping, and how it ended. Most actors have none of
 * these, so they live in one side object allocated on first use: an idle actor stays small.
 */

import type { ExitReason, Message } from '../core/message.js';
import type { ActorRef, Address } from '../core/ref.js';
import type { Deadline } from './deadlines.js';
import type { Handler } from './handles.js';
import type { Filter } from './mailbox.js';
import type { ActorTimers, TimerGroup } from './timers.js';

/** @internal Lifecycle states. */
export const STARTING = 0;
export const RUNNING = 1;
export const EXITING = 2;
export const DEAD = 3;

/** @internal A `recv()` waiting for a matching message. */
export interface Waiter extends Deadline {
  filter: Filter;
  resolve: (msg: Message) => void;
  reject: (err: unknown) => void;
}

/** @internal */
export interface Extra {
  waiter?: Waiter | undefined;
  callsIn?: number;
  trapExit?: boolean;
  links?: Map<number, ActorRef> | undefined;
  monitoredBy?: Map<number, ActorRef> | undefined;
  monitoring?: Map<number, ActorRef> | undefined;
  name?: string | undefined;
  born?: number | undefined;
  exitWaiters?: (() => void)[] | undefined;
  /** Waiting for the start to finish: called with undefined once running, or the reason if it died first. */
  startWaiters?: ((failed: ExitReason | undefined) => void)[] | undefined;
  crashTag?: string;
  result?: unknown;
  /**
   * `this.stop(reason)` called inside the handler that is running: the actor exits with `reason` once that
   * handler has settled; `to` and `reply` are the caller and the handler's result, answered once `onStop`
   * has run (OTP's `{stop, Reason, Reply, State}`: terminate, then the reply).
   */
  stopAfter?: { reason: ExitReason; to?: Address | undefined; reply?: unknown } | undefined;
  /** A functionActor's handler: every message calls it. */
  fallback?: Handler;
  /** Why it exited (set when it is dead). */
  reason?: ExitReason;
  /** Set by run(): its caller sees the crash, so the runtime does not log it. */
  observed?: boolean;
  /** The timers it started (sendAfter, this.timers): cancelled when it exits. */
  timers?: TimerGroup | undefined;
  /** `this.timers` of a class actor. */
  keyedTimers?: ActorTimers | undefined;
}

/** @internal */
export class CellState {
  /** Lifecycle: STARTING, RUNNING, EXITING, DEAD. */
  state = STARTING;
  /** What few actors need (waiters, a crash's tag, a result), kept aside so an idle actor stays small. */
  protected extra: Extra | undefined = undefined;

  // Links, monitors, the registered name, the spawn time, a pending recv(), calls in flight and trapping
  // exits live in `extra`: most actors have none of them.

  /** A `recv()` waiting for a matching message (loop actors). */
  get waiter(): Waiter | undefined {
    return this.extra?.waiter;
  }
  set waiter(v: Waiter | undefined) {
    if (v !== undefined || this.extra !== undefined) (this.extra ??= {}).waiter = v;
  }
  /** Calls in flight to this actor (their callers are rejected if it exits). */
  get callsIn(): number {
    return this.extra?.callsIn ?? 0;
  }
  set callsIn(v: number) {
    (this.extra ??= {}).callsIn = v;
  }
  get trapExit(): boolean {
    return this.extra?.trapExit === true;
  }
  set trapExit(v: boolean) {
    if (v || this.extra !== undefined) (this.extra ??= {}).trapExit = v;
  }

  get links(): Map<number, ActorRef> | undefined {
    return this.extra?.links;
  }
  set links(v: Map<number, ActorRef> | undefined) {
    (this.extra ??= {}).links = v;
  }
  /** monitor id → the watcher's ref. */
  get monitoredBy(): Map<number, ActorRef> | undefined {
    return this.extra?.monitoredBy;
  }
  set monitoredBy(v: Map<number, ActorRef> | undefined) {
    (this.extra ??= {}).monitoredBy = v;
  }
  /** monitor id → the watched actor's ref. */
  get monitoring(): Map<number, ActorRef> | undefined {
    return this.extra?.monitoring;
  }
  set monitoring(v: Map<number, ActorRef> | undefined) {
    (this.extra ??= {}).monitoring = v;
  }
  /** The registered name, if any. */
  get name(): string | undefined {
    return this.extra?.name;
  }
  set name(v: string | undefined) {
    (this.extra ??= {}).name = v;
  }
  /** When it was spawned, comparable across threads (shutdown stops in reverse start order). */
  get born(): number | undefined {
    return this.extra?.born;
  }
  set born(v: number | undefined) {
    if (v !== undefined || this.extra !== undefined) (this.extra ??= {}).born = v;
  }

  /** Resolves once the actor has started (undefined), or with its exit reason if it died while starting. */
  whenStarted(): Promise<ExitReason | undefined> {
    if (this.state === RUNNING || this.state === EXITING) return Promise.resolve(undefined);
    if (this.state === DEAD) return Promise.resolve(this.reason);
    return new Promise((resolve) => ((this.extra ??= {}).startWaiters ??= []).push(resolve));
  }

  /** Resolves when the actor is dead. */
  exited(): Promise<void> {
    if (this.state === DEAD) return Promise.resolve();
    return new Promise((resolve) => ((this.extra ??= {}).exitWaiters ??= []).push(resolve));
  }

  /** A function actor's return value (run() resolves with main's). */
  get result(): unknown {
    return this.extra?.result;
  }

  /** Why it exited (undefined while it lives). */
  get reason(): ExitReason {
    return this.extra?.reason;
  }

  /** run()'s caller sees main's crash: the runtime does not log it. */
  get observed(): boolean {
    return this.extra?.observed === true;
  }

  set observed(on: boolean) {
    (this.extra ??= {}).observed = on;
  }
}
