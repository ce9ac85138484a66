/**
 * @internal The one walker: copies a value as structured clone would (same graph: cycles and shared
 * objects kept), with a codec for what Parley carries specially: copy.ts's makes the copy itself,
 * encode.ts's the wire form that postMessage then clones (see src/wire.ts).
 */
import { isProxy } from 'node:util/types';
import { Actor } from '../actors/actor.js';
import { FunctionActor } from '../actors/function-actor.js';
import type { Descriptor } from '../actors/importable.js';
import { ProxyBase } from '../actors/proxy.js';
import { NotCloneableError, ParleyError } from '../core/errors.js';
import { type Message, NO_KWARGS } from '../core/message.js';
import { ActorRef } from '../core/ref.js';
import { type ErrorFields, isPrimitive, setOwn, TAG, typeName } from './format.js';

/** @internal Re-binds a ref on the receiving side. */
export type Revive = (ref: ActorRef) => ActorRef;

/** What the walker makes of the values Parley treats specially. */
export interface Codec {
  ref(ref: ActorRef, w: Walk): unknown;
  proxy(p: ProxyBase, w: Walk): unknown;
  actorClass(cls: Function, w: Walk): unknown;
  functionActor(fa: FunctionActor, w: Walk): unknown;
  /** The error's output, made before its fields are walked (a cycle back to it must find it). */
  errorStart(name: unknown, code: unknown): object;
  errorEnd(out: object, f: ErrorFields): void;
  /** A plain object that has the own key TAG (`out` is its copy): the wire escapes it. */
  escape(out: Record<string, unknown>): unknown;
  /** Date, RegExp, ArrayBuffer, typed arrays…: structured-clone leaves. */
  leaf(obj: object, w: Walk): unknown;
}

// Path segments that take the next segment as their argument.
const MAP_KEY = Symbol('key');
const MAP_VALUE = Symbol('get');
const SET_ITEM = Symbol('item');

/** One walk: what it has met, and the path it is at (left in place when something throws). */
export class Walk {
  readonly seen = new Map<object, unknown>();
  /** `[base, …segments]`: a string key, an array index, or MAP_KEY/MAP_VALUE/SET_ITEM and its key. */
  readonly path: unknown[];
  /** Descriptors met while encoding: the receiver imports their modules before it decodes. */
  load: Descriptor[] | undefined = undefined;
  /** Was an object met twice (a cycle or a shared object)? Then the decoder must track what it decoded. */
  shared = false;
  /** The NotCloneableError this walk threw (whatever else is thrown gets wrapped in one). */
  thrown: unknown = undefined;
  constructor(
    readonly codec: Codec,
    base: string,
    readonly revive: Revive | undefined,
  ) {
    this.path = [base];
  }

  fail(valueType: string, cause?: unknown): NotCloneableError {
    return (this.thrown = new NotCloneableError(formatPath(this.path), valueType, cause));
  }

  /** Walks `v` from the path's base; every failure becomes a NotCloneableError naming the bad value. */
  run(v: unknown): unknown {
    try {
      return walk(v, this);
    } catch (err) {
      if (err === this.thrown) throw err;
      throw this.fail(failureType(err), err);
    }
  }
}

function failureType(err: unknown): string {
  try {
    if (err instanceof RangeError && /call stack/i.test(err.message)) return 'nested too deeply';
    return `reading it threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
  } catch {
    return 'reading it threw';
  }
}

/** `args[0].nested[1].handler`; a very long path keeps its two ends. */
function formatPath(path: unknown[]): string {
  const n = path.length;
  let out = String(path[0]);
  for (let i = 1; i < n; i++) {
    if (n > 60 && i === 20) {
      out += '…';
      i = n - 20;
      if (typeof path[i - 1] === 'symbol') i--;
    }
    const s = path[i];
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'string') out += `.${s}`;
    else {
      const arg = path[++i];
      const k = typeof arg === 'string' ? arg : typeof arg === 'number' ? String(arg) : typeName(arg);
      out += s === MAP_KEY ? `.<key ${k}>` : s === MAP_VALUE ? `.get(${k})` : `.<item ${k}>`;
    }
  }
  return out;
}

export function walk(v: unknown, w: Walk): unknown {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
    case 'bigint':
      return v;
    case 'symbol':
      throw w.fail('symbol');
    case 'function':
      if ((v as Function).prototype instanceof Actor) return w.codec.actorClass(v as Function, w);
      throw w.fail(`function ${(v as Function).name || '(anonymous)'}`);
  }
  if (v === null) return null;
  const obj = v as object;
  const done = w.seen.get(obj);
  if (done !== undefined) {
    w.shared = true;
    return done;
  }
  let out: unknown;
  if (obj instanceof ActorRef) out = w.codec.ref(obj, w);
  else if (obj instanceof ProxyBase) out = w.codec.proxy(obj, w);
  else if (obj instanceof FunctionActor) out = w.codec.functionActor(obj, w);
  else if (isProxy(obj)) throw w.fail('Proxy');
  else if (Array.isArray(obj)) return walkArray(obj, w);
  else if (obj instanceof Map) return walkMap(obj, w);
  else if (obj instanceof Set) return walkSet(obj, w);
  else if (obj instanceof Error) return walkError(obj, w);
  else if (ArrayBuffer.isView(obj) || isLeaf(obj)) out = w.codec.leaf(obj, w);
  else if (
    obj instanceof Promise ||
    obj instanceof WeakMap ||
    obj instanceof WeakSet ||
    obj instanceof WeakRef
  )
    throw w.fail(typeName(obj));
  else return walkObject(obj, w);
  w.seen.set(obj, out);
  return out;
}

const LEAF_TYPES: Function[] = [
  Date,
  RegExp,
  ArrayBuffer,
  Boolean,
  String,
  Number,
  BigInt,
  ...(typeof SharedArrayBuffer === 'undefined' ? [] : [SharedArrayBuffer]),
];

function isLeaf(obj: object): boolean {
  for (let i = 0; i < LEAF_TYPES.length; i++) if (obj instanceof LEAF_TYPES[i]!) return true;
  return false;
}

function walkArray(arr: unknown[], w: Walk): unknown[] {
  const n = arr.length;
  const out: unknown[] = new Array(n);
  w.seen.set(arr, out);
  const path = w.path;
  for (let i = 0; i < n; i++) {
    path.push(i);
    const x = arr[i];
    if (!isPrimitive(x)) out[i] = walk(x, w);
    else if (x !== undefined || i in arr) out[i] = x; // holes stay holes
    path.pop();
  }
  return out;
}

/** Plain objects and class instances alike become plain objects of their own enumerable fields. */
function walkObject(obj: object, w: Walk): unknown {
  const out: Record<string, unknown> = {};
  const result = Object.hasOwn(obj, TAG) ? w.codec.escape(out) : out;
  w.seen.set(obj, result);
  const keys = Object.keys(obj);
  const path = w.path;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    path.push(key);
    const x = (obj as Record<string, unknown>)[key];
    setOwn(out, key, isPrimitive(x) ? x : walk(x, w));
    path.pop();
  }
  return result;
}

function walkMap(obj: Map<unknown, unknown>, w: Walk): unknown {
  const out = new Map();
  w.seen.set(obj, out);
  const path = w.path;
  for (const [k, val] of Map.prototype.entries.call(obj)) {
    path.push(MAP_KEY, k);
    const k2 = walk(k, w);
    path[path.length - 2] = MAP_VALUE;
    out.set(k2, walk(val, w));
    path.length -= 2;
  }
  return out;
}

function walkSet(obj: Set<unknown>, w: Walk): unknown {
  const out = new Set();
  w.seen.set(obj, out);
  const path = w.path;
  let i = 0;
  for (const val of Set.prototype.values.call(obj)) {
    path.push(SET_ITEM, i++);
    out.add(walk(val, w));
    path.length -= 2;
  }
  return out;
}

/** Reads `obj[key]` with `key` on the path (a getter that throws is named by it). */
function read(obj: object, key: string, w: Walk): unknown {
  w.path.push(key);
  const v = (obj as Record<string, unknown>)[key];
  w.path.pop();
  return v;
}

function walkAt(v: unknown, key: string, w: Walk): unknown {
  if (isPrimitive(v)) return v;
  w.path.push(key);
  const out = walk(v, w);
  w.path.pop();
  return out;
}

function walkError(err: Error, w: Walk): unknown {
  const name = read(err, 'name', w);
  const message = read(err, 'message', w);
  const stack = read(err, 'stack', w);
  const cause = read(err, 'cause', w);
  const keys = Object.keys(err);
  // A Parley error's `actor` is not enumerable (so a plain print shows no runtime internals): carry it.
  const actor = err instanceof ParleyError && !keys.includes('actor') ? read(err, 'actor', w) : undefined;
  const raw: unknown[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) raw[i] = read(err, keys[i]!, w);
  const code = keys.indexOf('code');
  const out = w.codec.errorStart(name, code < 0 ? undefined : raw[code]);
  w.seen.set(err, out);
  const props: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) setOwn(props, keys[i]!, walkAt(raw[i], keys[i]!, w));
  w.codec.errorEnd(out, {
    name: walkAt(name, 'name', w),
    message: walkAt(message, 'message', w),
    stack: walkAt(stack, 'stack', w),
    cause: walkAt(cause, 'cause', w),
    actor: walkAt(actor, 'actor', w),
    props,
  });
  return out;
}

/** Walks a message's args and kwargs (the sender is a ref or null: the codec handles it). */
export function walkMessage(msg: Message, w: Walk): Message {
  const args = w.run(msg[2]) as unknown[];
  let kwargs = msg[3];
  if (kwargs !== NO_KWARGS) {
    w.path[0] = 'kwargs';
    kwargs = w.run(kwargs) as Message[3];
  }
  const sender = msg[1];
  return [msg[0], sender instanceof ActorRef ? (w.codec.ref(sender, w) as ActorRef) : sender, args, kwargs];
}

/**
 * Does `msg` need no walk: primitive args only, and no kwargs? Never throws: args or kwargs whose reading
 * throws (a getter, a Proxy's trap) need the walk, which names them in a NotCloneableError.
 */
export function isPlain(msg: Message): boolean {
  try {
    const args = msg[2];
    for (let i = 0; i < args.length; i++) if (!isPrimitive(args[i])) return false;
    const kw = msg[3];
    return kw === NO_KWARGS || Object.keys(kw).length === 0;
  } catch {
    return false;
  }
}
