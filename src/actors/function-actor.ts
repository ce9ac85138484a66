/**
 * `functionActor(fn)`: a plain function as a server actor. Every message it gets runs `fn(...args)`;
 * a call is answered with the result. It records its module, so a worker thread can import it.
 */

import { NotAnActorError } from '../core/errors.js';
import { type Handler, isAsyncFunction } from './handles.js';
import { recordSite } from './importable.js';
import { callerSite } from './module-url.js';

/**
 * A function wrapped as a server actor; spawn it like a class. Made by {@link functionActor}.
 *
 * @typeParam F The wrapped function's type: it types the proxy's `invoke(...args)`.
 */
export class FunctionActor<F extends (...args: any[]) => unknown = (...args: any[]) => unknown> {
  /** @internal */
  readonly handler: Handler;

  /** @internal Use {@link functionActor}, which also records the module for worker threads. */
  constructor(
    /** The wrapped function. */
    readonly fn: F,
  ) {
    this.handler = {
      key: fn.name,
      fn: fn as (...a: unknown[]) => unknown,
      isAsync: isAsyncFunction(fn),
    };
  }

  /** The function's name, used in refs and logs. */
  get name(): string {
    return this.fn.name || 'functionActor';
  }
}

/**
 * Turns a plain function into a server actor: any call runs `fn(...args)` and replies with its result
 * (awaited if it is a promise). Call it through the proxy's `invoke(...args)`, or with any tag:
 * `proxy.call('add', [1, 2])`, or PARLEY's raw `proxy.send('add', me(), 1, 2)`.
 *
 * ```ts
 * export const adder2 = functionActor(function adder2(a: number, b: number) { return a + b; });
 * const a = spawn(adder2);
 * await a.invoke(1, 2); // 3
 * ```
 * @typeParam F The function's type: it types the proxy's `invoke(...args)`.
 * @throws NotAnActorError if `fn` is not a function.
 */
export function functionActor<F extends (...args: any[]) => unknown>(fn: F): FunctionActor<F> {
  if (typeof fn !== 'function') {
    throw new NotAnActorError(`functionActor(fn) needs a function (got ${typeof fn})`);
  }
  const fa = new FunctionActor(fn);
  recordSite(fa, callerSite());
  return fa;
}
