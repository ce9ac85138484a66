/**
 * `started(actor, { timeout })`: waits until an actor's start (its constructor and `onStart`, sync or
 * async) has finished, wherever it runs — as OTP's `gen_server:start_link` returns only after `init`.
 * The actor's thread answers once its cell leaves the starting state (see CellState.whenStarted).
 */
import type { Deadline } from '../actors/deadlines.js';
import { ProxyBase } from '../actors/proxy.js';
import {
  ActorExitedError,
  CallTimeoutError,
  InvalidArgumentError,
  NoSuchActorError,
} from '../core/errors.js';
import { ActorRef, ReplyRef } from '../core/ref.js';
import { checkOptionsObject, checkTimeout, describeType, oneActorAdvice } from '../core/validate.js';
import { whenStarted } from './answers.js';
import type { Runtime } from './runtime.js';

/** Options of `started()`. */
export interface StartedOptions {
  /**
   * Milliseconds to wait for the start to finish, 0 to 2^31 − 1, or `Infinity` for no limit (default: the
   * runtime's `callTimeout`, 5000); past it `started()` rejects with CallTimeoutError.
   */
  timeout?: number;
}

const STARTED_OPTIONS = ['timeout'];

/** @internal Resolves once `actor` has started; every mistake rejects. */
export function awaitStarted(rt: Runtime, actor: unknown, options: unknown, fn: string): Promise<void> {
  let ref: ActorRef;
  let timeout: number;
  try {
    ref = startedRef(actor, fn);
    checkOptionsObject(options, 'started options', STARTED_OPTIONS);
    const t = (options as StartedOptions | undefined)?.timeout;
    timeout = t === undefined ? rt.callTimeout : checkTimeout(t, 'started options.timeout');
  } catch (err) {
    return Promise.reject(err);
  }
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const deadline: Deadline = {
      at: 0,
      slot: -1,
      fire: () => {
        if (done) return;
        done = true;
        reject(
          new CallTimeoutError(
            'started',
            timeout,
            ref,
            `${ref} did not finish its start (onStart) within ${timeout} ms; pass a longer { timeout } to ` +
              'started(), or check that onStart settles',
          ),
        );
      },
    };
    rt.deadlines.add(deadline, timeout);
    const settle = (err: unknown): void => {
      if (done) return;
      done = true;
      rt.deadlines.cancel(deadline);
      if (err === undefined) resolve();
      else reject(err);
    };
    whenStarted(rt, ref).then(
      (failed) =>
        settle(
          failed === undefined
            ? undefined
            : failed === 'noproc'
              ? new NoSuchActorError(ref, 'await the start of')
              : new ActorExitedError(failed, ref, 'exited before its start finished'),
        ),
      (err: unknown) => settle(err ?? new Error('internal: started() failed without a reason')),
    );
  });
}

function startedRef(actor: unknown, fn: string): ActorRef {
  if (actor instanceof ActorRef && !(actor instanceof ReplyRef)) return actor;
  if (actor instanceof ProxyBase) return actor.ref;
  throw new InvalidArgumentError(
    `${fn}: actor must be an ActorProxy or an ActorRef (got ${describeType(actor)}); ` +
      oneActorAdvice(actor, 'pass what spawn() returned, or its .ref'),
  );
}
