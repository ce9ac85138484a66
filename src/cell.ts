/**
 * The runtime's record of one live actor (Akka calls it the actor cell, Erlang the process): its mailbox,
 * its state (starting, running, exiting, dead), links and monitors, and the dispatch loop that runs one
 * message at a time. Users never see a Cell; they hold ActorRefs and proxies.
 */
import { Actor } from './actor.js';
import { ctx, runAs } from './context.js';
import type { Deadline } from './deadlines.js';
import { ReceiveTimeoutError, UnknownTagError } from './errors.js';
import { FunctionActor } from './function-actor.js';
import { classInfo, type Handler } from './handles.js';
import { Mailbox } from './mailbox.js';
import { type ExitReason, type Message, NO_KWARGS } from './message.js';
import { type ActorRef, ReplyRef } from './ref.js';
import type { Runtime } from './runtime.js';
import type { Runnable } from './scheduler.js';

/** @internal Lifecycle states. */
export const STARTING = 0;
export const RUNNING = 1;
export const EXITING = 2;
export const DEAD = 3;

/** @internal How the actor runs its messages. */
export const CLASS = 0; // an Actor subclass: one handler call per message
export const LOOP = 1; // a function (or an Actor with run()): it calls recv() itself
export const SERVER = 2; // a functionActor: every message calls the function

/** @internal A `recv()` waiting for a matching message. */
interface Waiter extends Deadline {
  accept: (msg: Message) => boolean;
  resolve: (msg: Message) => void;
  reject: (err: unknown) => void;
}

/** @internal Internal reply tag that rejects the caller's promise with args[0]. */
export const ERROR_REPLY = '\0error';

/** Replies and runtime notices are never answered (answering a reply would echo forever). */
const isNotice = (tag: string): boolean => tag === 'reply' || tag === 'EXIT' || tag === 'DOWN';

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as any).then === 'function';

interface Extra {
  exitWaiters?: (() => void)[] | undefined;
  /** Waiting for the start to finish: called with undefined once running, or the reason if it died first. */
  startWaiters?: ((failed: ExitReason | undefined) => void)[] | undefined;
  crashTag?: string;
  result?: unknown;
  /** A functionActor's handler: every message calls it. */
  fallback?: Handler;
  /** Why it exited (set when it is dead). */
  reason?: ExitReason;
  /** Set by run(): its caller sees the crash, so the runtime does not log it. */
  observed?: boolean;
}

export class Cell implements Runnable {
  scheduled = false;
  /** An async handler or hook is in progress: no other message runs until it settles. */
  busy = false;
  state = STARTING;
  kind = CLASS;
  trapExit = false;
  mailbox: Mailbox | undefined = undefined;
  actor: Actor | undefined = undefined;
  /** The message being handled (class and server actors). */
  msg: Message | undefined = undefined;
  handlers: Map<string, Handler> | undefined = undefined;
  waiter: Waiter | undefined = undefined;
  links: Map<number, ActorRef> | undefined = undefined;
  /** monitor id → the watcher's ref. */
  monitoredBy: Map<number, ActorRef> | undefined = undefined;
  /** monitor id → the watched actor's ref. */
  monitoring: Map<number, ActorRef> | undefined = undefined;
  name: string | undefined = undefined;
  /** Calls in flight to this actor (their callers are rejected if it exits). */
  callsIn = 0;
  /** What few actors need (waiters, a crash's tag, a result), kept aside so an idle actor stays small. */
  private extra: Extra | undefined = undefined;

  constructor(
    readonly runtime: Runtime,
    readonly ref: ActorRef,
    readonly target: Function | FunctionActor<any>,
    private args: unknown[] | undefined,
    /** Who spawned it (shutdown stops parents before the children they own). */
    readonly parent: ActorRef | undefined,
  ) {}

  /** When it was spawned, comparable across threads (shutdown stops in reverse start order). */
  born: number | undefined = undefined;

  get id(): number {
    return this.ref.id;
  }

  /** Adds a message (the delivery path has checked the cell is not dead). */
  enqueue(msg: Message): void {
    const w = this.waiter;
    if (w !== undefined) {
      let ok: boolean;
      try {
        ok = w.accept(msg);
      } catch (err) {
        this.waiter = undefined;
        this.runtime.deadlines.cancel(w);
        (this.mailbox ??= new Mailbox()).push(msg);
        w.reject(err);
        return;
      }
      if (ok) {
        this.waiter = undefined;
        if (w.at !== 0) this.runtime.deadlines.cancel(w);
        w.resolve(msg);
        return;
      }
    }
    (this.mailbox ??= new Mailbox()).push(msg);
    if (!this.scheduled && !this.busy && this.kind !== LOOP && this.state === RUNNING) {
      this.runtime.scheduler.push(this);
    }
  }

  runSlice(max: number): number {
    if (this.state === STARTING) {
      this.start();
      return 1;
    }
    const mb = this.mailbox;
    if (mb === undefined || this.kind === LOOP) return 0;
    let n = 0;
    while (n < max && mb.size > 0 && !this.busy && this.state === RUNNING) {
      n++;
      this.dispatch(mb.shift());
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
    const args = this.args ?? [];
    this.args = undefined;
    if (target instanceof FunctionActor) {
      this.kind = SERVER;
      (this.extra ??= {}).fallback = target.handler;
      this.running();
      this.wake();
      return;
    }
    if (!(target.prototype instanceof Actor)) {
      this.kind = LOOP;
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
    if (typeof actor.run === 'function') this.kind = LOOP;
    else this.handlers = classInfo(target, Actor).handlers;
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
    if (!isThenable(r)) return this.started();
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
    if (this.kind === LOOP) {
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

  private dispatch(msg: Message): void {
    const tag = msg[0];
    const h = this.handlers?.get(tag) ?? this.extra?.fallback;
    if (h === undefined) return this.unhandled(msg);
    this.msg = msg;
    ctx.cell = this;
    let r: unknown;
    try {
      const self = this.actor;
      const args = msg[2];
      r = h.isAsync ? runAs(this, () => h.fn.apply(self, args)) : h.fn.apply(self, args);
    } catch (err) {
      ctx.cell = undefined;
      this.msg = undefined;
      this.failCall(msg, err);
      this.crash(err, tag);
      return;
    }
    ctx.cell = undefined;
    if (isThenable(r)) {
      this.busy = true;
      r.then(
        (value) => this.settled(msg, value),
        (err) => this.settled(msg, err, true),
      );
      return;
    }
    this.msg = undefined;
    const sender = msg[1];
    if (sender !== null && this.state === RUNNING && !isNotice(tag)) sender.send('reply', this.ref, r);
  }

  private settled(msg: Message, value: unknown, failed = false): void {
    this.busy = false;
    this.msg = undefined;
    if (this.state !== RUNNING) return;
    if (failed) {
      this.failCall(msg, value);
      this.crash(value, msg[0]);
      return;
    }
    const sender = msg[1];
    if (sender !== null && !isNotice(msg[0])) sender.send('reply', this.ref, value);
    this.wake();
  }

  /** Rejects the caller of `msg` with `err`, if `msg` is a call. */
  private failCall(msg: Message, err: unknown): void {
    const sender = msg[1];
    if (sender instanceof ReplyRef) sender.send(ERROR_REPLY, this.ref, err);
  }

  private unhandled(msg: Message): void {
    const [tag, sender, args] = msg;
    if (tag === 'EXIT' && this.trapExit) {
      // No EXIT handler: behave like a gen_server, which stops with the trapped reason unless it is normal.
      if (args[0] !== 'normal') this.exit(args[0]);
      return;
    }
    if (sender instanceof ReplyRef) {
      sender.send(ERROR_REPLY, this.ref, new UnknownTagError(tag, this.ref));
      return;
    }
    this.runtime.logger.warn(`${this.ref} has no handler for '${tag}'; the message was dropped`, {
      actor: this.ref,
      tag,
      sender,
      hint: `add a method decorated with @handles('${tag}')`,
    });
  }

  /** Waits for a message `accept` takes (selective receive); `timeout` in ms. */
  receive(accept: (msg: Message) => boolean, timeout: number | undefined): Promise<Message> {
    const mb = this.mailbox;
    if (mb !== undefined && mb.size > 0) {
      const msg = mb.take(accept);
      if (msg !== undefined) return Promise.resolve(msg);
    }
    if (timeout !== undefined && timeout <= 0) return Promise.reject(new ReceiveTimeoutError(0));
    return new Promise<Message>((resolve, reject) => {
      const w: Waiter = {
        at: 0,
        accept,
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
    this.state = DEAD;
    (this.extra ??= {}).reason = reason;
    this.waiter = undefined;
    const rt = this.runtime;
    rt.released(this, reason, this.extra?.crashTag);
    this.mailbox = undefined;
    this.msg = undefined;
    const links = this.links;
    this.links = undefined;
    if (links !== undefined) {
      for (const other of links.values()) rt.signals.exitSignal(other, this.ref, reason, true);
    }
    const watchers = this.monitoredBy;
    this.monitoredBy = undefined;
    if (watchers !== undefined) {
      for (const [mref, watcher] of watchers) {
        rt.deliver(watcher, ['DOWN', this.ref, [reason, mref], NO_KWARGS]);
      }
    }
    const watching = this.monitoring;
    this.monitoring = undefined;
    if (watching !== undefined) {
      for (const [mref, target] of watching) rt.signals.forget(target, mref);
    }
    const extra = this.extra;
    const starting = extra?.startWaiters;
    const waiters = extra?.exitWaiters;
    if (extra !== undefined) extra.startWaiters = extra.exitWaiters = undefined;
    if (starting !== undefined) for (const w of starting) w(reason);
    if (waiters !== undefined) for (const w of waiters) w();
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
