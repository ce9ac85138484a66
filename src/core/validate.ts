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

/** Requires `cond`, else throws InvalidArgumentError: `${fn}: ${what} ${must} (got …)`. */
export function checkArgument(cond: boolean, fn: string, what: string, must: string, value: unknown): void {
  if (!cond) throw new InvalidArgumentError(`${fn}: ${what} ${must} (got ${describeType(value)})`);
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
      const ctor = (value as object).constructor;
      return ctor && ctor !== Object && typeof ctor.name === 'string' && ctor.name !== ''
        ? `a ${ctor.name}`
        : `an object ${describeReason(value).slice(0, 60)}`;
    }
  }
}
