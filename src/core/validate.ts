/**
 * Checks shared by every public entry point, so the same mistake gets the same named error wherever it is
 * made. Timeouts: a number of ms from 0 to `MAX_TIMEOUT_MS` (what a Node timer can hold, ~24.8 days), or
 * `Infinity` for "no timeout". Anything else — a numeric string, NaN, a negative number, a finite number
 * over the maximum — is refused, never coerced or clamped.
 */
import { describeReason, InvalidArgumentError, InvalidOptionError } from './errors.js';

/** The longest finite timeout, in ms: 2^31 − 1, the most a Node timer holds. Use `Infinity` for none. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Why `value` is not a timeout, or `undefined` if it is one. */
export function timeoutProblem(value: unknown): string | undefined {
  if (typeof value !== 'number') {
    return `must be a number of ms, or Infinity for no timeout (got ${typeof value === 'string' ? `the string '${value}'` : describeType(value)})`;
  }
  if (Number.isNaN(value)) return 'must be a number of ms, or Infinity for no timeout (got NaN)';
  if (value < 0) return `must not be negative (got ${value}); use 0 for "now" or Infinity for no timeout`;
  if (value > MAX_TIMEOUT_MS && value !== Number.POSITIVE_INFINITY) {
    return `must be at most ${MAX_TIMEOUT_MS} ms (~24.8 days, the longest timer Node keeps) (got ${value}); use Infinity for no timeout`;
  }
  return undefined;
}

/** Returns `value` if it is a timeout, else throws InvalidOptionError naming `name` (e.g. 'call options.timeout'). */
export function checkTimeout(value: unknown, name: string): number {
  const problem = timeoutProblem(value);
  if (problem !== undefined) throw new InvalidOptionError(`${name} ${problem}`);
  return value as number;
}

/**
 * A timer's delay (`sendAfter(ms, …)`, `timers.once(key, ms, …)`, `timers.every(key, ms, …)`): the timeout
 * rule without `Infinity` (a timer that never fires is no timer), and more than 0 when `periodic`. Throws
 * InvalidArgumentError: `${fn}: ms …`.
 */
export function checkDelay(value: unknown, fn: string, periodic = false): number {
  let problem: string | undefined;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    problem = `must be a number of ms (got ${typeof value === 'string' ? `the string '${value}'` : Number.isNaN(value) ? 'NaN' : describeType(value)})`;
  } else if (value < 0) problem = `must not be negative (got ${value}); use 0 for "as soon as possible"`;
  else if (value > MAX_TIMEOUT_MS) {
    problem = `must be at most ${MAX_TIMEOUT_MS} ms (~24.8 days, the longest timer Node keeps) (got ${value}); a timer that never fires needs no timer`;
  } else if (periodic && value === 0) {
    problem = 'must be more than 0 for a periodic timer (got 0): it would flood the mailbox';
  }
  if (problem !== undefined) throw new InvalidArgumentError(`${fn}: ms ${problem}`);
  return value as number;
}

/** Requires `cond`, else throws InvalidArgumentError: `${fn}: ${what} ${must} (got …)`. */
export function checkArgument(cond: boolean, fn: string, what: string, must: string, value: unknown): void {
  if (!cond) throw new InvalidArgumentError(`${fn}: ${what} ${must} (got ${describeType(value)})`);
}

/**
 * @internal On the prototype of the proxies that stand for no one actor: 'NamedProxy' (follows a registered
 * name) or 'PoolProxy' (spreads over a pool's members). Messages name them, and say what to pass instead.
 */
export const PROXY_KIND: unique symbol = Symbol('parley.proxyKind');

/** The kind of a named or pool proxy, else undefined (never throws, even for a Proxy whose traps do). */
function proxyKind(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    const kind = (value as { [PROXY_KIND]?: unknown })[PROXY_KIND];
    return typeof kind === 'string' ? kind : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @internal For an entry point that needs one actor (an ActorProxy or an ActorRef) and got `value`: what to
 * pass instead — the general advice `otherwise`, or how to get one actor from a named or pool proxy.
 */
export function oneActorAdvice(value: unknown, otherwise: string): string {
  switch (proxyKind(value)) {
    case 'NamedProxy':
      return (
        'a named proxy follows a name, not one actor: pass `await proxy.resolve()`, the ActorProxy of the ' +
        "name's current holder"
      );
    case 'PoolProxy':
      return (
        "a pool proxy stands for all its members: pass `pool.ref` for the pool's supervisor, or one of " +
        '`await pool.members()` for a member'
      );
    default:
      return otherwise;
  }
}

/** "a" or "an" before a name (by its first letter: "an Error", "a Map"). */
function article(name: string): string {
  return /^[aeioAEIO]/.test(name) ? `an ${name}` : `a ${name}`;
}

/** A short description of a value for error messages: its type, and the value when that is short. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return value.length === 0
        ? 'an empty string'
        : `the string '${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return `the function ${(value as Function).name || '(anonymous)'}`;
    default: {
      const kind = proxyKind(value);
      if (kind !== undefined) return `a ${kind}`;
      let ctor: { name?: unknown } | undefined;
      try {
        ctor = (value as { constructor?: { name?: unknown } }).constructor; // a Proxy's trap may throw: never let it escape from a check
      } catch {
        return 'an object that cannot be read (a Proxy whose traps throw?)';
      }
      return ctor && ctor !== Object && typeof ctor.name === 'string' && ctor.name !== ''
        ? article(ctor.name)
        : `an object ${describeReason(value).slice(0, 60)}`;
    }
  }
}

/** Is `value` a plain object (`{ … }` or `Object.create(null)`), as a message's kwargs must be? */
export function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  try {
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
  } catch {
    return false; // a Proxy whose getPrototypeOf trap throws is no plain object
  }
}

/** Is `value` something a message can name as its sender: `null`, or an address (a ref, a proxy)? */
export function isSender(value: unknown): boolean {
  return (
    value === null || (typeof value === 'object' && typeof (value as { send?: unknown }).send === 'function')
  );
}

// The message checks below sit on the send path: each is one typeof (or Array.isArray) and allocates
// nothing unless it fails. `fn` names the entry point as the user wrote it, e.g. 'proxy.cast(tag, ...args)'.

/** A message's tag must be a string. */
export function checkTag(tag: unknown, fn: string): void {
  if (typeof tag !== 'string') {
    throw new InvalidArgumentError(
      `${fn}: tag must be a string, the tag of a handler such as 'add' (got ${describeType(tag)})`,
    );
  }
}

/** A message's sender must be an address (a ref such as `me()`, a proxy) or `null` for none. */
export function checkSender(sender: unknown, fn: string): void {
  if (!isSender(sender)) {
    throw new InvalidArgumentError(
      `${fn}: sender must be an ActorRef (such as me()) or null for no sender (got ${describeType(sender)}); ` +
        'to send without a sender, use cast(tag, ...args)',
    );
  }
}

/** A message's args must be an array (the handler's positional arguments). */
export function checkArgs(args: unknown, fn: string): void {
  if (!Array.isArray(args)) {
    throw new InvalidArgumentError(
      `${fn}: args must be an array of the handler's arguments (got ${describeType(args)}); ` +
        "wrap a single argument in an array: call('tag', [value])",
    );
  }
}

/** A message's kwargs must be a plain object (keyword arguments by name). */
export function checkKwargs(kwargs: unknown, fn: string): void {
  if (!isPlainObject(kwargs)) {
    throw new InvalidArgumentError(
      `${fn}: kwargs must be a plain object of keyword arguments, or undefined for none (got ${describeType(kwargs)})`,
    );
  }
}

/**
 * Checks an options object of an entry point: `undefined` and `null` (no options) or an object whose keys
 * are all `known`; else InvalidOptionError naming it (`name` is e.g. 'call options'). Allocates nothing.
 */
export function checkOptionsObject(options: unknown, name: string, known: readonly string[]): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidOptionError(
      `${name} must be an object such as { ${known.join(', ')} } (got ${describeType(options)})`,
    );
  }
  for (const key in options) {
    if (!known.includes(key)) {
      throw new InvalidOptionError(`${name}.${key} is not an option (known: ${known.join(', ')})`);
    }
  }
}
