/**
 * @internal The receiving side of the wire: revives, in place, what postMessage cloned from
 * encodeMessage/encodeValue. The clone keeps the encoded graph (cycles, shared objects); decoding keeps it
 * too: in a value marked `'graph'`, each encoded object is decoded once and every reference to it gets the
 * same result.
 */

import type { Descriptor } from '../actors/importable.js';
import type { ProxyBase } from '../actors/proxy.js';
import { type Message, NO_KWARGS } from '../core/message.js';
import type { ActorRef } from '../core/ref.js';
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
  return decode(v, { r, memo: undefined });
}

/**
 * One decoding. `memo` (each encoded object → what it decoded to) exists only once a `'graph'` mark says
 * the value has cycles or shared objects: a tree has every object once, and needs no tracking.
 */
interface Decoding {
  r: Reviver;
  memo: Map<object, unknown> | undefined;
}

function decodeAny(v: unknown, s: Decoding): unknown {
  return v !== null && typeof v === 'object' ? decode(v, s) : v;
}

function decode(v: object, s: Decoding): unknown {
  const memo = s.memo;
  if (memo !== undefined) {
    const done = memo.get(v);
    if (done !== undefined) return done;
  }
  if (Array.isArray(v)) {
    memo?.set(v, v);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x !== null && typeof x === 'object') {
        const y = decode(x, s);
        if (y !== x) v[i] = y;
      }
    }
    return v;
  }
  if (v instanceof Map) {
    memo?.set(v, v);
    const entries = [...v];
    v.clear();
    for (const [k, val] of entries) v.set(decodeAny(k, s), decodeAny(val, s));
    return v;
  }
  if (v instanceof Set) {
    memo?.set(v, v);
    const items = [...v];
    v.clear();
    for (const item of items) v.add(decodeAny(item, s));
    return v;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return v; // Date, typed arrays…: as cloned
  const o = v as Record<string, unknown>;
  const kind = Object.hasOwn(o, TAG) ? o[TAG] : undefined;
  const r = s.r;
  let out: unknown;
  switch (kind) {
    case undefined:
      memo?.set(o, o);
      return decodeFields(o, s);
    case 'graph':
      s.memo ??= new Map();
      return decodeAny(o.v, s);
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
      memo?.set(o, inner);
      memo?.set(inner, inner);
      return decodeFields(inner, s);
    }
    case 'error': {
      const f = o.e as ErrorFields;
      const err = errorShell(f.name, f.props.code);
      memo?.set(o, err);
      f.name = decodeAny(f.name, s);
      f.message = decodeAny(f.message, s);
      f.stack = decodeAny(f.stack, s);
      f.cause = decodeAny(f.cause, s);
      f.actor = decodeAny(f.actor, s);
      decodeFields(f.props, s);
      return fillError(err, f);
    }
    default:
      throw new TypeError(`unknown encoded value '${String(kind)}' (a newer Parley on the other side?)`);
  }
  memo?.set(o, out);
  return out;
}

/** Decodes a plain object's fields in place (an own `__proto__` field is set as the field it is). */
function decodeFields(o: Record<string, unknown>, s: Decoding): unknown {
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const x = o[key];
    if (x !== null && typeof x === 'object') {
      const y = decode(x, s);
      if (y !== x) o[key] = y;
    }
  }
  return o;
}
