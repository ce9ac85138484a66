/**
 * Every error Parley raises, in one module. Each is a named `Error` subclass with a stable `code`
 * (match on it, not on the message), an optional `cause`, the actor involved when there is one, and a
 * message that says what went wrong and what to do.
 */

import { INSPECT, inspectError } from './inspect.js';
import type { ExitReason } from './message.js';
import type { ActorRef } from './ref.js';

/**
 * The options every Parley error takes after its message.
 *
 * @inline
 */
export interface ParleyErrorOptions {
  /** The underlying error or value (becomes the standard `error.cause`). */
  cause?: unknown;
  /** The actor the error is about, if any (becomes `error.actor`). */
  actor?: ActorRef | undefined;
}

/**
 * Base class of every Parley error: `err instanceof ParleyError` tells Parley's errors from others.
 * Match a specific error with `instanceof` or on its stable {@link ParleyError.code | code}, never on the
 * message.
 *
 * @example
 * ```ts
 * try {
 *   await counter.incr(1);
 * } catch (err) {
 *   if (err instanceof CallTimeoutError) console.log(`no reply to '${err.tag}' in ${err.timeout} ms`);
 *   else if (err instanceof ParleyError) console.log(err.code, err.actor);
 *   else throw err;
 * }
 * ```
 */
export class ParleyError extends Error {
  /** Stable machine-readable code, e.g. `'ERR_PARLEY_CALL_TIMEOUT'`. */
  readonly code: string = 'ERR_PARLEY';
  /**
   * The actor the error is about, when there is one. Not enumerable (like `cause`): a print of the error
   * that ignores Parley's own (Node's report of an uncaught error) then shows no runtime internals.
   */
  declare readonly actor: ActorRef | undefined;

  constructor(message: string, options: ParleyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    Object.defineProperty(this, 'actor', { value: options.actor, writable: true, configurable: true });
  }

  /** The error's class name (`'CallTimeoutError'`, …), so stack traces and logs say which error it is. */
  override get name(): string {
    return this.constructor.name;
  }
}

// `console.log(err)` and `util.inspect(err)`: name, code, message, the frames outside Parley, the fields
// (the actor as `<Account#42@1>`) and the cause in brief, never the cells or runtimes behind the refs.
Object.defineProperty(ParleyError.prototype, INSPECT, {
  value(this: ParleyError, depth: number, options: object, inspect: (v: unknown, o?: object) => string) {
    return inspectError(this, depth, options, inspect);
  },
  writable: true,
  configurable: true,
});

/** A call got no reply within its timeout. The late reply, if it ever comes, is dropped. */
export class CallTimeoutError extends ParleyError {
  override readonly code = 'ERR_PARLEY_CALL_TIMEOUT';
  constructor(
    /** The tag of the call that got no reply. */
    readonly tag: string,
    /** The timeout that ran out, in ms. */
    readonly timeout: number,
    actor?: ActorRef,
    /** The whole message, for a wait that is not a call (`started()`). */
    message?: string,
  ) {
    super(
      message ??
        `call '${tag}' to ${actor ?? 'actor'} got no reply within ${timeout} ms; ` +
          'pass a longer { timeout } to call(), raise the runtime option callTimeout, or check that the actor replies',
      { actor },
    );
  }
}

/** A message's tag has no handler in the receiving actor. */
export class UnknownTagError extends ParleyError {
  override readonly code = 'ERR_PARLEY_UNKNOWN_TAG';
  constructor(
    /** The tag that has no handler. */
    readonly tag: string,
    actor?: ActorRef,
    detail = '',
  ) {
    super(
      `${actor ?? 'the actor'} has no handler for tag '${tag}'${detail}; ` +
        `add a method decorated with @handles('${tag}') or send a tag it handles`,
      { actor },
    );
  }
}

/** The callee exited before it replied; `reason` is its exit reason. */
export class ActorExitedError extends ParleyError {
  override readonly code = 'ERR_PARLEY_ACTOR_EXITED';
  constructor(
    /** The exit reason of the actor (`'normal'`, `'killed'`, an `Error`…). */
    readonly reason: ExitReason,
    actor?: ActorRef,
    what = 'exited before it replied',
  ) {
    super(`${actor ?? 'the actor'} ${what} (reason: ${describeReason(reason)})`, {
      actor,
      cause: isErrorValue(reason) ? reason : undefined,
    });
  }
}

/** The addressed actor is dead or never existed. */
export class NoSuchActorError extends ParleyError {
  override readonly code = 'ERR_PARLEY_NO_SUCH_ACTOR';
  constructor(actor: ActorRef | string, what = 'call') {
    super(
      `cannot ${what} ${actor}: no such actor (it has exited or never existed); ` +
        'monitor it to learn when it exits, or look it up again with whereis()',
      { actor: typeof actor === 'string' ? undefined : actor },
    );
  }
}

/** `register(name, …)` with a name that another live actor holds. */
export class NameTakenError extends ParleyError {
  override readonly code = 'ERR_PARLEY_NAME_TAKEN';
  constructor(
    /** The name that is taken. */
    readonly registeredName: string,
    holder: ActorRef | undefined,
    detail?: string,
  ) {
    super(
      detail ??
        `the name '${registeredName}' is already registered to ${holder}; ` +
          'unregister it first, or pick another name',
      { actor: holder },
    );
  }
}

/**
 * A call, cast or send through a named proxy (`named('room')`) found no actor registered under the name at
 * that moment: it was never registered, was unregistered, or its holder exited and (if supervised) has not
 * been restarted yet. As Erlang's `noproc` for a call to a registered name, it fails at once.
 */
export class NameNotBoundError extends ParleyError {
  override readonly code = 'ERR_PARLEY_NAME_NOT_BOUND';
  constructor(
    /** The name no actor held. */
    readonly registeredName: string,
  ) {
    super(
      `no actor is registered as '${registeredName}' (it may be restarting); a named proxy looks the name up ` +
        'at each call once its holder has exited: retry a little later, check the name passed to register() ' +
        "or to the child spec's name, or monitor the holder to learn when it exits",
    );
  }
}

/** A message holds a value the structured-clone algorithm cannot copy. `path` names it. */
export class NotCloneableError extends ParleyError {
  override readonly code = 'ERR_PARLEY_NOT_CLONEABLE';
  constructor(
    /** Where the value is in the message, e.g. `args[0].handler`. */
    readonly path: string,
    /** What the value is, e.g. `function onDone`, `symbol` or `Promise`. */
    readonly valueType: string,
    cause?: unknown,
  ) {
    super(
      `message value at ${path} (${valueType}) cannot be copied between threads; ` +
        'send plain data (objects, arrays, primitives, Map, Set, Date, typed arrays, Errors, ActorRefs) ' +
        'instead of functions, class instances with behaviour, promises or symbols',
      { cause },
    );
  }
}

/** The actor's class or function can't be found by a worker thread (see README, "Threads"). */
export class NotImportableError extends ParleyError {
  override readonly code = 'ERR_PARLEY_NOT_IMPORTABLE';
}

/** `me()`, `recv()`, `link()` … were called outside any actor. */
export class NoCurrentActorError extends ParleyError {
  override readonly code = 'ERR_PARLEY_NO_CURRENT_ACTOR';
  constructor(fn: string) {
    super(
      `${fn}() was called outside an actor; call it from inside an actor's handler or function, ` +
        'or use runtime.spawn()/runtime.run() from top-level code' +
        (fn === 'me' || fn === 'recv'
          ? ' (in an async class handler after an await, use this.self instead of me())'
          : ''),
    );
  }
}

/** `recv()` found no matching message within its timeout. */
export class ReceiveTimeoutError extends ParleyError {
  override readonly code = 'ERR_PARLEY_RECEIVE_TIMEOUT';
  constructor(
    /** The timeout that ran out, in ms. */
    readonly timeout: number,
  ) {
    super(
      `recv() got no matching message within ${timeout} ms; ` +
        'catch ReceiveTimeoutError to handle the silence, or pass a longer { timeout }',
    );
  }
}

/** `spawn` was given something that is neither an Actor subclass, a function nor a functionActor. */
export class NotAnActorError extends ParleyError {
  override readonly code = 'ERR_PARLEY_NOT_AN_ACTOR';
}

/**
 * A decorator was used wrongly: `@handles` on anything but a public instance method, an empty tag, a second
 * tag on one method, a tag on two methods of one class; `@actor()` on anything but a class. Either decorator
 * standard (TC39 or `experimentalDecorators`) gets the same checks.
 */
export class DecoratorError extends ParleyError {
  override readonly code = 'ERR_PARLEY_DECORATOR';
}

/** An option given to a Parley constructor or function is invalid; the message names it. */
export class InvalidOptionError extends ParleyError {
  override readonly code = 'ERR_PARLEY_INVALID_OPTION';
}

/**
 * An argument of a Parley function is invalid (a name that is not a string, `args` that is not an array, a
 * `recv` filter that is neither a tag nor a function…); the message names the function and the argument.
 * Options objects get `InvalidOptionError` instead.
 */
export class InvalidArgumentError extends ParleyError {
  override readonly code = 'ERR_PARLEY_INVALID_ARGUMENT';
}

/** Top-level `spawn()` or `register()` with no runtime: call startTaskletController() first. */
export class NoRuntimeError extends ParleyError {
  override readonly code = 'ERR_PARLEY_NO_RUNTIME';
}

/** The runtime was shut down; nothing can be spawned on it any more. */
export class RuntimeStoppedError extends ParleyError {
  override readonly code = 'ERR_PARLEY_RUNTIME_STOPPED';
}

/** `start…Controller()` while the default runtime an earlier call made still runs. */
export class RuntimeRunningError extends ParleyError {
  override readonly code = 'ERR_PARLEY_RUNTIME_RUNNING';
}

/** A call was answered with something other than `'reply'`. */
export class BadReplyError extends ParleyError {
  override readonly code = 'ERR_PARLEY_BAD_REPLY';
}

/** A supervisor option or child spec is invalid; the message names the field and the child. */
export class ChildSpecError extends ParleyError {
  override readonly code = 'ERR_PARLEY_CHILD_SPEC';
}

/** A supervisor has no child with that id. */
export class NoSuchChildError extends ParleyError {
  override readonly code = 'ERR_PARLEY_NO_SUCH_CHILD';
  constructor(
    /** The child id that was not found. */
    readonly childId: string,
  ) {
    super(`the supervisor has no child '${childId}'; whichChildren() lists the ids it has`);
  }
}

/**
 * The child is running: `restartChild`/`deleteChild` of a running child (terminate it first), or
 * `startChild` with the id of a running child (OTP's `{error, {already_started, Pid}}`; `actor` is that
 * child). `startChild` with the id of a child that does not run is ChildPresentError instead.
 */
export class ChildRunningError extends ParleyError {
  override readonly code = 'ERR_PARLEY_CHILD_RUNNING';
  constructor(
    /** The id of the running child. */
    readonly childId: string,
    what: string,
    actor?: ActorRef,
  ) {
    super(
      what === 'start'
        ? `cannot start child '${childId}': a child with that id is already running (${actor}); ` +
            `ids are unique in a supervisor: pick another id, or terminateChild('${childId}') and ` +
            `deleteChild('${childId}') first to replace it`
        : `cannot ${what} child '${childId}': it is running; terminateChild('${childId}') first`,
      { actor },
    );
  }
}

/**
 * `startChild` with the id of a child the supervisor has but that is not running — stopped, or in its
 * restart loop (OTP's `{error, already_present}`).
 */
export class ChildPresentError extends ParleyError {
  override readonly code = 'ERR_PARLEY_CHILD_PRESENT';
  constructor(
    /** The id of the child that is already there. */
    readonly childId: string,
    state: 'stopped' | 'restarting' = 'stopped',
  ) {
    super(
      `cannot start child '${childId}': the supervisor already has a child with that id, ` +
        (state === 'restarting'
          ? `restarting (its starts keep failing and the supervisor retries them); ` +
            `terminateChild('${childId}') then deleteChild('${childId}') to replace its spec, or pick another id`
          : `stopped; restartChild('${childId}') starts it again, deleteChild('${childId}') first ` +
            'replaces its spec, or pick another id'),
    );
  }
}

/**
 * `restartChild`/`deleteChild` of a child in its restart loop: its starts keep failing and the supervisor
 * retries them (OTP's `{error, restarting}`). The retries go on; `terminateChild` stops them.
 */
export class ChildRestartingError extends ParleyError {
  override readonly code = 'ERR_PARLEY_CHILD_RESTARTING';
  constructor(
    /** The id of the restarting child. */
    readonly childId: string,
    what: string,
  ) {
    super(
      `cannot ${what} child '${childId}': it is restarting (its starts keep failing and the supervisor ` +
        `retries them, within its restart intensity); wait until whichChildren() shows it running, or ` +
        `terminateChild('${childId}') to stop the retries first`,
    );
  }
}

/** A child failed to start (its constructor or onStart threw, or its name was taken); `cause` says why. */
export class ChildStartError extends ParleyError {
  override readonly code = 'ERR_PARLEY_CHILD_START';
  constructor(
    /** The id of the child that failed to start. */
    readonly childId: string,
    /** Why it failed: what its constructor or `onStart` threw, or its exit reason (also the `cause`). */
    readonly reason: unknown,
  ) {
    super(`child '${childId}' failed to start: ${describeReason(reason)}`, { cause: reason });
  }
}

/**
 * `whereis(name, Class)` found an actor under `name` that is not a `Class` (nor a subclass of it): the
 * proxy would have the wrong methods. `expected` and `actual` are class (or function) names.
 */
export class WrongActorClassError extends ParleyError {
  override readonly code = 'ERR_PARLEY_WRONG_ACTOR_CLASS';
  constructor(
    /** The name that was looked up. */
    readonly registeredName: string,
    /** The class whereis was given (its name). */
    readonly expected?: string,
    /** The class of the actor registered under the name (its name). */
    readonly actual?: string,
    actor?: ActorRef,
  ) {
    super(
      expected === undefined
        ? registeredName
        : `whereis('${registeredName}', ${expected}): the actor registered as '${registeredName}' is ${actor ?? 'an actor'} ` +
            `of class ${actual}, not of class ${expected} (nor of a subclass of it); pass its class, or ` +
            `whereis('${registeredName}') for an untyped proxy`,
      { actor },
    );
  }
}

/**
 * A message (or spawn, reply, exit reason) to an actor on another node is larger than one NATS message may
 * be (the server's `max_payload`, 1 MiB by default, less Parley's envelope). Thrown at the send, before
 * anything is sent.
 */
export class MessageTooLargeError extends ParleyError {
  override readonly code = 'ERR_PARLEY_MESSAGE_TOO_LARGE';
  constructor(
    /** The encoded size, in bytes. */
    readonly bytes: number,
    /** The most one message to another node may take, in bytes. */
    readonly limit: number = 0,
    node?: string,
  ) {
    super(
      typeof bytes === 'string'
        ? bytes
        : `a message of ${bytes} bytes to node ${node} is over the limit of ${limit} bytes per message ` +
            "between nodes (the NATS server's max_payload less Parley's envelope): send the data in smaller " +
            "pieces, or raise the server's max_payload",
    );
  }
}

/**
 * `spawnWith({ node })`, `monitorNode` or a call named a node that is not up in the cluster (never joined,
 * left, or lost). `known` lists the nodes up now.
 */
export class NoSuchNodeError extends ParleyError {
  override readonly code = 'ERR_PARLEY_NO_SUCH_NODE';
  constructor(
    /** The node asked for (for a child spec with several nodes: them all, comma-separated). */
    readonly node: string,
    known: readonly string[] = [],
    /** What happened (default: it is not up). */
    detail = 'is not up in this cluster',
  ) {
    super(
      `node '${node}' ${detail} (up now: ${known.join(', ') || 'none'}); start it, check its name, or wait ` +
        `for it with connectNode('${node.split(', ')[0]}')`,
    );
  }
}

/**
 * The cluster's name table (NATS key-value) did not answer in time — the connection to NATS is down or the
 * server is overloaded — so `register`/`unregister` could not complete. The write may still land: retry
 * `register` with the same actor (idempotent), or check with `whereis`.
 */
export class ClusterNamesUnavailableError extends ParleyError {
  override readonly code = 'ERR_PARLEY_CLUSTER_NAMES_UNAVAILABLE';
}

/** @internal Parley's error classes by code, so errors keep their class when copied across threads. */
export const PARLEY_ERRORS_BY_CODE: ReadonlyMap<string, Function> = new Map(
  [
    CallTimeoutError,
    UnknownTagError,
    ActorExitedError,
    NoSuchActorError,
    NameTakenError,
    NameNotBoundError,
    NotCloneableError,
    NotImportableError,
    NoCurrentActorError,
    ReceiveTimeoutError,
    NotAnActorError,
    DecoratorError,
    InvalidOptionError,
    InvalidArgumentError,
    NoRuntimeError,
    RuntimeStoppedError,
    RuntimeRunningError,
    BadReplyError,
    ChildSpecError,
    NoSuchChildError,
    ChildRunningError,
    ChildStartError,
    ChildPresentError,
    ChildRestartingError,
    WrongActorClassError,
    MessageTooLargeError,
    NoSuchNodeError,
    ClusterNamesUnavailableError,
  ].map((cls) => [codeOf(cls), cls]),
);

function codeOf(cls: Function): string {
  // `code` is a field initializer: read it from a throwaway instance.
  return new (cls as new (m: string) => ParleyError)('probe').code;
}

/** @internal `value instanceof Error`, and false where even asking throws (a Proxy whose trap throws). */
export function isErrorValue(value: unknown): value is Error {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

/** Human-readable form of an exit reason. */
export function describeReason(reason: unknown): string {
  try {
    if (typeof reason === 'string') return `'${reason}'`;
    if (typeof reason === 'number' || typeof reason === 'bigint') return String(reason); // NaN, Infinity: not JSON's null
    if (reason instanceof Error) return `${reason.name}: ${reason.message}`;
    return JSON.stringify(reason) ?? String(reason);
  } catch {
    try {
      return String(reason);
    } catch {
      return `a ${typeof reason} that cannot be shown`;
    }
  }
}

/** Requires `cond` of an option, else throws InvalidOptionError naming the option. */
export function checkOption(cond: boolean, name: string, must: string, value: unknown): void {
  if (!cond) {
    throw new InvalidOptionError(`${name} ${must} (got ${describeReason(value)})`);
  }
}

/**
 * Requires `options` to be an object with only `known` keys; else InvalidOptionError naming the bad one
 * (`what` prefixes the name: 'Runtime options' → 'options.x', 'TaskletController options' → '… options.x').
 */
export function checkKnownOptions(options: unknown, what: string, known: readonly string[]): void {
  checkOption(typeof options === 'object' && options !== null, what, 'must be an object', options);
  const prefix = what === 'Runtime options' ? 'options' : what;
  for (const key of Object.keys(options as object)) {
    checkOption(
      known.includes(key),
      `${prefix}.${key}`,
      `is not ${what === 'Runtime options' ? 'a Runtime option' : 'an option'} (known: ${known.join(', ')})`,
      key,
    );
  }
}
