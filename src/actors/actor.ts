/**
 * `Actor`: the base class of class-based actors. A subclass holds the actor's private state and marks its
 * message handlers with `@handles(tag)`. The runtime constructs it (with the args given to `spawn`), runs
 * `onStart`, then one message at a time, and `onStop(reason)` when it exits.
 */

import { NotAnActorError } from '../core/errors.js';
import type { ExitReason, Kwargs, Message } from '../core/message.js';
import { NO_KWARGS } from '../core/message.js';
import type { ActorRef, Address } from '../core/ref.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Cell } from './cell.js';
import { ctx } from './context.js';
import type { ActorTimers } from './timers.js';

/** @internal */
export const CELL_OF: unique symbol = Symbol('parley.actorCell');

/**
 * Base class of class actors.
 *
 * ```ts
 * class Counter extends Actor {
 *   private n = 0;
 *   @handles('incr') incr(by = 1) { return (this.n += by); }
 *   override onStop(reason: ExitReason) { console.log('stopped with', reason); }
 * }
 * const c = spawn(Counter);
 * await c.incr(2); // 2
 * ```
 * Handlers run one at a time; an `async` handler blocks only this actor while it awaits. A handler that
 * throws rejects its caller with the error and crashes the actor ("let it crash"); to answer a caller with
 * an error without crashing, return it as a value (e.g. `{ ok: false, error }`).
 */
export class Actor {
  constructor() {
    const cell = ctx.constructing;
    if (cell === undefined) {
      throw new NotAnActorError(
        `${new.target.name} is an Actor: create it with spawn(${new.target.name}, ...args), not with new`,
      );
    }
    ctx.constructing = undefined;
    this[CELL_OF] = cell;
  }

  /** This actor's address. */
  get self(): ActorRef {
    return this[CELL_OF].ref;
  }

  /** The runtime this actor runs in. */
  get runtime(): Runtime {
    return this[CELL_OF].runtime;
  }

  /** The message being handled, `[tag, sender, args, kwargs]` (undefined outside a handler). */
  get message(): Message | undefined {
    return this[CELL_OF].mailbox?.current();
  }

  /** The current message's tag. */
  get tag(): string | undefined {
    return this[CELL_OF].mailbox?.tag;
  }

  /** The current message's sender (a one-shot reply address for calls, null for casts). */
  get sender(): Address | null {
    return this[CELL_OF].mailbox?.sender ?? null;
  }

  /** The current message's keyword arguments. */
  get kwargs(): Kwargs {
    return this[CELL_OF].mailbox?.kwargs ?? NO_KWARGS;
  }

  /**
   * This actor's keyed timers (Akka's `TimerScheduler`): `this.timers.once(key, ms, tag, ...args)`,
   * `this.timers.every(key, ms, tag, ...args)`, `this.timers.cancel(key)`. Each sends this actor
   * `[tag, null, args, {}]`; a key started again replaces its timer; a cancelled or replaced timer's message
   * is never handled, even if it is queued already; all are cancelled when the actor exits.
   */
  get timers(): ActorTimers {
    return this[CELL_OF].keyedTimers();
  }

  /**
   * Ends this actor with `reason` (Erlang's `exit/1`): `onStop(reason)` runs, then links and monitors
   * see `reason`. Inside the handler that is running (sync, or an async one not settled yet) it is OTP's
   * stop-with-reply: the handler finishes, `onStop` runs, the caller gets the handler's result, then the
   * actor exits (a throw after the stop crashes it with the error instead). Anywhere else (constructor,
   * `onStart`, `onStop`, a `run()` loop) it ends the actor at once; from a `run()` loop, return right after
   * calling it.
   */
  stop(reason: ExitReason = 'normal'): void {
    this[CELL_OF].stop(reason);
  }

  /** Called once before the first message; may be async (messages wait). Throwing ends the actor. */
  onStart?(): void | Promise<void>;

  /** Called when the actor exits for any reason but `'kill'`; may be async. */
  onStop?(reason: ExitReason): void | Promise<void>;

  /**
   * Override to run a raw PARLEY receive loop instead of `@handles` dispatch: call `recv()` yourself.
   * The actor exits `'normal'` when it returns.
   */
  run?(): unknown;

  /**
   * @internal Declared last so that TypeScript's "missing the following properties from type 'Actor'" lists
   * the public members first.
   */
  readonly [CELL_OF]: Cell;
}

/**
 * @internal A `class` that does not extend Actor (spawning it would fail later: say so at once). `source`:
 * the function's source text, when the caller has it already.
 */
export function isForeignClass(target: Function, source?: string): boolean {
  return (
    !(target.prototype instanceof Actor) &&
    /^class[\s{]/.test(source ?? Function.prototype.toString.call(target))
  );
}

/** @internal The Supervisor class, set by supervision/supervisor.ts (lower layers recognise supervisors by it). */
export const supervisorClass: {
  cls: Function | undefined;
  /** The supervision trees as text (`runtime.tree()`), from supervision/tree-view.ts. */
  renderTrees?: (rt: Runtime) => Promise<string>;
} = { cls: undefined };

/** @internal Is `actor` the Supervisor class or a subclass of it? */
export function isSupervisorClass(actor: unknown): boolean {
  if (typeof actor !== 'function') return false;
  const cls = supervisorClass.cls;
  return cls !== undefined && (actor === cls || actor.prototype instanceof cls);
}
