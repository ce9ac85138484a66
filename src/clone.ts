/**
 * Copying messages the way a thread boundary would (the structured-clone algorithm): prototypes are lost,
 * functions, symbols, promises and weak collections are refused with `NotCloneableError` naming the path of
 * the bad value. ActorRefs and proxies arrive as live refs and proxies; Actor classes and functionActor
 * values arrive as themselves (a thread re-imports them from their module).
 */
import { Actor } from './actor.js';
import { NotCloneableError, PARLEY_ERRORS_BY_CODE } from './errors.js';
import { FunctionActor } from './function-actor.js';
import type { Message } from './message.js';
import { ProxyBase } from './proxy.js';
import { ActorRef } from './ref.js';

/** @internal Re-binds a ref to the receiving side (same runtime here; another thread's later). */
export type Revive = (ref: ActorRef) => ActorRef;

/** @internal Copies `msg` as a thread would; throws NotCloneableError before anything is delivered. */
export function copyMessage(msg: Message, revive: Revive): Message {
  const seen = new Map<object, unknown>();
  const sender = msg[1];
  return [
    msg[0],
    sender instanceof ActorRef ? revive(sender) : sender,
    copyValue(msg[2], 'args', seen, revive) as unknown[],
    copyValue(msg[3], 'kwargs', seen, revive) as Message[3],
  ];
}

const LEAF_TYPES: Function[] = [
  Date,
  RegExp,
  ArrayBuffer,
  DataView,
  Boolean,
  String,
  Number,
  BigInt,
  ...(typeof SharedArrayBuffer === 'undefined' ? [] : [SharedArrayBuffer]),
];

function copyValue(v: unknown, path: string, seen: Map<object, unknown>, revive: Revive): unknown {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
    case 'bigint':
      return v;
    case 'symbol':
      throw new NotCloneableError(path, 'symbol');
    case 'function':
      // Actor classes travel as what they are (across threads: by module, re-imported on arrival).
      if ((v as Function).prototype instanceof Actor) return v;
      throw new NotCloneableError(path, `function ${(v as Function).name || '(anonymous)'}`);
  }
  if (v === null) return null;
  const obj = v as object;
  const done = seen.get(obj);
  if (done !== undefined) return done;
  if (obj instanceof ActorRef) return revive(obj);
  if (obj instanceof FunctionActor) return obj;
  if (obj instanceof ProxyBase) {
    const copy = Object.create(Object.getPrototypeOf(obj)) as { ref: ActorRef };
    (copy as { ref: ActorRef }).ref = revive(obj.ref);
    return copy;
  }
  if (Array.isArray(obj)) {
    const out: unknown[] = new Array(obj.length);
    seen.set(obj, out);
    for (let i = 0; i < obj.length; i++) out[i] = copyValue(obj[i], `${path}[${i}]`, seen, revive);
    return out;
  }
  if (obj instanceof Map) {
    const out = new Map();
    seen.set(obj, out);
    for (const [k, val] of obj) {
      const kp = `${path}.<key ${String(k)}>`;
      out.set(copyValue(k, kp, seen, revive), copyValue(val, `${path}.get(${String(k)})`, seen, revive));
    }
    return out;
  }
  if (obj instanceof Set) {
    const out = new Set();
    seen.set(obj, out);
    let i = 0;
    for (const val of obj) out.add(copyValue(val, `${path}.<item ${i++}>`, seen, revive));
    return out;
  }
  if (obj instanceof Error) return copyError(obj, path, seen, revive);
  if (ArrayBuffer.isView(obj) || LEAF_TYPES.some((t) => obj instanceof t)) {
    try {
      const out = structuredClone(obj);
      seen.set(obj, out);
      return out;
    } catch (err) {
      throw new NotCloneableError(path, typeName(obj), err);
    }
  }
  if (obj instanceof Promise || obj instanceof WeakMap || obj instanceof WeakSet || obj instanceof WeakRef) {
    throw new NotCloneableError(path, typeName(obj));
  }
  // Plain objects and class instances alike become plain objects of their own enumerable fields.
  const out: Record<string, unknown> = {};
  seen.set(obj, out);
  for (const key of Object.keys(obj)) {
    out[key] = copyValue((obj as Record<string, unknown>)[key], `${path}.${key}`, seen, revive);
  }
  return out;
}

/**
 * An error crosses a boundary with its name, message, stack, code and own fields. Parley's own errors and
 * the standard ones (TypeError…) keep their class, so `instanceof` works; other classes arrive as `Error`
 * with the same `name` (match on `code` or `name` across threads).
 */
function copyError(err: Error, path: string, seen: Map<object, unknown>, revive: Revive): Error {
  const cls = errorClassFor(err);
  const out = Object.create(cls.prototype) as Error;
  seen.set(err, out);
  const hidden = { writable: true, configurable: true, enumerable: false };
  Object.defineProperty(out, 'message', { ...hidden, value: err.message });
  Object.defineProperty(out, 'stack', { ...hidden, value: err.stack });
  if (cls === Error && err.name !== 'Error')
    Object.defineProperty(out, 'name', { ...hidden, value: err.name });
  if (err.cause !== undefined) {
    Object.defineProperty(out, 'cause', {
      ...hidden,
      value: copyValue(err.cause, `${path}.cause`, seen, revive),
    });
  }
  for (const key of Object.keys(err)) {
    (out as unknown as Record<string, unknown>)[key] = copyValue(
      (err as unknown as Record<string, unknown>)[key],
      `${path}.${key}`,
      seen,
      revive,
    );
  }
  return out;
}

const STANDARD_ERRORS: Record<string, Function> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
};

function errorClassFor(err: Error): Function {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    const parley = PARLEY_ERRORS_BY_CODE.get(code);
    if (parley !== undefined && err.name === parley.name) return parley;
  }
  const std = STANDARD_ERRORS[err.constructor?.name];
  return std !== undefined && err.name === std.name ? std : Error;
}

function typeName(obj: object): string {
  return obj.constructor?.name ?? 'object';
}
