/**
 * `ActorProxy<T>`: what `spawn` returns. `proxy.add(1, 2)` is a call to the handler of `add`'s tag
 * (awaited reply); `cast` is fire-and-forget; `send` is PARLEY's raw send; `ref` is the serializable address.
 * A proxy class is generated once per actor class (plain prototype methods, no JS Proxy trap per call).
 */

import { InvalidArgumentError, InvalidOptionError, UnknownTagError } from '../core/errors.js';
import { INSPECT } from '../core/inspect.js';
import { argsAfter, type Kwargs, NO_ARGS, NO_KWARGS, sharedIfEmpty } from '../core/message.js';
import { ActorRef, type Address, BOUND } from '../core/ref.js';
import { checkOptionsObject, checkSender, checkTag, checkTimeout, describeType } from '../core/validate.js';
import type { Actor } from './actor.js';
import type { FunctionActor } from './function-actor.js';
import type { ClassInfo } from './handles.js';

/** Options of one call. */
export interface CallOptions {
  /**
   * Milliseconds to wait for the reply, 0 to 2^31 − 1, or `Infinity` for no timeout (default: the
   * runtime's `callTimeout`, 5000).
   */
  timeout?: number;
}

const CALL_OPTIONS = ['timeout'];

/** The methods every proxy has, whatever the actor. */
export class ProxyBase {
  /** The actor's serializable address: put it in messages, link to it, monitor it. */
  readonly ref: ActorRef;

  /**
   * A proxy needs an ActorRef bound to a runtime (one from spawn, whereis, a message, or
   * `runtime.proxy(ref)`); anything else is refused at once with InvalidArgumentError.
   */
  constructor(ref: ActorRef) {
    if (!(ref instanceof ActorRef) || typeof ref[BOUND]?.call !== 'function') throw badProxyTarget(ref);
    this.ref = ref;
  }

  /** PARLEY's raw send: delivers `[tag, sender, args, {}]`. A handler's result goes back to `sender`. */
  send(tag: string, sender: Address | null, ...args: unknown[]): void {
    checkTag(tag, 'proxy.send(tag, sender, ...args)');
    checkSender(sender, 'proxy.send(tag, sender, ...args)');
    this.ref.sendWith(tag, sender, sharedIfEmpty(args), NO_KWARGS);
  }

  /** Fire-and-forget: delivers `[tag, null, args, kwargs]`; no reply, no error comes back. */
  cast(tag: string, ...args: unknown[]): void;
  cast(tag: string): void {
    checkTag(tag, 'proxy.cast(tag, ...args)');
    // `arguments`, not a rest parameter: an argument-less cast then allocates nothing at all.
    // biome-ignore lint/complexity/noArguments: the hot path's allocation-free form
    this.ref.sendWith(tag, null, argsAfter(arguments, 1), NO_KWARGS);
  }

  /**
   * A call by tag: resolves with the handler's result; rejects with the handler's error,
   * `UnknownTagError`, `CallTimeoutError`, `NoSuchActorError` or `ActorExitedError`; and at once with
   * `InvalidArgumentError` (a tag that is not a string, args not an array, kwargs not a plain object) or
   * `InvalidOptionError` (a bad `options`, a timeout that is not 0…2^31 − 1 ms or Infinity).
   */
  call<R = unknown>(tag: string, args?: unknown[], kwargs?: Kwargs, options?: CallOptions): Promise<R> {
    if (options !== undefined) {
      try {
        checkOptionsObject(options, 'call options', CALL_OPTIONS);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    // The tag, args, kwargs and timeout are checked by every call path (the runtime's call).
    return this.ref[BOUND].call(this.ref, tag, args ?? NO_ARGS, kwargs ?? NO_KWARGS, options?.timeout);
  }

  /**
   * This proxy with per-call options, keeping its type: `await account.with({ timeout: 100 }).deposit(5)`.
   * The proxy returned makes every call (typed methods, `invoke`, `call`) with `options`; an option left
   * out keeps this proxy's value, and an explicit `call(…, { timeout })` still wins. This proxy is
   * unchanged. Calls through it keep every guarantee of a call (CallTimeoutError, ActorExitedError,
   * NoSuchActorError…). Throws InvalidOptionError at once for options that are not an object, an unknown
   * option, or a timeout that is not 0…2^31 − 1 ms or `Infinity`.
   */
  with(options: CallOptions): this {
    return withOptions(this, options);
  }

  /** `ActorProxy<Name#id>`, for logs. */
  toString(): string {
    return `ActorProxy${this.ref}`;
  }

  /** The ref's JSON form, so `JSON.stringify` of a proxy shows which actor it is. */
  toJSON(): unknown {
    return this.ref.toJSON();
  }
}

/** Why `ref` cannot have a proxy, and where proxies come from. */
function badProxyTarget(ref: unknown): InvalidArgumentError {
  const what =
    ref instanceof ActorRef
      ? `the ActorRef ${ref}, which is bound to no runtime (it was not made by one)`
      : describeType(ref);
  return new InvalidArgumentError(
    `an ActorProxy needs an ActorRef bound to a runtime (got ${what}); get proxies from spawn() or whereis(), ` +
      'and a proxy for a ref that arrived in a message from runtime.proxy(ref)',
  );
}

// `console.log(proxy)` and `util.inspect(proxy)` print `ActorProxy<Account#42@1>`, never the runtime behind
// its ref. On the prototype (no member in the types, nothing per proxy); it reads only `ref`, and never
// throws, whatever `this` is.
Object.defineProperty(ProxyBase.prototype, INSPECT, {
  value(this: ProxyBase, _depth: number, options: { stylize?: (text: string, style: string) => string }) {
    let text: string;
    try {
      const ref: unknown = this.ref;
      text = `ActorProxy${ref instanceof ActorRef ? String(ref) : '<no actor>'}`;
    } catch {
      text = 'ActorProxy<?>';
    }
    return typeof options?.stylize === 'function' ? options.stylize(text, 'special') : text;
  },
  writable: true,
  configurable: true,
});

/** @inline */
type AnyFn = (...args: any[]) => any;
/** The names a proxy keeps for itself: those of {@link Actor} and of every proxy (`call`, `send`…). */
type Reserved = keyof Actor | keyof ProxyBase;

/**
 * The typed calls of an actor class's proxy: each method of `T` (except those of {@link Actor} and of every
 * proxy) becomes a method with the same parameters that returns a promise of its awaited result.
 */
export type ProxyMethods<T> = {
  [K in keyof T as K extends Reserved ? never : T[K] extends AnyFn ? K : never]: T[K] extends (
    ...args: infer A
  ) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

/**
 * The typed methods of a proxy of `T` whose own members are `Base`'s: an `Actor` subclass's methods as calls
 * (those named like one of `Base`'s members are left out: reach them with `call(tag)`), a functionActor's
 * `invoke`. Named and pool proxies share it.
 *
 * @inline
 */
export type TypedMethods<Base, T> = T extends Actor
  ? Omit<ProxyMethods<T>, keyof Base>
  : T extends FunctionActor<infer F>
    ? {
        /** Calls the function actor with `args`; resolves with its (awaited) result. */
        invoke(...args: Parameters<F>): Promise<Awaited<ReturnType<F>>>;
      }
    : unknown;

/**
 * What `spawn` returns. For an `Actor` subclass, every method is a typed call:
 * `const n: number = await adder.add(1, 2)`. For a `functionActor`, `invoke(...args)` calls it.
 */
export type ActorProxy<T = unknown> = ProxyBase &
  (T extends Actor
    ? ProxyMethods<T>
    : T extends FunctionActor<infer F>
      ? { invoke(...args: Parameters<F>): Promise<Awaited<ReturnType<F>>> }
      : unknown);

/**
 * A handle on a running actor: what `spawn`, `spawnWith`, `whereis` and `runtime.proxy` return.
 *
 * `ActorProxy<T>` has the methods below for every actor and, typed after the actor:
 * - for an {@link Actor} subclass, each of its methods as a call that returns a promise of the method's
 *   (awaited) result: `await counter.incr(2)`;
 * - for a {@link functionActor}, `invoke(...args)`, which calls the function.
 *
 * A typed method call sends the method's `@handles` tag with its arguments, waits for the reply (up to the
 * runtime's `callTimeout`) and rejects as {@link ActorProxy.call | call} does. `x instanceof ActorProxy`
 * tells a proxy. To pass an actor in a message, send its {@link ActorProxy.ref | ref}; the receiver makes a
 * typed proxy of it with `runtime.proxy(ref, Class)`. Some signatures name it by its class, `ProxyBase`.
 *
 * @example
 * ```ts
 * class Counter extends Actor {
 *   private n = 0;
 *   @handles('incr') incr(by: number) { return (this.n += by); }
 * }
 * const counter = spawn(Counter);        // ActorProxy<Counter>
 * const n: number = await counter.incr(2); // a typed call
 * counter.cast('incr', 1);                // fire-and-forget
 * await counter.call('incr', [1], {}, { timeout: 100 });
 * ```
 *
 * @class
 */
export const ActorProxy = ProxyBase;

const proxyClasses = new WeakMap<ClassInfo, typeof ProxyBase>();

/** @internal The proxy class of an actor class (generated once, cached). */
export function proxyClassFor(info: ClassInfo): typeof ProxyBase {
  let cls = proxyClasses.get(info);
  if (cls !== undefined) return cls;
  cls = class extends ProxyBase {};
  // send, cast, call, ref… keep their proxy meaning
  defineHandlerMethods(
    cls.prototype,
    ProxyBase.prototype,
    info,
    (tag) =>
      function (this: ProxyBase, ...args: unknown[]) {
        return this.ref[BOUND].call(this.ref, tag, args, NO_KWARGS, undefined);
      },
  );
  callTags.set(cls.prototype, info.methods);
  proxyClasses.set(info, cls);
  return cls;
}

/**
 * @internal Defines on `proto` a method per method of the actor class (`info`) that is not a member of
 * `base`: `methodFor(tag)` for a handler; one that rejects with UnknownTagError for a method without
 * `@handles`. Shared by the proxy classes of actors, named proxies and pools.
 */
export function defineHandlerMethods(
  proto: object,
  base: object,
  info: ClassInfo,
  methodFor: (tag: string) => Function,
): void {
  for (const [key, tag] of info.methods) {
    if (key in base) continue;
    const method =
      tag === undefined
        ? function (this: unknown) {
            const ref = this instanceof ProxyBase ? this.ref : undefined;
            return Promise.reject(
              new UnknownTagError(key, ref, ` (method ${key}() has no @handles decorator)`),
            );
          }
        : methodFor(tag);
    Object.defineProperty(proto, key, { value: method, writable: true, configurable: true });
  }
}

/** @internal The proxy class of a functionActor. */
export class FunctionActorProxy extends ProxyBase {
  invoke(...args: unknown[]): Promise<unknown> {
    return this.ref[BOUND].call(this.ref, 'invoke', args, NO_KWARGS, undefined);
  }
}

// ---- per-call options: proxy.with(options) ----

/**
 * The timeout of a proxy made by `with()`: an own property of the copies `with()` makes, read only by the
 * methods of their prototypes below. Ordinary proxies and their methods never see it: their call path is
 * exactly what it was.
 */
const TIMEOUT = Symbol('parley.callTimeout');

interface Timed {
  [TIMEOUT]: number | undefined;
}

/** The proxy methods of a proxy prototype that make calls, by key → tag (`undefined`: not a handler). */
const callTags = new WeakMap<object, ReadonlyMap<string, string | undefined>>([
  [FunctionActorProxy.prototype, new Map([['invoke', 'invoke']])],
]);

/** The prototype of the copies `with()` makes, by the prototype of the proxy copied (one per proxy class). */
const timedPrototypes = new WeakMap<object, object>();
const timed = new WeakSet<object>();

/** `proxy.with(options)`: options checked, then a copy of the proxy whose calls use them. */
function withOptions<P extends ProxyBase>(proxy: P, options: CallOptions): P {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError(
      `proxy.with(options) needs an options object such as { timeout: 100 } (got ${describeType(options)})`,
    );
  }
  checkOptionsObject(options, 'proxy.with options', CALL_OPTIONS);
  const timeout = options.timeout;
  if (timeout !== undefined) checkTimeout(timeout, 'proxy.with options.timeout');
  const proto = Object.getPrototypeOf(proxy) as object;
  // A copy of the proxy's own fields (whatever kind of proxy it is) on the timed variant of its prototype.
  const copy = Object.assign(
    Object.create(timed.has(proto) ? proto : timedPrototypeOf(proto)),
    proxy,
  ) as Timed;
  copy[TIMEOUT] = timeout ?? (proxy as unknown as Timed)[TIMEOUT];
  return copy as unknown as P;
}

/** Whether call() will accept `options` as an options object (its only option being `timeout`). */
function optionsAreValid(options: unknown): boolean {
  try {
    checkOptionsObject(options, 'call options', CALL_OPTIONS);
    return true;
  } catch {
    return false;
  }
}

/** The prototype of `with()` copies of proxies of prototype `proto`: its call methods pass the timeout. */
function timedPrototypeOf(proto: object): object {
  let t = timedPrototypes.get(proto);
  if (t !== undefined) return t;
  t = Object.create(proto) as object;
  for (const [key, tag] of callTags.get(proto) ?? []) {
    if (tag === undefined || key in ProxyBase.prototype) continue; // as proxyClassFor skips them
    Object.defineProperty(t, key, {
      value: function (this: ProxyBase & Timed, ...args: unknown[]) {
        return this.ref[BOUND].call(this.ref, tag, args, NO_KWARGS, this[TIMEOUT]);
      },
      writable: true,
      configurable: true,
    });
  }
  Object.defineProperty(t, 'call', {
    value: function (
      this: ProxyBase & Timed,
      tag: string,
      args?: unknown[],
      kwargs?: Kwargs,
      options?: CallOptions,
    ): Promise<unknown> {
      // No timeout given: this copy's. Bad options go to call() as they are, to be refused there.
      let o = options;
      if (options === undefined || options === null) o = { timeout: this[TIMEOUT] };
      else if (optionsAreValid(options) && options.timeout === undefined) o = { timeout: this[TIMEOUT] };
      return ProxyBase.prototype.call.call(this, tag, args, kwargs, o);
    },
    writable: true,
    configurable: true,
  });
  timed.add(t);
  timedPrototypes.set(proto, t);
  return t;
}
