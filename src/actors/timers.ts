/**
 * Timers, on the runtime's clock (so sinon's fake timers drive them):
 * - `sendAfter(ms, to, tag, ...args)`, Erlang's `erlang:send_after`: one message, `[tag, null, args, {}]`,
 *   after `ms`; its `TimerRef` cancels it while it is pending.
 * - an actor's keyed timers, `this.timers.once/every/cancel`, Akka's `TimerScheduler`: messages to the actor
 *   itself; starting a key that exists replaces its timer, and a message of a cancelled or replaced timer
 *   that is already queued is taken back (never handled).
 * A timer started inside an actor is owned by it and cancelled when it exits; one started outside any actor
 * is owned by the runtime and cancelled when it shuts down. Nothing here is on the message path.
 */
import {
  ActorExitedError,
  describeReason,
  InvalidArgumentError,
  RuntimeStoppedError,
} from '../core/errors.js';
import { NO_KWARGS } from '../core/message.js';
import { ActorRef, BOUND } from '../core/ref.js';
import { checkArgument, checkDelay, checkTag, describeType, oneActorAdvice } from '../core/validate.js';
import type { Runtime } from '../runtime/runtime.js';
import { copyMessage } from '../wire/codec.js';
import type { Cell } from './cell.js';
import { DEAD } from './cell-state.js';
import { holds, type QueuedAt } from './mailbox.js';
import { ProxyBase } from './proxy.js';

/** A pending timer, as `sendAfter` returns it. */
export interface TimerRef {
  /**
   * Cancels the timer: true if it was still pending (its message will not be sent), false if it had fired
   * already (its message is on its way, as after a send) or was cancelled before.
   */
  cancel(): boolean;
  /** Whether the timer is still pending (neither fired nor cancelled). */
  readonly pending: boolean;
}

/** @internal One timer. */
class Timer implements TimerRef {
  /** The clock's handle while armed; undefined once fired (a one-shot timer) or cancelled. */
  handle: unknown = undefined;
  /** A keyed timer's fired messages that may still be queued in its owner's mailbox, oldest first. */
  queued: QueuedAt[] | undefined = undefined;
  readonly fire = (): void => this.group.fire(this);

  constructor(
    readonly group: TimerGroup,
    readonly to: ActorRef,
    readonly tag: string,
    readonly args: unknown[],
    /** A periodic timer's interval (fixed delay: re-armed when it fires). */
    readonly interval: number | undefined,
    /** A keyed timer's owner: its messages go to its own mailbox, where they can be taken back. */
    readonly self: Cell | undefined,
  ) {}

  get pending(): boolean {
    return this.handle !== undefined;
  }

  cancel(): boolean {
    return this.group.cancel(this);
  }

  /** Is a message of this keyed timer still queued? (Forgets those handled meanwhile.) */
  stillQueued(): boolean {
    const q = this.queued;
    if (q === undefined) return false;
    let i = 0;
    while (i < q.length && !holds(q[i]!)) i++;
    if (i > 0) q.splice(0, i);
    return q.length > 0;
  }
}

/** @internal The timers of one owner (an actor, or the runtime for timers started outside any actor). */
export class TimerGroup {
  private readonly all = new Set<Timer>();

  constructor(
    private readonly rt: Runtime,
    /** The owning actor (undefined: the runtime). */
    private readonly owner: Cell | undefined,
  ) {}

  /** Timers armed now. */
  get size(): number {
    return this.all.size;
  }

  /** Arms a timer (its arguments are checked). `args` that a copying placement would refuse are refused now. */
  start(
    to: ActorRef,
    ms: number,
    interval: number | undefined,
    tag: string,
    args: unknown[],
    self: Cell | undefined,
  ): Timer {
    const rt = this.rt;
    // On a copying placement the message is what the args are now (as a send now would copy them), and what
    // cannot be copied fails here, at the start, with NotCloneableError, not later inside a timer.
    const a = rt.controller.copiesMessages && args.length > 0 ? this.copy(tag, args) : args;
    const t = new Timer(this, to, tag, a, interval, self);
    this.all.add(t);
    t.handle = rt.clock.setTimeout(t.fire, ms);
    return t;
  }

  /** The clock fired `t`. */
  fire(t: Timer): void {
    if (t.handle === undefined) return; // cancelled meanwhile
    if (t.interval === undefined) {
      t.handle = undefined;
      this.all.delete(t);
    } else t.handle = this.rt.clock.setTimeout(t.fire, t.interval);
    const self = t.self;
    if (self !== undefined) return this.toSelf(t, self);
    try {
      t.to[BOUND].deliver(t.to, t.tag, null, t.args, NO_KWARGS);
    } catch (err) {
      this.rt.logger.warn(`a timer could not send '${t.tag}' to ${t.to}: ${describeReason(err)}`, {
        actor: this.owner?.ref,
        to: t.to,
        tag: t.tag,
        error: err,
      });
    }
  }

  /** A keyed timer's message: into its owner's own mailbox, remembered there until it is handled. */
  private toSelf(t: Timer, cell: Cell): void {
    if (cell.state === DEAD) return;
    // A new array for each message (its identity finds the message again in the mailbox).
    const args =
      t.args.length === 0
        ? []
        : this.rt.controller.copiesMessages
          ? this.copy(t.tag, t.args)
          : t.args.slice();
    this.rt.router.toSelf(cell, t.tag, args);
    t.stillQueued(); // forget the messages handled since the last one
    const at = cell.mailbox?.newest();
    if (at !== undefined && at.rest === args) (t.queued ??= []).push(at);
  }

  /** Cancels `t`; true if it was pending, or one of its messages was still queued and is taken back. */
  cancel(t: Timer): boolean {
    const pending = t.handle !== undefined;
    if (pending) {
      this.rt.clock.clearTimeout(t.handle);
      t.handle = undefined;
    }
    this.all.delete(t);
    let retracted = false;
    const q = t.queued;
    if (q !== undefined) {
      t.queued = undefined;
      const mb = t.self?.mailbox;
      if (mb !== undefined) for (const at of q) if (mb.retract(at.rest)) retracted = true;
    }
    return pending || retracted;
  }

  /** Cancels every timer (the owner exits, or the runtime shuts down). */
  close(): void {
    for (const t of this.all) {
      this.rt.clock.clearTimeout(t.handle);
      t.handle = undefined;
      t.queued = undefined;
    }
    this.all.clear();
  }

  private copy(tag: string, args: unknown[]): unknown[] {
    return copyMessage([tag, null, args, NO_KWARGS], (r) => this.rt.revive(r))[2];
  }
}

/**
 * An actor's keyed timers (`this.timers` in a class actor), as Akka's `TimerScheduler`: each sends the actor
 * itself `[tag, null, args, {}]` (no sender: the handler's result goes nowhere).
 *
 * ```ts
 * class Poller extends Actor {
 *   override onStart() { this.timers.every('poll', 1000, 'poll'); }
 *   @handles('poll') poll() { ... }
 *   @handles('pause') pause() { this.timers.cancel('poll'); }
 * }
 * ```
 * Starting a timer with a key that exists replaces it; a message of a cancelled or replaced timer that is
 * already queued is taken back, never handled. Every timer is cancelled when the actor exits. Call these
 * from the actor's own handlers and hooks.
 */
export class ActorTimers {
  private readonly keys = new Map<unknown, Timer>();
  /** Past this many keys, keys whose timers are done are forgotten (a key used once must not leak). */
  private sweepAt = 16;

  /** @internal */
  constructor(
    private readonly group: TimerGroup,
    private readonly cell: Cell,
  ) {}

  /** Sends the actor `[tag, null, args, {}]` once, `ms` from now (0 to 2^31 − 1); replaces `key`'s timer. */
  once(key: unknown, ms: number, tag: string, ...args: unknown[]): void {
    this.start('timers.once(key, ms, tag, ...args)', key, ms, false, tag, args);
  }

  /**
   * Sends the actor `[tag, null, args, {}]` every `ms` (1 to 2^31 − 1; fixed delay: the next one is armed
   * when one fires), the first `ms` from now, until cancelled; replaces `key`'s timer.
   */
  every(key: unknown, ms: number, tag: string, ...args: unknown[]): void {
    this.start('timers.every(key, ms, tag, ...args)', key, ms, true, tag, args);
  }

  /**
   * Cancels `key`'s timer, and takes back its message if it is already queued. True if that stopped a
   * message (the timer was pending, or its message not yet handled); false for an unknown or finished key.
   */
  cancel(key: unknown): boolean {
    const t = this.keys.get(key);
    if (t === undefined) return false;
    this.keys.delete(key);
    return this.group.cancel(t);
  }

  /** Whether `key`'s timer is pending, or its message is queued and not yet handled. */
  isActive(key: unknown): boolean {
    const t = this.keys.get(key);
    return t !== undefined && (t.handle !== undefined || t.stillQueued());
  }

  /** Cancels every keyed timer of this actor (their queued messages are taken back too). */
  cancelAll(): void {
    for (const t of this.keys.values()) this.group.cancel(t);
    this.keys.clear();
  }

  private start(fn: string, key: unknown, ms: number, periodic: boolean, tag: string, args: unknown[]): void {
    checkArgument(key !== undefined, fn, 'key', 'must name the timer (a string, say)', key);
    checkDelay(ms, fn, periodic);
    checkTag(tag, fn);
    const cell = this.cell;
    if (cell.state === DEAD)
      throw new ActorExitedError(cell.reason, cell.ref, 'has exited and can no longer start timers');
    const old = this.keys.get(key);
    if (old !== undefined) this.group.cancel(old);
    this.keys.set(key, this.group.start(cell.ref, ms, periodic ? ms : undefined, tag, args, cell));
    if (this.keys.size > this.sweepAt) this.sweep();
  }

  /** Forgets the keys whose timers are done (fired once and handled, or cancelled). */
  private sweep(): void {
    for (const [key, t] of this.keys) if (t.handle === undefined && !t.stillQueued()) this.keys.delete(key);
    this.sweepAt = Math.max(16, this.keys.size * 2);
  }
}

/**
 * @internal `sendAfter(ms, to, tag, ...args)` on `rt`: owned by the current actor if it is one of `rt`'s,
 * else by the runtime. `fn` names the entry point for errors.
 */
export function sendAfter(
  rt: Runtime,
  owner: Cell | undefined,
  ms: unknown,
  to: unknown,
  tag: unknown,
  args: unknown[],
  fn: string,
): TimerRef {
  checkDelay(ms, fn);
  const ref = refOfTarget(to, fn);
  checkTag(tag, fn);
  if (owner === undefined && rt.shuttingDown) {
    throw new RuntimeStoppedError(`${fn}: the runtime is shutting down; its timers are cancelled`);
  }
  if (owner !== undefined && owner.state === DEAD) {
    throw new ActorExitedError(owner.reason, owner.ref, 'has exited and can no longer start timers');
  }
  const group = owner === undefined ? rt.timerGroup() : owner.timerGroup();
  return group.start(ref, ms as number, undefined, tag as string, args, undefined);
}

function refOfTarget(to: unknown, fn: string): ActorRef {
  if (to instanceof ActorRef) return to;
  if (to instanceof ProxyBase) return to.ref;
  throw new InvalidArgumentError(
    `${fn}: to must be an ActorProxy or an ActorRef (got ${describeType(to)}); ` +
      oneActorAdvice(to, 'pass what spawn() returned, its .ref, or a ref from a message'),
  );
}
