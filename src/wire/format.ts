/**
 * @internal The pieces of the wire format both directions share: the tag key, refs as plain data, and
 * errors as fields (see src/wire.ts for the format as a whole).
 */
import { PARLEY_ERRORS_BY_CODE } from '../core/errors.js';
import { type ActorRef, ReplyRef } from '../core/ref.js';

/**
 * The own key that marks an encoded Parley value (`{ [TAG]: kind, … }`). The encoder escapes every user
 * object that has this own key (kind `'esc'`), so a tagged object on the wire was always made by Parley.
 */
export const TAG = '\u0000parley';

/** @internal A ref as plain data: `[id, thread, name]`, plus the call id for a reply address. */
export type EncodedRef = [number, number, string] | [number, number, string, number];

/** @internal */
export function encodeRef(ref: ActorRef): EncodedRef {
  return ref instanceof ReplyRef
    ? [ref.id, ref.thread, ref.name, ref.callId]
    : [ref.id, ref.thread, ref.name];
}

/** An error as data: its name, message and stack (as read), its cause and own enumerable fields. */
export interface ErrorFields {
  name: unknown;
  message: unknown;
  stack: unknown;
  cause: unknown;
  /** A Parley error's `actor` (not enumerable, like `cause`). */
  actor?: unknown;
  props: Record<string, unknown>;
}

/** Standard error classes by name: a Map, so no name (`constructor`, `__proto__`…) finds anything else. */
const STANDARD_ERRORS: ReadonlyMap<string, Function> = new Map<string, Function>([
  ['Error', Error],
  ['TypeError', TypeError],
  ['RangeError', RangeError],
  ['SyntaxError', SyntaxError],
  ['ReferenceError', ReferenceError],
  ['EvalError', EvalError],
  ['URIError', URIError],
  ['AggregateError', AggregateError],
]);

/**
 * The empty error an error's copy is built in (made before its fields, so a cycle back to the error finds
 * it). Parley's own errors (by `code` and name) and the standard ones keep their class, so `instanceof`
 * works; any other class arrives as `Error` with the same `name` (match on `code` or `name`).
 */
export function errorShell(name: unknown, code: unknown): Error {
  let cls: Function = Error;
  if (typeof name === 'string') {
    const parley = typeof code === 'string' ? PARLEY_ERRORS_BY_CODE.get(code) : undefined;
    cls = parley !== undefined && parley.name === name ? parley : (STANDARD_ERRORS.get(name) ?? Error);
  }
  return Object.create(cls.prototype) as Error;
}

const hidden = (value: unknown) => ({ value, writable: true, configurable: true, enumerable: false });

/** Fills a shell from (copied or decoded) fields: own fields are defined, never assigned (`__proto__`). */
export function fillError(out: Error, f: ErrorFields): Error {
  Object.defineProperty(out, 'message', hidden(f.message));
  Object.defineProperty(out, 'stack', hidden(f.stack));
  if (out.name !== f.name) Object.defineProperty(out, 'name', hidden(f.name));
  if (f.cause !== undefined) Object.defineProperty(out, 'cause', hidden(f.cause));
  if (f.actor !== undefined) Object.defineProperty(out, 'actor', hidden(f.actor));
  const props = f.props;
  for (const key of Object.keys(props)) {
    Object.defineProperty(out, key, {
      value: props[key],
      writable: true,
      configurable: true,
      enumerable: true,
    });
  }
  return out;
}

/** Sets own field `key` of a fresh plain object (`out.__proto__ = v` would set its prototype instead). */
export function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(out, key, { value, writable: true, configurable: true, enumerable: true });
  } else out[key] = value;
}

/** Is `v` a value structured clone copies as it is (no walk needed)? */
export function isPrimitive(v: unknown): boolean {
  return v === null || (typeof v !== 'object' && typeof v !== 'function' && typeof v !== 'symbol');
}

/** The class name of `obj`, for messages; never throws. */
export function typeName(obj: unknown): string {
  try {
    const name = (obj as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? name : 'object';
  } catch {
    return 'object';
  }
}
