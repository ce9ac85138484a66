/**
 * Named proxies: `named('room', Room)` is a typed proxy that follows a registered name, as Erlang's
 * `{via, global, Name}` or Akka's ActorSelection. It looks the name up on first use and caches the holder;
 * while the holder lives every call, cast and send goes straight to it (no lookup: a lookup from a worker
 * thread is a round trip to the main thread). Once the holder has exited — a supervised child restarting —
 * the next use looks the name up again, so calls keep working across restarts. A name bound to no actor at
 * that moment fails the call at once with NameNotBoundError (Erlang's `noproc`).
 *
 * The cache is dropped when the holder exits: on this thread the proxy sees that synchronously; for a holder
 * on another thread its thread reports the exit (one watch per holder, not per call). A call that reaches a
 * holder that died meanwhile (NoSuchActorError: it was never delivered) is sent once more to the new holder.
 */

import { Actor } from '../actors/actor.js';
import { FunctionActor } from '../actors/function-actor.js';
import { type ClassInfo, classInfo } from '../actors/handles.js';
import {
  type ActorProxy,
  type CallOptions,
  defineHandlerMethods,
  type TypedMethods,
} from '../actors/proxy.js';
import { InvalidOptionError, NameNotBoundError, NoSuchActorError } from '../core/errors.js';
import { argsAfter, type Kwargs, NO_ARGS, NO_KWARGS, sharedIfEmpty } from '../core/message.js';
import type { ActorRef, Address } from '../core/ref.js';
import {
  checkArgs,
  checkKwargs,
  checkOptionsObject,
  checkSender,
  checkTag,
  checkTimeout,
  describeType,
  PROXY_KIND,
} from '../core/validate.js';
import type { Found } from '../router/signal.js';
import { awaitExit } from './answers.js';
import { checkName, checkProxyClass } from './names.js';
import type { Runtime } from './runtime.js';

const CALL_OPTIONS = ['timeout'];
const SENT: Promise<void> = Promise.resolve();
/** @internal A call through the name (typed proxy methods use it; a symbol, so no actor method can shadow it). */
export const CALL_NAMED: unique symbol = Symbol('parley.named.call');

/**
 * @internal The caller's mistake in a call by tag (checked before any lookup, as every entry point checks its
 * input before anything happens): InvalidArgumentError or InvalidOptionError, or undefined.
 */
export function callProblem(
  tag: unknown,
  args: unknown,
  kwargs: unknown,
  options: unknown,
  fn: string,
): Error | undefined {
  try {
    checkTag(tag, fn);
    if (args !== undefined && args !== null) checkArgs(args, fn);
    if (kwargs !== undefined && kwargs !== null) checkKwargs(kwargs, fn);
    if (options !== undefined && options !== null) {
      checkOptionsObject(options, 'call options', CALL_OPTIONS);
      const timeout = (options as CallOptions).timeout;
      if (timeout !== undefined) checkTimeout(timeout, 'call options.timeout');
    }
  } catch (err) {
    return err as Error;
  }
  return undefined;
}

/** @internal A named proxy's cache of the holder and its queue of uses waiting for a lookup. */
interface NamedState {
  /** The holder found by the last lookup, while it is believed alive. */
  held: ActorRef | undefined;
  /** What the last lookup found (to import the holder's class for an untyped `resolve()`). */
  found: Found | undefined;
  /** The lookup that queued uses wait for, and how many wait (they run in order). */
  pending: Promise<ActorRef> | undefined;
  queued: number;
}

/**
 * The methods every named proxy has, whatever the actor: `call`, `cast` and `send` as on an `ActorProxy`,
 * each addressed to the actor registered under `name` at that moment.
 */
export class NamedProxyBase {
  /** The registered name this proxy follows. */
  readonly name: string;
  readonly #runtime: Runtime;
  /** The class or functionActor that types the proxy (for `resolve()`), if given. */
  readonly #target: unknown;
  /** The cache and the queue, shared with the proxies `with()` made from this one. */
  readonly #s: NamedState;
  /** The timeout of this proxy's calls (set by `with()`), else the runtime's `callTimeout`. */
  readonly #timeout: number | undefined;

  /** @internal Use `named(name, cls?)` or `runtime.named(name, cls?)`. */
  constructor(runtime: Runtime, name: string, target?: unknown, shared?: NamedState, timeout?: number) {
    this.#runtime = runtime;
    this.name = name;
    this.#target = target;
    this.#s = shared ?? { held: undefined, found: undefined, pending: undefined, queued: 0 };
    this.#timeout = timeout;
  }

  /**
   * The same proxy with per-call options for its calls and typed methods: `room.with({ timeout: 100 }).post('hi')`
   * (it shares this proxy's cached holder). A bad option throws InvalidOptionError.
   */
  with(options: CallOptions): this {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new InvalidOptionError(
        `named(name).with(options) needs an options object such as { timeout: 100 } (got ${describeType(options)})`,
      );
    }
    checkOptionsObject(options, 'named(name).with options', CALL_OPTIONS);
    const t = options.timeout;
    const timeout = t === undefined ? undefined : checkTimeout(t, 'named(name).with options.timeout');
    const Self = this.constructor as new (...a: unknown[]) => this;
    return new Self(this.#runtime, this.name, this.#target, this.#s, timeout ?? this.#timeout);
  }

  /**
   * A call by tag to the actor registered under the name: resolves with the handler's result; rejects with
   * NameNotBoundError if no actor holds the name at that moment, and otherwise as `ActorProxy.call` does.
   */
  call<R = unknown>(tag: string, args?: unknown[], kwargs?: Kwargs, options?: CallOptions): Promise<R> {
    const problem = callProblem(tag, args, kwargs, options, 'named(name).call(tag, args, kwargs, options)');
    if (problem !== undefined) return Promise.reject(problem);
    return this[CALL_NAMED](tag, args ?? NO_ARGS, kwargs ?? NO_KWARGS, options?.timeout);
  }

  /**
   * Fire-and-forget to the actor registered under the name: `[tag, null, args, {}]`. Returns a promise that
   * resolves once the message is on its way and rejects with NameNotBoundError if no actor holds the name
   * (Erlang's `badarg` for a send to an unregistered name); a cast whose promise nobody awaits never crashes
   * the program: its NameNotBoundError is then reported at debug level, as a message to a dead actor is.
   */
  cast(tag: string, ...args: unknown[]): Promise<void>;
  cast(tag: string): Promise<void> {
    checkTag(tag, 'named(name).cast(tag, ...args)');
    // biome-ignore lint/complexity/noArguments: the allocation-free form, as ActorProxy.cast
    return this.#deliver(tag, null, argsAfter(arguments, 1));
  }

  /** PARLEY's raw send to the actor registered under the name: `[tag, sender, args, {}]`; as `cast` otherwise. */
  send(tag: string, sender: Address | null, ...args: unknown[]): Promise<void> {
    checkTag(tag, 'named(name).send(tag, sender, ...args)');
    checkSender(sender, 'named(name).send(tag, sender, ...args)');
    return this.#deliver(tag, sender, sharedIfEmpty(args));
  }

  /**
   * The current holder of the name as an `ActorProxy` (typed after the class given to `named`), to link to it,
   * monitor it or pass its ref on; rejects with NameNotBoundError if no actor holds the name.
   */
  async resolve(): Promise<ActorProxy<any>> {
    const ref = this.#current() ?? (await this.#later((r) => r));
    if (this.#target !== undefined) return this.#runtime.proxy(ref, this.#target) as any;
    const found = this.#s.found;
    return (
      found?.ref === ref ? await this.#runtime.registry.proxyFor(found) : this.#runtime.proxy(ref)
    ) as any;
  }

  /** For logs: which name, or which pool. */
  toString(): string {
    return `NamedProxy('${this.name}')`;
  }

  /** What `console.log` and `util.inspect` show: the name, not the runtime's internals. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** For `JSON.stringify`: the name, or the pool's ref. */
  toJSON(): unknown {
    return { named: this.name };
  }

  /** @internal A call through the name; typed proxy methods come here. */
  [CALL_NAMED](tag: string, args: unknown[], kwargs: Kwargs, timeout: number | undefined): Promise<any> {
    timeout ??= this.#timeout;
    const ref = this.#current();
    if (ref !== undefined) return this.#callOn(ref, tag, args, kwargs, timeout, true);
    return this.#later((r) => this.#callOn(r, tag, args, kwargs, timeout, true));
  }

  #callOn(
    ref: ActorRef,
    tag: string,
    args: unknown[],
    kwargs: Kwargs,
    timeout: number | undefined,
    again: boolean,
  ): Promise<any> {
    const p = this.#runtime.call(ref, tag, args, kwargs, timeout);
    return p.then(undefined, (err: unknown) => {
      // NoSuchActorError: the holder was gone when the call reached it, so nothing ran: send it to the new one.
      if (!(err instanceof NoSuchActorError)) throw err;
      this.#forget(ref);
      if (!again) throw err;
      return this.#later((r) => this.#callOn(r, tag, args, kwargs, timeout, false));
    });
  }

  #deliver(tag: string, sender: Address | null, args: unknown[]): Promise<void> {
    const ref = this.#current();
    if (ref !== undefined) {
      ref.sendWith(tag, sender, args, NO_KWARGS);
      return SENT;
    }
    const p = this.#later((r) => r.sendWith(tag, sender, args, NO_KWARGS));
    p.catch((err: unknown) =>
      this.#runtime.logger.debug(`named('${this.name}'): ${tag} not sent: ${(err as Error)?.message ?? err}`),
    );
    return p;
  }

  /** The cached holder if it is still alive (and nothing queued must go first), else undefined. */
  #current(): ActorRef | undefined {
    const ref = this.#s.held;
    if (ref === undefined || this.#s.queued !== 0) return undefined;
    if (ref.thread === this.#runtime.thread && this.#runtime.cellOf(ref) === undefined) {
      this.#s.held = undefined; // a holder of this thread: its death is seen at once
      return undefined;
    }
    return ref;
  }

  #forget(ref: ActorRef): void {
    if (this.#s.held === ref) this.#s.held = undefined;
  }

  /** Runs `op` with the holder once the name is looked up; operations queued meanwhile run in order. */
  #later<R>(op: (ref: ActorRef) => R): Promise<Awaited<R>> {
    this.#s.pending ??= this.#lookup();
    const p = this.#s.pending;
    this.#s.queued++;
    const done = () => {
      if (--this.#s.queued === 0 && this.#s.pending === p) this.#s.pending = undefined;
    };
    return p.then(
      (ref) => {
        done();
        return op(ref) as Awaited<R>;
      },
      (err: unknown) => {
        done();
        throw err;
      },
    );
  }

  async #lookup(): Promise<ActorRef> {
    const found = await this.#runtime.registry.whereis(this.name);
    if (found === undefined) throw new NameNotBoundError(this.name);
    const ref = found.ref;
    this.#s.held = ref;
    this.#s.found = found;
    // A holder on another thread: its thread tells us when it exits (one watch per holder, not per call).
    if (ref.thread !== this.#runtime.thread) {
      void awaitExit(this.#runtime, ref).then(() => this.#forget(ref));
    }
    return ref;
  }
}

/**
 * A proxy that follows a registered name: `named('room', Room).post('hi')`. Same surface as `ActorProxy`
 * (typed methods, `call`, `cast`, `send`), each resolved to the name's holder at that moment; `cast` and
 * `send` return a promise that rejects with NameNotBoundError when the name is unbound.
 */
export type NamedProxy<T = unknown> = NamedProxyBase & TypedMethods<NamedProxyBase, T>;

/** `x instanceof NamedProxy` tells a named proxy. */
export const NamedProxy = NamedProxyBase;

// Error messages name it, and say how to get one actor from it (see oneActorAdvice).
Object.defineProperty(NamedProxyBase.prototype, PROXY_KIND, { value: 'NamedProxy' });

const namedClasses = new WeakMap<ClassInfo, typeof NamedProxyBase>();

class NamedFunctionProxy extends NamedProxyBase {
  invoke(...args: unknown[]): Promise<unknown> {
    return this[CALL_NAMED]('invoke', args, NO_KWARGS, undefined);
  }
}

function namedClassFor(info: ClassInfo): typeof NamedProxyBase {
  let cls = namedClasses.get(info);
  if (cls !== undefined) return cls;
  cls = class extends NamedProxyBase {};
  Object.defineProperty(cls, 'name', { value: 'NamedProxy' });
  // call, cast, send, resolve… keep their meaning
  defineHandlerMethods(
    cls.prototype,
    NamedProxyBase.prototype,
    info,
    (tag) =>
      function (this: NamedProxyBase, ...args: unknown[]) {
        return this[CALL_NAMED](tag, args, NO_KWARGS, undefined);
      },
  );
  namedClasses.set(info, cls);
  return cls;
}

/** @internal `runtime.named(name, cls?)`: checks its arguments (throws InvalidArgumentError) and builds the proxy. */
export function namedProxy(rt: Runtime, name: unknown, cls: unknown, fn: string): NamedProxyBase {
  checkName(name, fn);
  if (cls === undefined) return new NamedProxyBase(rt, name);
  checkProxyClass(cls, fn, false);
  if (cls instanceof FunctionActor) return new NamedFunctionProxy(rt, name, cls);
  return new (namedClassFor(classInfo(cls as Function, Actor)))(rt, name, cls);
}
