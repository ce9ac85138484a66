/**
 * The runtime's record of one live actor (Akka calls it the actor cell, Erlang the process): its mailbox,
 * its state (starting, running, exiting, dead), links and monitors, and the dispatch loop that runs one
 * message at a time. Users never see a Cell; they hold ActorRefs and proxies.
 */

import { describeReason, NotCloneableError, ReceiveTimeoutError, UnknownTagError } from '../core/errors.js';
import { type ExitReason, type Kwargs, type Message, NO_ARGS, ownArgs } from '../core/message.js';
import { type ActorRef, type Address, BOUND, ReplyRef } from '../core/ref.js';
import type { Runtime } from '../runtime/runtime.js';
import { Actor } from './actor.js';
import { CellState, DEAD, EXITING, RUNNING, STARTING, type Waiter } from './cell-state.js';
import { ctx, runAs } from './context.js';
import { FunctionActor } from './function-actor.js';
import { type ClassInfo, classInfo, type Handler, invoke, isThenable } from './handles.js';
import { Envelope, type Filter, Mailbox } from './mailbox.js';
import type { Runnable } from './scheduler.js';
import { ActorTimers, TimerGroup } from './timers.js';

export { DEAD, EXITING, RUNNING, STARTING } from './cell-state.js';

/** @internal Internal reply tag that rejects the caller's promise with args[0]. */
export const ERROR_REPLY = '\0error';

/** Replies and runtime notices are never answered (answering a reply would echo forever). */
const isNotice = (tag: string): boolean => tag === 'reply' || tag === 'EXIT' || tag === 'DOWN';

export class Cell extends CellState implements Runnable {
  scheduled = false;
  /** An async handler or hook is in progress: no other message runs until it settles. */
  busy = false;
  /** It calls recv() itself (a function, or an Actor with run()); else each message calls a handler. */
  loop = false;
  mailbox: Mailbox | undefined = undefined;
  actor: Actor | undefined = undefined;
  /** The actor class's handlers (class actors). */
  info: ClassInfo | undefined = undefined;

  constructor(
    readonly ref: ActorRef,
    readonly target: Function | FunctionActor<any>,
    private args: unknown[] | undefined,
    /** Who spawned it (shutdown stops parents before the children they own). */
    readonly parent: ActorRef | undefined,
  ) {
    super();
  }

  get id(): number {
    return this.ref.id;
  }

  /** The runtime it lives in (its ref is bound to it: one field less per actor). */
  get runtime(): Runtime {
    return this.ref[BOUND] as Runtime;
  }

  /** Adds a message (the delivery path has checked the cell is not dead). */
  enqueue(tag: string, sender: Address | null, args: unknown[], kwargs: Kwargs): void {
    const w = this.waiter;
    if (w !== undefined) {
      // A recv() is waiting: hand it the message if its filter takes it (the tuple is built only here).
      const f = w.filter;
      let msg: Message | undefined;
      if (f === undefined || f === tag) msg = [tag, sender, ownArgs(args), kwargs];
      else if (typeof f === 'function') {
        const m: Message = [tag, sender, ownArgs(args), kwargs];
        try {
          if (f(m)) msg = m;
        } catch (err) {
          this.waiter = undefined;
          this.runtime.deadlines.cancel(w);
          (this.mailbox ??= new Mailbox()).push(tag, sender, args, kwargs);
          w.reject(err);
          return;
        }
      }
      if (msg !== undefined) {
        this.waiter = undefined;
        if (w.at !== 0) this.runtime.deadlines.cancel(w);
        w.resolve(msg);
        return;
      }
    }
    (this.mailbox ??= new Mailbox()).push(tag, sender, args, kwargs);
    if (!this.scheduled && !this.busy && !this.loop && this.state === RUNNING) {
      this.runtime.scheduler.push(this);
    }
  }

  runSlice(max: number): number {
    if (this.state === STARTING) {
      this.start();
      return 1;
    }
    const mb = this.mailbox;
    if (mb === undefined || this.loop) return 0;
    let n = 0;
    while (n < max && mb.size > 0 && !this.busy && this.state === RUNNING) {
      n++;
      mb.next();
      this.dispatch(mb);
    }
    this.wake();
    return n;
  }

  /** Re-queues the cell if it has messages it could run now. */
  private wake(): void {
    const mb = this.mailbox;
    if (mb !== undefined && mb.size > 0 && !this.busy && !this.scheduled && this.state === RUNNING) {
      this.runtime.scheduler.push(this);
    }
  }

  private start(): void {
    const target = this.target;
    const args = this.args ?? NO_ARGS;
    this.args = undefined;
    if (target instanceof FunctionActor) {
      (this.extra ??= {}).fallback = target.handler;
      this.running();
      this.wake();
      return;
    }
    if (!(target.prototype instanceof Actor)) {
      this.loop = true;
      this.running();
      this.runLoop(() => (target as (...a: unknown[]) => unknown)(...args));
      return;
    }
    let actor: Actor;
    ctx.constructing = this;
    ctx.cell = this;
    try {
      actor = new (target as new (...a: unknown[]) => Actor)(...args);
    } catch (err) {
      this.crash(err, undefined);
      return;
    } finally {
      ctx.constructing = undefined;
      ctx.cell = undefined;
    }
    this.actor = actor;
    // The constructor or a synchronous onStart may have ended the actor (this.stop()): it stays dead.
    if (this.state !== STARTING) return;
    if (typeof actor.run === 'function') this.loop = true;
    else this.info = classInfo(target, Actor);
    if (typeof actor.onStart !== 'function') return this.started();
    let r: unknown;
    ctx.cell = this;
    try {
      r = runAs(this, () => actor.onStart!());
    } catch (err) {
      this.crash(err, undefined);
      return;
    } finally {
      ctx.cell = undefined;
    }
    if (!isThenable(r)) {
      if (this.state === STARTING) this.started();
      return;
    }
    this.busy = true;
    r.then(
      () => {
        this.busy = false;
        if (this.state === STARTING) this.started();
      },
      (err) => this.crash(err, undefined),
    );
  }

  private running(): void {
    this.state = RUNNING;
    const waiters = this.extra?.startWaiters;
    if (waiters !== undefined) {
      this.extra!.startWaiters = undefined;
      for (const w of waiters) w(undefined);
    }
  }

  private started(): void {
    this.running();
    if (this.loop) {
      const actor = this.actor!;
      this.runLoop(() => actor.run!());
    } else this.wake();
  }

  private runLoop(body: () => unknown): void {
    let r: unknown;
    try {
      r = runAs(this, body);
    } catch (err) {
      this.crash(err, undefined);
      return;
    }
    if (!isThenable(r)) return this.exit('normal', r);
    r.then(
      (value) => this.exit('normal', value),
      (err) => this.crash(err, undefined),
    );
  }

  /** Runs the mailbox's current message (see Mailbox.next). */
  private dispatch(mb: Mailbox): void {
    const tag = mb.tag!;
    let h: Handler | undefined;
    const info = this.info;
    // A functionActor runs its function for every message but a reply nobody waits for (see unhandled).
    if (info === undefined) h = tag === 'reply' ? undefined : this.extra?.fallback;
    else if (tag === info.lastTag) h = info.lastHandler;
    else {
      h = info.handlers.get(tag);
      info.lastTag = tag;
      info.lastHandler = h;
    }
    // The message's args and sender, read once (no Envelope: a cast with just args).
    const rest = mb.rest;
    let args: unknown[];
    let sender: Address | null;
    if (rest instanceof Envelope) {
      args = rest.args;
      sender = rest.sender;
    } else {
      args = rest as unknown[];
      sender = null;
    }
    if (h === undefined) {
      mb.done();
      return this.unhandled(tag, sender, args);
    }
    ctx.cell = this;
    let r: unknown;
    try {
      r = h.isAsync ? this.runAsync(h, this.actor, args) : invoke(h.fn, this.actor, args);
    } catch (err) {
      ctx.cell = undefined;
      mb.done();
      if (info?.contained) {
        this.contain(tag, sender, err);
        if (this.extra?.stopAfter !== undefined) this.stopAfter(null, undefined);
        return;
      }
      this.failCall(sender, err);
      this.crash(err, tag); // a handler that stopped and then threw crashes: the error wins (OTP)
      return;
    }
    ctx.cell = undefined;
    if (isThenable(r)) return this.awaitHandler(r, tag, sender);
    mb.done();
    // The handler called this.stop(): it exits now, its reply sent once onStop has run.
    if (this.extra?.stopAfter !== undefined) return this.stopAfter(isNotice(tag) ? null : sender, r);
    if (sender !== null && this.state === RUNNING && !isNotice(tag)) this.reply(sender, r);
  }

  // The two closures below live in their own functions: a closure in dispatch() would make V8 allocate
  // its captured variables on the heap on EVERY dispatch (~110 bytes per message), async or not.

  /** An async handler runs in the actor's AsyncLocalStorage context (for me() and recv() after await). */
  private runAsync(h: Handler, self: Actor | undefined, args: unknown[]): unknown {
    return runAs(this, () => h.fn.apply(self, args));
  }

  /** The message stays current (this.message, this.sender) until the handler settles. */
  private awaitHandler(r: PromiseLike<unknown>, tag: string, sender: Address | null): void {
    this.busy = true;
    r.then(
      (value) => this.settled(tag, sender, value),
      (err) => this.settled(tag, sender, err, true),
    );
  }

  private settled(tag: string, sender: Address | null, value: unknown, failed = false): void {
    this.busy = false;
    this.mailbox?.done();
    if (this.state !== RUNNING) return;
    if (failed) {
      if (this.info?.contained) {
        this.contain(tag, sender, value);
        if (this.extra?.stopAfter !== undefined) return this.stopAfter(null, undefined);
        return this.wake();
      }
      this.failCall(sender, value);
      this.crash(value, tag);
      return;
    }
    if (this.extra?.stopAfter !== undefined) return this.stopAfter(isNotice(tag) ? null : sender, value);
    if (sender !== null && !isNotice(tag)) this.reply(sender, value);
    this.wake();
  }

  /**
   * `this.stop(reason)` of a class actor. Inside the handler that is running (its synchronous part, or an
   * async handler not settled yet) the stop waits for the handler: it exits once the handler has settled,
   * and its caller gets the handler's result (OTP's `{stop, Reason, Reply, State}`); a handler that throws
   * after stopping crashes with its error instead. Anywhere else (constructor, onStart, a run() loop,
   * onStop) the actor exits at once. A second stop in the same handler is ignored: the first reason counts.
   */
  stop(reason: ExitReason): void {
    if (this.state === RUNNING && !this.loop && (this.busy || ctx.cell === this)) {
      const extra = (this.extra ??= {});
      extra.stopAfter ??= { reason };
      return;
    }
    this.exit(reason);
  }

  /** The handler that called this.stop() has settled: exit, keeping its reply (if any) for finalize. */
  private stopAfter(to: Address | null, reply: unknown): void {
    const pending = this.extra!.stopAfter!;
    if (to !== null) {
      pending.to = to;
      pending.reply = reply;
    }
    this.exit(pending.reason);
  }

  /**
   * Sends a handler's result to `sender`. If it cannot go (a result that cannot be copied: NotCloneableError
   * naming its path from `reply`), the caller of a call gets that error at once, anyone else's send is
   * reported; the actor runs on either way (its handler did not fail).
   */
  private reply(sender: Address, value: unknown): void {
    try {
      sender.send('reply', this.ref, value);
    } catch (err) {
      this.replyFailed(sender, err);
    }
  }

  private replyFailed(sender: Address, err: unknown): void {
    const e =
      err instanceof NotCloneableError
        ? new NotCloneableError(err.path.replace(/^args\[0\]/, 'reply'), err.valueType, err.cause)
        : err;
    if (sender instanceof ReplyRef) return sender.send(ERROR_REPLY, this.ref, e);
    this.runtime.logger.warn(`${this.ref} could not send its reply to ${sender}: ${describeReason(e)}`, {
      actor: this.ref,
      error: e,
    });
  }

  /** A contained handler error: back to the caller of a call, else to the log; the actor runs on. */
  private contain(tag: string, sender: Address | null, err: unknown): void {
    if (sender instanceof ReplyRef) return this.failCall(sender, err);
    this.runtime.logger.warn(`${this.ref} could not handle '${tag}': ${describeReason(err)}`, {
      actor: this.ref,
      tag,
      error: err,
    });
  }

  /** Rejects the caller with `err`, if the message was a call. */
  private failCall(sender: Address | null, err: unknown): void {
    if (sender instanceof ReplyRef) sender.send(ERROR_REPLY, this.ref, err);
  }

  private unhandled(tag: string, sender: Address | null, args: unknown[]): void {
    if (tag === 'EXIT' && this.trapExit) {
      // No EXIT handler: behave like a gen_server, which stops with the trapped reason unless it is normal.
      if (args[0] !== 'normal') this.exit(args[0]);
      return;
    }
    if (sender instanceof ReplyRef) {
      sender.send(ERROR_REPLY, this.ref, new UnknownTagError(tag, this.ref));
      return;
    }
    if (tag === 'reply') {
      // An answer nobody waits for (a handler's result after a send with a sender, a late reply): OTP's
      // gen_server drops such a message too. Quietly, at debug level: it is routine, not a mistake.
      this.runtime.logger.debug(`${this.ref} has no handler for 'reply'; an unsolicited reply was dropped`, {
        actor: this.ref,
        tag,
        sender,
      });
      return;
    }
    this.runtime.logger.warn(`${this.ref} has no handler for '${tag}'; the message was dropped`, {
      actor: this.ref,
      tag,
      sender,
      hint: `add a method decorated with @handles('${tag}')`,
    });
  }

  /** The timers this actor owns (created on first use). */
  timerGroup(): TimerGroup {
    const extra = (this.extra ??= {});
    return (extra.timers ??= new TimerGroup(this.runtime, this));
  }

  /** `this.timers` of a class actor (created on first use). */
  keyedTimers(): ActorTimers {
    const extra = (this.extra ??= {});
    return (extra.keyedTimers ??= new ActorTimers(this.timerGroup(), this));
  }

  /** Cancels every timer this actor owns (it is exiting). */
  private cancelTimers(): void {
    const extra = this.extra;
    if (extra?.timers !== undefined) {
      extra.timers.close();
      extra.timers = extra.keyedTimers = undefined;
    }
  }

  /** Waits for a message `accept` takes (selective receive); `timeout` in ms. */
  receive(filter: Filter, timeout: number | undefined): Promise<Message> {
    const mb = this.mailbox;
    if (mb !== undefined && mb.size > 0) {
      const msg = mb.take(filter);
      if (msg !== undefined) return Promise.resolve(msg);
    }
    if (timeout !== undefined && timeout <= 0) return Promise.reject(new ReceiveTimeoutError(0));
    return new Promise<Message>((resolve, reject) => {
      const w: Waiter = {
        at: 0,
        slot: -1,
        filter,
        resolve,
        reject,
        fire: () => {
          if (this.waiter !== w) return;
          this.waiter = undefined;
          reject(new ReceiveTimeoutError(timeout!));
        },
      };
      this.waiter = w;
      if (timeout !== undefined && Number.isFinite(timeout)) this.runtime.deadlines.add(w, timeout);
    });
  }

  crash(err: unknown, tag: string | undefined): void {
    if (tag !== undefined) (this.extra ??= {}).crashTag = tag;
    this.exit(err);
  }

  /**
   * Ends the actor with `reason`: `onStop(reason)` runs (awaited), then `finalize`. `'kill'` skips
   * `onStop` and ends it at once with `'killed'`, even while an `onStop` is pending.
   */
  exit(reason: ExitReason, result?: unknown): void {
    if (this.state === DEAD) return;
    if (reason === 'kill') return this.finalize('killed');
    if (this.state === EXITING) return;
    const wasStarted = this.state === RUNNING;
    this.state = EXITING;
    this.cancelTimers();
    if (result !== undefined) (this.extra ??= {}).result = result;
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      this.runtime.deadlines.cancel(w);
    }
    const actor = this.actor;
    if (actor === undefined || !wasStarted || typeof actor.onStop !== 'function') {
      return this.finalize(reason);
    }
    let r: unknown;
    const prev = ctx.cell;
    ctx.cell = this;
    try {
      r = actor.onStop(reason);
    } catch (err) {
      this.runtime.logger.error(`${this.ref} onStop threw: ${err}`, { actor: this.ref, error: err });
    } finally {
      ctx.cell = prev;
    }
    if (!isThenable(r)) return this.finalize(reason);
    r.then(
      () => this.finalize(reason),
      (err) => {
        this.runtime.logger.error(`${this.ref} onStop rejected: ${err}`, { actor: this.ref, error: err });
        this.finalize(reason);
      },
    );
  }

  /** The actor is gone: names first, then pending calls, links, monitors (DESIGN §4 order). */
  private finalize(reason: ExitReason): void {
    if (this.state === DEAD) return;
    // A handler that stopped its actor (this.stop()) is answered now: after onStop, before the callers
    // that are still waiting are told of the exit, and before links and monitors.
    const stopped = this.extra?.stopAfter;
    if (stopped?.to !== undefined) {
      this.extra!.stopAfter = undefined;
      this.reply(stopped.to, stopped.reply);
    }
    this.state = DEAD;
    this.cancelTimers(); // also those started by onStop, and a kill's
    (this.extra ??= {}).reason = reason;
    this.waiter = undefined;
    const rt = this.runtime;
    rt.released(this, reason, this.extra?.crashTag);
    this.mailbox = undefined;
    rt.links.exited(this, reason);
    const extra = this.extra;
    const starting = extra?.startWaiters;
    const waiters = extra?.exitWaiters;
    if (extra !== undefined) extra.startWaiters = extra.exitWaiters = undefined;
    if (starting !== undefined) for (const w of starting) w(reason);
    if (waiters !== undefined) for (const w of waiters) w();
  }
}
