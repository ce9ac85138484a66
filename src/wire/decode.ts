/**
 * @internal The receiving side of the wire: revives, in place, what postMessage cloned from
 * encodeMessage/encodeValue. The clone keeps the encoded graph (cycles, shared objects); decoding keeps it
 * too: each encoded object is decoded once, and every reference to it gets the same result.
 */
import type { Descriptor } from '../importable.js';
import { type Message, NO_KWARGS } from '../message.js';
import type { ProxyBase } from '../proxy.js';
import type { ActorRef } from '../ref.js';
import { type EncodedRef, type ErrorFields, errorShell, fillError, TAG } from './format.js';

/** @internal What decoding needs from the receiving thread. */
export interface Reviver {
  revive(ref: EncodedRef): ActorRef;
  proxy(ref: ActorRef): ProxyBase;
  /** A class or functionActor whose module the receiver has already imported (see `load`). */
  loaded(d: Descriptor): unknown;
}

/** @internal Decodes a message that encodeMessage sent down the fast path (`plain`). */
export function decodePlain(m: Message, r: Reviver): Message {
  const s = m[1] as unknown as EncodedRef | null;
  return [m[0], s === null ? null : r.revive(s), m[2], NO_KWARGS];
}

/** @internal Decodes a value encoded by encodeValue/encodeMessage on another thread (after postMessage). */
export function decodeValue(v: unknown, r: Reviver): unknown {
  if (v === null || typeof v !== 'object') return v;
  return decode(v, r, new Map());
}

type Memo = Map<object, unknown>;

function decodeAny(v: unknown, r: Reviver, memo: Memo): unknown {
  return v !== null && typeof v === 'object' ? decode(v, r, memo) : v;
}

function decode(v: object, r: Reviver, memo: Memo): unknown {
  const done = memo.get(v);
  if (done !== undefined) return done;
  if (Array.isArray(v)) {
    memo.set(v, v);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x !== null && typeof x === 'object') {
        const y = decode(x, r, memo);
        if (y !== x) v[i] = y;
      }
    }
    return v;
  }
  if (v instanceof Map) {
    memo.set(v, v);
    const entries = [...v];
    v.clear();
    for (const [k, val] of entries) v.set(decodeAny(k, r, memo), decodeAny(val, r, memo));
    return v;
  }
  if (v instanceof Set) {
    memo.set(v, v);
    const items = [...v];
    v.clear();
    for (const item of items) v.add(decodeAny(item, r, memo));
    return v;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return v; // Date, typed arrays…: as cloned
  const o = v as Record<string, unknown>;
  const kind = Object.hasOwn(o, TAG) ? o[TAG] : undefined;
  let out: unknown;
  switch (kind) {
    case undefined:
      memo.set(o, o);
      return decodeFields(o, r, memo);
    case 'ref':
      out = r.revive(o.r as EncodedRef);
      break;
    case 'proxy':
      out = r.proxy(r.revive(o.r as EncodedRef));
      break;
    case 'class':
    case 'fa':
      out = r.loaded(o.d as Descriptor);
      break;
    case 'esc': {
      // A user object that has the TAG key: its fields, never a tag.
      const inner = o.o as Record<string, unknown>;
      memo.set(o, inner);
      memo.set(inner, inner);
      return decodeFields(inner, r, memo);
    }
    case 'error': {
      const f = o.e as ErrorFields;
      const err = errorShell(f.name, f.props.code);
      memo.set(o, err);
      f.name = decodeAny(f.name, r, memo);
      f.message = decodeAny(f.message, r, memo);
      f.stack = decodeAny(f.stack, r, memo);
      f.cause = decodeAny(f.cause, r, memo);
      decodeFields(f.props, r, memo);
      return fillError(err, f);
    }
    default:
      throw new TypeError(`unknown encoded value '${String(kind)}' (a newer Parley on the other side?)`);
  }
  memo.set(o, out);
  return out;
}

/** Decodes a plain object's fields in place (an own `__proto__` field is set as the field it is). */
function decodeFields(o: Record<string, unknown>, r: Reviver, memo: Memo): unknown {
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const x = o[key];
    if (x !== null && typeof x === 'object') {
      const y = decode(x, r, memo);
      if (y !== x) o[key] = y;
    }
  }
  return o;
}
