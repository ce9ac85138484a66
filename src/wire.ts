/**
 * How messages cross a thread boundary, and how the tasklet controller copies them the same way. One walker
 * copies a message as the structured-clone algorithm would (prototypes lost; functions, symbols, promises
 * and weak collections refused with NotCloneableError naming the path of the bad value), with codecs for
 * what Parley carries specially: ActorRefs and proxies (arrive as live refs and proxies), Actor classes and
 * functionActors (re-imported from their module on the other side) and errors (name, message, stack, code).
 */
import { Actor } from './actor.js';
import { NotCloneableError, PARLEY_ERRORS_BY_CODE } from './errors.js';
import { FunctionActor } from './function-actor.js';
import { type Descriptor, descriptorOf } from './importable.js';
import { type Message, NO_KWARGS } from './message.js';
import { ProxyBase } from './proxy.js';
import { ActorRef, ReplyRef } from './ref.js';

/** What the walker does with the values Parley treats specially. */
interface Codec {
  ref(ref: ActorRef): unknown;
  proxy(p: ProxyBase, path: string): unknown;
  actorClass(cls: Function, path: string): unknown;
  functionActor(fa: FunctionActor, path: string): unknown;
  error(err: Error, path: string, walk: (v: unknown, path: string) => unknown): unknown;
  /** Date, RegExp, ArrayBuffer, typed arrays…: copied by structured clone (now, or by postMessage later). */
  leaf(obj: object, path: string): unknown;
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

function walk(v: unknown, path: string, seen: Map<object, unknown>, codec: Codec): unknown {
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
      if ((v as Function).prototype instanceof Actor) return codec.actorClass(v as Function, path);
      throw new NotCloneableError(path, `function ${(v as Function).name || '(anonymous)'}`);
  }
  if (v === null) return null;
  const obj = v as object;
  const done = seen.get(obj);
  if (done !== undefined) return done;
  const rec = (x: unknown, p: string) => walk(x, p, seen, codec);
  if (obj instanceof ActorRef) return codec.ref(obj);
  if (obj instanceof ProxyBase) return codec.proxy(obj, path);
  if (obj instanceof FunctionActor) return codec.functionActor(obj, path);
  if (Array.isArray(obj)) {
    const out: unknown[] = new Array(obj.length);
    seen.set(obj, out);
    for (let i = 0; i < obj.length; i++) out[i] = walk(obj[i], `${path}[${i}]`, seen, codec);
    return out;
  }
  if (obj instanceof Map) {
    const out = new Map();
    seen.set(obj, out);
    for (const [k, val] of obj)
      out.set(rec(k, `${path}.<key ${String(k)}>`), rec(val, `${path}.get(${String(k)})`));
    return out;
  }
  if (obj instanceof Set) {
    const out = new Set();
    seen.set(obj, out);
    let i = 0;
    for (const val of obj) out.add(rec(val, `${path}.<item ${i++}>`));
    return out;
  }
  if (obj instanceof Error) return codec.error(obj, path, rec);
  if (ArrayBuffer.isView(obj) || LEAF_TYPES.some((t) => obj instanceof t)) {
    const out = codec.leaf(obj, path);
    seen.set(obj, out);
    return out;
  }
  if (obj instanceof Promise || obj instanceof WeakMap || obj instanceof WeakSet || obj instanceof WeakRef) {
    throw new NotCloneableError(path, typeName(obj));
  }
  // Plain objects and class instances alike become plain objects of their own enumerable fields.
  const out: Record<string, unknown> = {};
  seen.set(obj, out);
  for (const key of Object.keys(obj))
    out[key] = walk((obj as Record<string, unknown>)[key], `${path}.${key}`, seen, codec);
  return out;
}

function walkMessage(msg: Message, codec: Codec): Message {
  const seen = new Map<object, unknown>();
  const sender = msg[1];
  return [
    msg[0],
    sender instanceof ActorRef ? (codec.ref(sender) as ActorRef) : sender,
    walk(msg[2], 'args', seen, codec) as unknown[],
    walk(msg[3], 'kwargs', seen, codec) as Message[3],
  ];
}

// ---- copying on one thread (TaskletController({ copyMessages: true })) ----

/** @internal Re-binds a ref on the receiving side. */
export type Revive = (ref: ActorRef) => ActorRef;

/** @internal Copies `msg` as a thread would; throws NotCloneableError before anything is delivered. */
export function copyMessage(msg: Message, revive: Revive): Message {
  return walkMessage(msg, {
    ref: revive,
    proxy: (p) => {
      const copy = Object.create(Object.getPrototypeOf(p)) as { ref: ActorRef };
      copy.ref = revive(p.ref);
      return copy;
    },
    actorClass: (cls) => cls,
    functionActor: (fa) => fa,
    error: (err, path, rec) => rebuildError(errorFields(err, path, rec)),
    leaf: (obj, path) => {
      try {
        return structuredClone(obj);
      } catch (err) {
        throw new NotCloneableError(path, typeName(obj), err);
      }
    },
  });
}

// ---- the wire between threads ----

/** The key that marks an encoded special value; never produced by user data in practice. */
const TAG = '\u0000parley';

interface ErrorFields {
  name: string;
  message: string;
  stack: string | undefined;
  cause: unknown;
  props: Record<string, unknown>;
}

/** Descriptors met while encoding: the receiver imports their modules before it decodes. */
let targets: Descriptor[] | undefined;

/**
 * @internal Encodes `msg` for postMessage; throws NotCloneableError (with the path) before anything is
 * sent. `load` lists the modules the receiver must import first (classes and functionActors inside).
 */
export function encodeMessage(msg: Message): {
  m: Message;
  load: Descriptor[] | undefined;
  plain?: true;
} {
  const plain = plainMessage(msg);
  if (plain !== undefined) return { m: plain, load: undefined, plain: true };
  targets = undefined;
  const m = walkMessage(msg, encoder);
  const load = targets;
  targets = undefined;
  return { m, load };
}

/**
 * The fast path: a message whose args are all primitives and that has no kwargs needs no walk on either
 * side (postMessage copies it; only the sender slot is a ref). Undefined when the message is not plain.
 */
function plainMessage(msg: Message): Message | undefined {
  const args = msg[2];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a !== null && (typeof a === 'object' || typeof a === 'function' || typeof a === 'symbol'))
      return undefined;
  }
  const kw = msg[3];
  if (kw !== NO_KWARGS && Object.keys(kw).length > 0) return undefined;
  const sender = msg[1];
  // The args array is copied now: postMessage copies it only when the batch is flushed.
  return [msg[0], sender instanceof ActorRef ? (encodeRef(sender) as never) : null, args.slice(), NO_KWARGS];
}

/** @internal Decodes a message that encodeMessage sent down the fast path. */
export function decodePlain(m: Message, r: Reviver): Message {
  const s = m[1] as unknown as EncodedRef | null;
  return [m[0], s === null ? null : r.revive(s), m[2], NO_KWARGS];
}

/** @internal Encodes any value (spawn args, exit reasons, answers) the same way. */
export function encodeValue(v: unknown, path: string): { v: unknown; load: Descriptor[] | undefined } {
  targets = undefined;
  const out = walk(v, path, new Map(), encoder);
  const load = targets;
  targets = undefined;
  return { v: out, load };
}

const encoder: Codec = {
  ref: (ref) => ({ [TAG]: 'ref', r: encodeRef(ref) }),
  proxy: (p) => ({ [TAG]: 'proxy', r: encodeRef(p.ref) }),
  actorClass: (cls, path) => ({ [TAG]: 'class', d: describe(cls, cls.name, path) }),
  functionActor: (fa, path) => ({ [TAG]: 'fa', d: describe(fa, fa.name, path) }),
  error: (err, path, rec) => ({ [TAG]: 'error', e: errorFields(err, path, rec) }),
  leaf: (obj) => obj,
};

function describe(target: object, name: string, path: string): Descriptor {
  let d: Descriptor;
  try {
    d = descriptorOf(target, name);
  } catch (err) {
    throw new NotCloneableError(path, `${name} (not importable by a worker thread)`, err);
  }
  (targets ??= []).push(d);
  return d;
}

/** @internal A ref as plain data: `[id, thread, name]`, plus the call id for a reply address. */
export type EncodedRef = [number, number, string] | [number, number, string, number];

/** @internal */
export function encodeRef(ref: ActorRef): EncodedRef {
  return ref instanceof ReplyRef
    ? [ref.id, ref.thread, ref.name, ref.callId]
    : [ref.id, ref.thread, ref.name];
}

/** @internal What decoding needs from the receiving thread. */
export interface Reviver {
  revive(ref: EncodedRef): ActorRef;
  proxy(ref: ActorRef): ProxyBase;
  /** A class or functionActor whose module the receiver has already imported (see `load`). */
  loaded(d: Descriptor): unknown;
}

/** @internal Decodes a value encoded by encodeValue/encodeMessage on another thread (after postMessage). */
export function decodeValue(v: unknown, r: Reviver): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = decodeValue(v[i], r);
    return v;
  }
  if (v instanceof Map) {
    const entries = [...v.entries()];
    v.clear();
    for (const [k, val] of entries) v.set(decodeValue(k, r), decodeValue(val, r));
    return v;
  }
  if (v instanceof Set) {
    const items = [...v.values()];
    v.clear();
    for (const item of items) v.add(decodeValue(item, r));
    return v;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return v; // Date, typed arrays…
  const o = v as Record<string, unknown>;
  switch (o[TAG]) {
    case 'ref':
      return r.revive(o.r as EncodedRef);
    case 'proxy':
      return r.proxy(r.revive(o.r as EncodedRef));
    case 'class':
    case 'fa':
      return r.loaded(o.d as Descriptor);
    case 'error': {
      const f = o.e as ErrorFields;
      f.cause = decodeValue(f.cause, r);
      f.props = decodeValue(f.props, r) as Record<string, unknown>;
      return rebuildError(f);
    }
  }
  for (const key of Object.keys(o)) o[key] = decodeValue(o[key], r);
  return o;
}

// ---- errors ----

function errorFields(err: Error, path: string, rec: (v: unknown, p: string) => unknown): ErrorFields {
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(err))
    props[key] = rec((err as unknown as Record<string, unknown>)[key], `${path}.${key}`);
  return {
    name: err.name,
    message: err.message,
    stack: err.stack,
    cause: err.cause === undefined ? undefined : rec(err.cause, `${path}.cause`),
    props,
  };
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

/**
 * An error crosses a boundary with its name, message, stack, code and own fields. Parley's own errors and
 * the standard ones (TypeError…) keep their class, so `instanceof` works; other classes arrive as `Error`
 * with the same `name` (match on `code` or `name` across threads).
 */
function rebuildError(f: ErrorFields): Error {
  const code = f.props.code;
  const parley = typeof code === 'string' ? PARLEY_ERRORS_BY_CODE.get(code) : undefined;
  const cls = parley !== undefined && parley.name === f.name ? parley : (STANDARD_ERRORS[f.name] ?? Error);
  const out = Object.create(cls.prototype) as Error;
  const hidden = { writable: true, configurable: true, enumerable: false };
  Object.defineProperty(out, 'message', { ...hidden, value: f.message });
  Object.defineProperty(out, 'stack', { ...hidden, value: f.stack });
  if (cls === Error && f.name !== 'Error') Object.defineProperty(out, 'name', { ...hidden, value: f.name });
  if (f.cause !== undefined) Object.defineProperty(out, 'cause', { ...hidden, value: f.cause });
  Object.assign(out, f.props);
  return out;
}

function typeName(obj: object): string {
  return obj.constructor?.name ?? 'object';
}

// ---- reasons that cannot cross ----

/**
 * @internal An exit reason as it can cross a boundary: the reason itself if the codec can carry it, else
 * a cloneable Error describing it (name, message, stack and code where they can be read, `reduced: true`).
 * Never throws: a dying actor must always finish dying, whatever it died with.
 */
export function reduceReason(reason: unknown): unknown {
  try {
    encodeValue(reason, 'reason');
    return reason;
  } catch (why) {
    return describeReason(reason, why);
  }
}

function describeReason(reason: unknown, why: unknown): Error {
  const read = (f: () => unknown): unknown => {
    try {
      return f();
    } catch {
      return undefined;
    }
  };
  const text = (v: unknown, fallback: string): string => {
    if (typeof v === 'string') return v;
    const s = read(() => String(v));
    return typeof s === 'string' ? s : fallback;
  };
  const isError = read(() => reason instanceof Error) === true;
  const r = reason as { name?: unknown; message?: unknown; stack?: unknown; code?: unknown };
  const name = isError
    ? text(
        read(() => r.name),
        'Error',
      )
    : typeof reason;
  const message = isError
    ? text(
        read(() => r.message),
        '',
      )
    : text(reason, `a ${typeof reason}`);
  const because = text(
    read(() => (why as Error).message),
    'it cannot be copied',
  );
  const out = new Error(`${message} [exit reason reduced: ${because}]`);
  const hidden = { writable: true, configurable: true, enumerable: false };
  Object.defineProperty(out, 'name', { ...hidden, value: name });
  const stack = isError ? read(() => r.stack) : undefined;
  if (typeof stack === 'string') Object.defineProperty(out, 'stack', { ...hidden, value: stack });
  const code = isError ? read(() => r.code) : undefined;
  if (typeof code === 'string' || typeof code === 'number') (out as { code?: unknown }).code = code;
  (out as { reduced?: boolean }).reduced = true;
  return out;
}
