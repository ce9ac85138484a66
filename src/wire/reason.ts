/**
 * @internal Exit reasons that cannot cross: `canCross` tells, `reduceReason` turns such a reason into a
 * cloneable description, so an actor whose reason cannot be copied still finishes dying. Neither throws.
 */
import { NotCloneableError } from '../core/errors.js';
import { encodeValue } from './encode.js';
import { isPrimitive, typeName } from './format.js';

/** Why `value` cannot cross (the NotCloneableError, or whatever was thrown), or undefined if it can. */
function crossFailure(value: unknown): unknown {
  if (isPrimitive(value)) return undefined;
  try {
    encodeValue(value, 'reason');
    return undefined;
  } catch (err) {
    return err ?? new Error('failed');
  }
}

/**
 * Can `value` cross a thread boundary (and a copy) as it is: does the wire encode it? Primitives, plain
 * data, Maps, Sets, Dates, typed arrays, errors of such data, ActorRefs and importable actor classes can;
 * symbols, functions, promises, Proxies, values with a getter that throws and values nested too deeply
 * cannot. Never throws.
 */
export function canCross(value: unknown): boolean {
  try {
    return crossFailure(value) === undefined;
  } catch {
    return false;
  }
}

/**
 * An exit reason as it can cross: `reason` itself when it can (the same value, unchanged); otherwise a
 * description of it: an `Error` with the `name`, `message`, `stack` and `code` that could be read from
 * it, `reduced: true`, and `[reduced: why]` at the end of its message. A clean stop `{ shutdown: detail }`
 * stays a clean stop, its detail reduced. Never throws, whatever it is given (getters that throw, revoked
 * Proxies, 20,000-deep nesting).
 */
export function reduceReason(reason: unknown): unknown {
  try {
    const failure = crossFailure(reason);
    if (failure === undefined) return reason;
    if (isShutdown(reason)) {
      const detail = (reason as { shutdown: unknown }).shutdown;
      const f = crossFailure(detail);
      return { shutdown: f === undefined ? detail : describe(detail, f) };
    }
    return describe(reason, failure);
  } catch {
    return lastResort();
  }
}

function isShutdown(reason: unknown): boolean {
  try {
    return (
      typeof reason === 'object' &&
      reason !== null &&
      !(reason instanceof Error) &&
      Object.hasOwn(reason, 'shutdown')
    );
  } catch {
    return false;
  }
}

/** `obj[key]` if it is a string (or, for `code`, a number) that can be read; undefined otherwise. */
function readable(obj: unknown, key: string): string | number | undefined {
  try {
    const v = (obj as Record<string, unknown>)[key];
    return typeof v === 'string' || (key === 'code' && typeof v === 'number') ? v : undefined;
  } catch {
    return undefined;
  }
}

function isError(v: unknown): boolean {
  try {
    return v instanceof Error;
  } catch {
    return false;
  }
}

function describe(reason: unknown, failure: unknown): Error {
  let name: string;
  let message: string;
  let stack: string | undefined;
  let code: string | number | undefined;
  if (typeof reason === 'symbol') {
    name = 'Error';
    message = `exit reason ${String(reason)}`;
  } else if (typeof reason === 'function') {
    name = 'Error';
    message = `exit reason: function ${readable(reason, 'name') || '(anonymous)'}`;
  } else {
    const err = isError(reason);
    name = (readable(reason, 'name') as string | undefined) ?? 'Error';
    message =
      (readable(reason, 'message') as string | undefined) ??
      `exit reason: ${err ? 'an error' : typeName(reason)}`;
    stack = readable(reason, 'stack') as string | undefined;
    code = readable(reason, 'code');
  }
  const why =
    failure instanceof NotCloneableError
      ? `${failure.valueType} at ${failure.path}`.slice(0, 300)
      : 'it could not be read';
  const out = new Error(`${message} [reduced: ${why}]`);
  const hidden = { writable: true, configurable: true, enumerable: false };
  if (name !== 'Error') Object.defineProperty(out, 'name', { ...hidden, value: name });
  Object.defineProperty(out, 'stack', { ...hidden, value: stack ?? `${name}: ${out.message}` });
  if (code !== undefined) (out as Error & { code: unknown }).code = code;
  (out as Error & { reduced: boolean }).reduced = true;
  return out;
}

const LAST_RESORT: Error = Object.freeze(
  Object.assign(new Error('exit reason could not be read [reduced]'), { reduced: true }),
);

function lastResort(): Error {
  try {
    return Object.assign(new Error('exit reason could not be read [reduced]'), { reduced: true });
  } catch {
    return LAST_RESORT;
  }
}
