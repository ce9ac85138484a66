/**
 * @internal The bytes of Parley's cluster traffic over NATS: one packet (a value already in the thread
 * wire's format, see src/wire/codec.ts) as msgpack, and one batch of packets framed, optionally signed with
 * HMAC-SHA256, and checked on the way in. Nothing here knows what a packet means; the transport does.
 *
 * Packet: `[mode byte][msgpack]`, msgpackr in plain mode (no records, no shared structures: every packet
 * decodes alone) with its built-in extensions for Set, Date, RegExp, ArrayBuffer, typed arrays, DataView,
 * BigInt of any size and undefined. What plain msgpack would lose is found by a scan before packing:
 * Maps, -0, strings (values or keys) with lone surrogates, an own `__proto__` key, and objects met twice
 * (shared or cyclic). A value with none of them (the common case) is packed as it is (mode 0, decoded with
 * no further walk). Otherwise it is rewritten into a tree whose special nodes are plain objects with the own
 * key {@link PACKET_TAG} (mode 1), and the decoder revives them:
 *   `{ [K]: 'z' }` -0; `{ [K]: 's', u: <utf-16le bytes> }` a string with lone surrogates;
 *   `{ [K]: 'm', e: [k0, v0, k1, v1…] }` a Map; `{ [K]: 'S', e: [x0, x1…] }` a Set;
 *   `{ [K]: 'o', e: [k0, v0…] }` an object with a key plain msgpack can't carry (`__proto__`, K itself, a
 *   lone surrogate), rebuilt with defineProperty (own keys only, the prototype is never set);
 *   `{ [K]: 'd', i, v }` the first sight of an object met more than once (ids count up from 0 in depth-first
 *   order) and `{ [K]: 'r', i }` every later one, so shared objects stay one object and cycles survive.
 * Meaning kept: structured clone's, with these differences: holes in arrays arrive as `undefined` (the
 * length is kept); own non-index properties of arrays are dropped; typed arrays that share one buffer each
 * arrive with a buffer of their own bytes (a view into a larger buffer arrives with just its bytes);
 * boxed primitives (`new Number(1)`) arrive as plain objects; a raw Error (the thread wire turns errors
 * into tagged data first) arrives as msgpackr rebuilds it, from name, message and cause. RegExp
 * `lastIndex` is not kept (nor is it by structured clone). Functions and symbols are refused with
 * EnvelopeError('encode') (the thread wire refuses them earlier anyway).
 *
 * Untrusted decode: before msgpackr sees a packet or header, checkShape walks it once (linear, no
 * allocation) and refuses anything this module's packers never write: unknown bytes (0xC1), record
 * definitions, string bundles (whose offsets make msgpackr re-read a large string per element), structured-
 * clone pointers, other extensions, lengths past the end, trailing bytes. msgpackr itself renames an incoming
 * `__proto__` key to `__proto_` (so no prototype is ever set) and checks lengths before allocating. Every
 * failure, including stack overflow on deep nesting, becomes EnvelopeError('decode').
 *
 * Batch (one NATS message):
 *   `[0x50 'P'][version 2][flags: bit0 = signed][u16 header length][header][u32 count]([u32 len][packet])*`
 *   `[32-byte HMAC-SHA256 over everything before it, if signed]`, integers big-endian; the header is the
 *   msgpack array `[cluster, from, to, kind, epoch, seq]`. openBatch checks the frame and the HMAC (in
 *   constant time) before any msgpack is decoded, then decodes and validates the header; packets are
 *   returned as subarrays of the input, still encoded.
 */

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Packr, RESERVE_START_SPACE, Unpackr } from 'msgpackr';

/** @internal Why an envelope or packet was refused. */
export type EnvelopeErrorReason =
  | 'short'
  | 'magic'
  | 'version'
  | 'signature'
  | 'header'
  | 'cluster'
  | 'decode'
  | 'encode'
  | 'layout';

const ADVICE: Record<EnvelopeErrorReason, string> = {
  short: 'the message is cut short; it was not made by a Parley node of this version, or was truncated',
  magic: 'the message is not a Parley envelope; check that nothing else publishes on Parley subjects',
  version:
    'the envelope is of a format version this node does not read; run the same Parley version on every node',
  signature:
    'the envelope is not signed with this cluster\u2019s key; give every node of the cluster the same secret (or none on all)',
  header: 'the envelope header is malformed; the sender is not a well-behaved Parley node',
  cluster: 'the envelope belongs to another cluster; give clusters sharing a NATS server different names',
  decode: 'the packet is not valid Parley msgpack; the sender is not a well-behaved Parley node',
  encode: 'the value can not be sent to another node; send plain data (as across threads)',
  layout: 'the envelope\u2019s lengths and counts do not match its size; it was altered or truncated',
};

/**
 * @internal A refused envelope or packet (bad bytes from the network, or a value that can't be packed).
 * The transport counts and logs these; they never reach users.
 */
export class EnvelopeError extends Error {
  /** What was wrong, as a stable word. */
  readonly reason: EnvelopeErrorReason;

  constructor(reason: EnvelopeErrorReason, detail?: string, options?: { cause?: unknown }) {
    super(`${detail ? `${detail}: ` : ''}${ADVICE[reason]}`, options);
    this.name = 'EnvelopeError';
    this.reason = reason;
  }
}

// ---------------------------------------------------------------------------------------------------
// Packets

/** @internal The own key that marks a special node in a mode-1 packet. */
export const PACKET_TAG = '\u0000pk';

const MODE_TREE = 0;
const MODE_GRAPH = 1;
/** Longest array a packet may hold (and the scan will walk): far beyond any NATS payload. */
const MAX_ARRAY = 1 << 24;

const PACKET_OPTIONS = {
  useRecords: false,
  mapsAsObjects: true,
  moreTypes: true,
  structuredClone: false,
  useToJSON: false,
  variableMapSize: true,
  copyBuffers: true,
} as const;
const packetPackr = new Packr(PACKET_OPTIONS);
const packetUnpackr = new Unpackr(PACKET_OPTIONS);

type WellFormed = string & { isWellFormed(): boolean };
const wellFormed = (s: string): boolean => (s as WellFormed).isWellFormed();
const isNegZero = (n: number): boolean => n === 0 && 1 / n < 0;
/** Objects msgpackr packs by an extension of its own (an Error: name, message, cause). */
const isLeafObject = (v: object): boolean =>
  v instanceof Date ||
  v instanceof RegExp ||
  ArrayBuffer.isView(v) ||
  v instanceof ArrayBuffer ||
  v instanceof Error;

function refuse(v: unknown): never {
  throw new EnvelopeError('encode', `a ${typeof v} can not be packed`);
}

/**
 * Objects met by the current scan: a linear list while small (a Set costs more than packing a small
 * message), a Set past SMALL. Reused, and emptied after each scan so it holds on to nothing.
 */
const SMALL = 32;
const met: (object | undefined)[] = new Array(SMALL).fill(undefined);
let metCount = 0;
let metMany: Set<object> | undefined;

function metBefore(v: object): boolean {
  if (metMany !== undefined) {
    if (metMany.has(v)) return true;
    metMany.add(v);
    return false;
  }
  for (let i = 0; i < metCount; i++) if (met[i] === v) return true;
  if (metCount < SMALL) {
    met[metCount++] = v;
    return false;
  }
  metMany = new Set(met as object[]);
  metMany.add(v);
  return false;
}

function forgetMet(): void {
  for (let i = 0; i < metCount; i++) met[i] = undefined;
  metCount = 0;
  metMany = undefined;
}

/** Whether `v` packs as it is in plain msgpack (mode 0). */
function isPlainTree(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
      return wellFormed(v);
    case 'number':
      return !isNegZero(v);
    case 'object':
      break;
    case 'function':
    case 'symbol':
      return refuse(v);
    default:
      return true;
  }
  if (v === null) return true;
  if (metBefore(v)) return false;
  if (Array.isArray(v)) {
    const n = v.length;
    if (n > MAX_ARRAY) throw new EnvelopeError('encode', `an array of ${n} elements is too long`);
    for (let i = 0; i < n; i++) if (!isPlainTree(v[i])) return false;
    return true;
  }
  if (v instanceof Map) return false;
  if (v instanceof Set) {
    for (const x of v) if (!isPlainTree(x)) return false;
    return true;
  }
  if (isLeafObject(v)) return true;
  for (const k of Object.keys(v)) {
    if (k === '__proto__' || !wellFormed(k)) return false;
    if (!isPlainTree((v as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** Counts how often each object occurs (a second sight is not descended into). */
function countObjects(v: unknown, counts: Map<object, number>): void {
  if (typeof v !== 'object' || v === null) {
    if (typeof v === 'function' || typeof v === 'symbol') refuse(v);
    return;
  }
  const c = counts.get(v);
  if (c !== undefined) {
    counts.set(v, c + 1);
    return;
  }
  counts.set(v, 1);
  if (Array.isArray(v)) {
    if (v.length > MAX_ARRAY)
      throw new EnvelopeError('encode', `an array of ${v.length} elements is too long`);
    for (let i = 0; i < v.length; i++) countObjects(v[i], counts);
  } else if (v instanceof Map) {
    for (const [k, x] of v) {
      countObjects(k, counts);
      countObjects(x, counts);
    }
  } else if (v instanceof Set) {
    for (const x of v) countObjects(x, counts);
  } else if (!isLeafObject(v)) {
    for (const k of Object.keys(v)) countObjects((v as Record<string, unknown>)[k], counts);
  }
}

interface GraphState {
  counts: Map<object, number>;
  ids: Map<object, number>;
}

const tagged = (kind: string, fields: Record<string, unknown>): Record<string, unknown> => ({
  [PACKET_TAG]: kind,
  ...fields,
});

function utf16(s: string): Uint8Array {
  return Buffer.from(s, 'utf16le');
}

/** Rewrites `v` into the mode-1 tree. */
function toGraphTree(v: unknown, st: GraphState): unknown {
  if (typeof v === 'string') return wellFormed(v) ? v : tagged('s', { u: utf16(v) });
  if (typeof v === 'number') return isNegZero(v) ? tagged('z', {}) : v;
  if (typeof v !== 'object' || v === null) return v;
  if (st.counts.get(v)! > 1) {
    const id = st.ids.get(v);
    if (id !== undefined) return tagged('r', { i: id });
    const i = st.ids.size;
    st.ids.set(v, i);
    return tagged('d', { i, v: toGraphNode(v, st) });
  }
  return toGraphNode(v, st);
}

function toGraphNode(v: object, st: GraphState): unknown {
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = toGraphTree(v[i], st);
    return out;
  }
  if (v instanceof Map) {
    const e: unknown[] = [];
    for (const [k, x] of v) e.push(toGraphTree(k, st), toGraphTree(x, st));
    return tagged('m', { e });
  }
  if (v instanceof Set) {
    const e: unknown[] = [];
    for (const x of v) e.push(toGraphTree(x, st));
    return tagged('S', { e });
  }
  if (isLeafObject(v)) return v;
  const keys = Object.keys(v);
  const src = v as Record<string, unknown>;
  if (keys.some((k) => k === '__proto__' || k === PACKET_TAG || !wellFormed(k))) {
    const e: unknown[] = [];
    for (const k of keys) e.push(toGraphTree(k, st), toGraphTree(src[k], st));
    return tagged('o', { e });
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = toGraphTree(src[k], st);
  return out;
}

/**
 * @internal One packet's bytes: msgpack with structured-clone meaning (see the module comment for what is
 * kept). `value` is a value in the thread wire's format (plain data). Throws EnvelopeError('encode') for
 * what can't be packed (functions, symbols, arrays longer than 2^24, nesting deep enough to overflow).
 * The result is a view of a shared slab: copy it if kept long.
 */
export function encodePacket(value: unknown): Uint8Array {
  let tree: boolean;
  try {
    tree = isPlainTree(value);
  } catch (err) {
    throw err instanceof EnvelopeError
      ? err
      : new EnvelopeError('encode', 'the value can not be scanned', { cause: err });
  } finally {
    forgetMet();
  }
  let packed: Uint8Array;
  try {
    if (tree) {
      packed = packetPackr.pack(value, RESERVE_START_SPACE | 1);
      packed[0] = MODE_TREE;
    } else {
      const counts = new Map<object, number>();
      countObjects(value, counts);
      const rewritten = toGraphTree(value, { counts, ids: new Map() });
      packed = packetPackr.pack(rewritten, RESERVE_START_SPACE | 1);
      packed[0] = MODE_GRAPH;
    }
  } catch (err) {
    throw err instanceof EnvelopeError
      ? err
      : new EnvelopeError('encode', 'msgpack refused the value', { cause: err });
  }
  return packed;
}

/**
 * @internal Whether the packet `bytes` (as decodePacket takes them) may decode to a value that holds one
 * object twice: only a mode-1 packet can; plain msgpack (mode 0) always decodes to a tree.
 */
export function packetMayShare(bytes: Uint8Array): boolean {
  return bytes[0] !== MODE_TREE;
}

/** Extension types whose fixext1 form (`d4 <type> 00`) is a tag on the value that follows it. */
const EXT_TAGS = new Set([0x73 /* Set */, 0x65 /* Error */, 0x78 /* RegExp */]);
/** Extension types that carry their data in their payload: BigInt, typed arrays/ArrayBuffer/DataView, Date. */
const EXT_DATA = new Set([0x42, 0x74, 0xff]);

/**
 * Walks the msgpack in `b[p..end)` without decoding it, in one linear pass and no allocation, and throws
 * EnvelopeError(`reason`) unless it is exactly one value built only of what this module's packers write:
 * the standard types, and (with `ext`) the extensions for undefined, BigInt, typed arrays, Date, Set,
 * Error and RegExp. So msgpackr never sees its own record definitions (0x72), string bundles (0x62: their
 * offsets let a small input make it re-read a large string once per element, quadratic time),
 * structured-clone pointers, the never-used byte 0xC1, or a length that runs past the end.
 */
function checkShape(b: Uint8Array, p: number, end: number, ext: boolean, reason: EnvelopeErrorReason): void {
  let pending = 1; // values still to read
  while (pending > 0) {
    if (pending > end - p) throw new EnvelopeError(reason, 'more values claimed than bytes left');
    pending--;
    const t = b[p++];
    if (t < 0x80 || t >= 0xe0) continue; // fixint
    if (t < 0x90) {
      pending += 2 * (t & 0x0f); // fixmap
      continue;
    }
    if (t < 0xa0) {
      pending += t & 0x0f; // fixarray
      continue;
    }
    if (t < 0xc0) {
      p += t & 0x1f; // fixstr
      continue;
    }
    let type = -1;
    switch (t) {
      case 0xc0:
      case 0xc2:
      case 0xc3:
        break;
      case 0xcc:
      case 0xd0:
        p += 1;
        break;
      case 0xcd:
      case 0xd1:
        p += 2;
        break;
      case 0xca:
      case 0xce:
      case 0xd2:
        p += 4;
        break;
      case 0xcb:
      case 0xcf:
      case 0xd3:
        p += 8;
        break;
      case 0xc4: // bin8
      case 0xd9: // str8
        p += 1 + b[p];
        break;
      case 0xc5:
      case 0xda:
        p += 2 + ((b[p] << 8) | b[p + 1]);
        break;
      case 0xc6:
      case 0xdb:
        p += 4 + readU32(b, p);
        break;
      case 0xdc:
        pending += (b[p] << 8) | b[p + 1];
        p += 2;
        break;
      case 0xdd:
        pending += readU32(b, p);
        p += 4;
        break;
      case 0xde:
        pending += 2 * ((b[p] << 8) | b[p + 1]);
        p += 2;
        break;
      case 0xdf:
        pending += 2 * readU32(b, p);
        p += 4;
        break;
      case 0xd4: // fixext1: undefined, a tag on the next value, or one byte of data
        if (!ext) throw new EnvelopeError(reason, 'a msgpack extension');
        type = b[p];
        p += 2;
        if (type === 0x00) type = -1;
        else if (EXT_TAGS.has(type)) {
          pending++;
          type = -1;
        }
        break;
      case 0xd5:
        type = b[p];
        p += 3;
        break;
      case 0xd6:
        type = b[p];
        p += 5;
        break;
      case 0xd7:
        type = b[p];
        p += 9;
        break;
      case 0xd8:
        type = b[p];
        p += 17;
        break;
      case 0xc7:
        type = b[p + 1];
        p += 2 + b[p];
        break;
      case 0xc8:
        type = b[p + 2];
        p += 3 + ((b[p] << 8) | b[p + 1]);
        break;
      case 0xc9:
        type = b[p + 4];
        p += 5 + readU32(b, p);
        break;
      default:
        throw new EnvelopeError(reason, `the msgpack byte 0x${t.toString(16)}`);
    }
    if (type >= 0 && (!ext || !EXT_DATA.has(type)))
      throw new EnvelopeError(reason, `msgpack extension 0x${type.toString(16)}`);
    // (a length read past the end of the buffer is NaN: `!(p <= end)` catches that too)
    if (!(p <= end)) throw new EnvelopeError(reason, 'a value runs past the end');
  }
  if (p !== end) throw new EnvelopeError(reason, `${end - p} bytes after the value`);
}

const PENDING: unknown = Symbol('pending');

function bad(what: string): never {
  throw new EnvelopeError('decode', what);
}

/** Revives the mode-1 tree `x` in place where it can; `id` >= 0: register the result as that shared object. */
function revive(x: unknown, refs: unknown[], id: number): unknown {
  if (typeof x !== 'object' || x === null) return register(x, refs, id);
  if (Array.isArray(x)) {
    if (id >= 0) refs[id] = x;
    for (let i = 0; i < x.length; i++) x[i] = revive(x[i], refs, -1);
    return x;
  }
  if (Object.getPrototypeOf(x) !== Object.prototype) return register(x, refs, id); // Date, Set, typed array…
  const o = x as Record<string, unknown>;
  if (!Object.hasOwn(o, PACKET_TAG)) {
    if (id >= 0) refs[id] = o;
    for (const k of Object.keys(o)) o[k] = revive(o[k], refs, -1);
    return o;
  }
  switch (o[PACKET_TAG]) {
    case 'z':
      return register(-0, refs, id);
    case 's': {
      const u = o.u;
      if (!(u instanceof Uint8Array) || u.length % 2 !== 0) bad('a bad string node');
      return register(Buffer.from(u.buffer, u.byteOffset, u.length).toString('utf16le'), refs, id);
    }
    case 'd': {
      if (o.i !== refs.length) bad('a shared object with an out-of-order id');
      refs.push(PENDING);
      return revive(o.v, refs, refs.length - 1);
    }
    case 'r': {
      const i = o.i;
      if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= refs.length || refs[i] === PENDING)
        bad('a reference to an unknown object');
      return register(refs[i], refs, id);
    }
    case 'm': {
      const e = entries(o.e, 2);
      const m = new Map<unknown, unknown>();
      if (id >= 0) refs[id] = m;
      for (let i = 0; i < e.length; i += 2) m.set(revive(e[i], refs, -1), revive(e[i + 1], refs, -1));
      return m;
    }
    case 'S': {
      const e = entries(o.e, 1);
      const s = new Set<unknown>();
      if (id >= 0) refs[id] = s;
      for (let i = 0; i < e.length; i++) s.add(revive(e[i], refs, -1));
      return s;
    }
    case 'o': {
      const e = entries(o.e, 2);
      const out: Record<string, unknown> = {};
      if (id >= 0) refs[id] = out;
      for (let i = 0; i < e.length; i += 2) {
        const k = revive(e[i], refs, -1);
        if (typeof k !== 'string') bad('an object key that is not a string');
        const value = revive(e[i + 1], refs, -1);
        Object.defineProperty(out, k, { value, writable: true, enumerable: true, configurable: true });
      }
      return out;
    }
    default:
      return bad('an unknown node kind');
  }
}

function register(v: unknown, refs: unknown[], id: number): unknown {
  if (id >= 0) refs[id] = v;
  return v;
}

function entries(e: unknown, step: number): unknown[] {
  if (!Array.isArray(e) || e.length % step !== 0) bad('a bad entry list');
  return e;
}

/**
 * @internal Decodes one packet from untrusted bytes. Throws EnvelopeError('decode') and nothing else, for
 * any input; never sets a prototype, never allocates beyond what the bytes can hold.
 */
export function decodePacket(bytes: Uint8Array): unknown {
  try {
    if (!(bytes instanceof Uint8Array)) bad('not bytes');
    if (bytes.length < 2) bad('an empty packet');
    const mode = bytes[0];
    if (mode !== MODE_TREE && mode !== MODE_GRAPH) bad(`an unknown packet mode ${mode}`);
    checkShape(bytes, 1, bytes.length, true, 'decode');
    const v = packetUnpackr.unpack(bytes, { start: 1, end: bytes.length });
    return mode === MODE_TREE ? v : revive(v, [], -1);
  } catch (err) {
    if (err instanceof EnvelopeError) throw err;
    throw new EnvelopeError('decode', 'msgpack refused the packet', { cause: err });
  }
}

// ---------------------------------------------------------------------------------------------------
// Batches

/** @internal The header of a batch envelope. */
export interface EnvelopeHeader {
  /** The cluster's name ([A-Za-z0-9_-]{1,32}). */
  cluster: string;
  /** The sender's NodeKey, `${node}~${incarnation}`. */
  from: string;
  /** The receiver's NodeKey, or `'*'` for a broadcast. */
  to: string;
  /** `'b'` a batch of packets, `'hb'` a heartbeat, `'bye'` a node leaving. */
  kind: 'b' | 'hb' | 'bye';
  /** The sender's session epoch for this pair (safe non-negative integer). */
  epoch: number;
  /** The batch's number within the epoch (safe non-negative integer). */
  seq: number;
}

const MAGIC = 0x50;
/** 2: packets may be plain records (batch-body.ts), which a version-1 node would drop one by one. */
const VERSION = 2;
const FLAG_SIGNED = 1;
const TAG_BYTES = 32;
/** Bytes before the header: magic, version, flags, u16 header length. */
const PREFIX = 5;
/** Longest header accepted (a valid one is under 200 bytes). */
const MAX_HEADER = 1024;

const CLUSTER_RE = /^[A-Za-z0-9_-]{1,32}$/;
const NODE_KEY_RE = /^[A-Za-z0-9_-]{1,64}~[0-9a-f]{16}$/;
const KINDS: ReadonlySet<unknown> = new Set(['b', 'hb', 'bye']);

const HEADER_OPTIONS = { useRecords: false, mapsAsObjects: true, structuredClone: false } as const;
const headerPackr = new Packr(HEADER_OPTIONS);
const headerUnpackr = new Unpackr(HEADER_OPTIONS);

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isNodeKey = (s: unknown): s is string => typeof s === 'string' && s.length <= 81 && NODE_KEY_RE.test(s);

/** Why `h` is not a valid header (its fields in wire order), or undefined. */
function headerProblem(
  cluster: unknown,
  from: unknown,
  to: unknown,
  kind: unknown,
  epoch: unknown,
  seq: unknown,
): string | undefined {
  if (typeof cluster !== 'string' || cluster.length > 32 || !CLUSTER_RE.test(cluster))
    return 'a bad cluster name';
  if (!isNodeKey(from)) return "a bad 'from' node key";
  if (to !== '*' && !isNodeKey(to)) return "a bad 'to' node key";
  if (!KINDS.has(kind)) return 'an unknown kind';
  if (!isCount(epoch)) return 'an epoch that is not a safe non-negative integer';
  if (!isCount(seq)) return 'a seq that is not a safe non-negative integer';
  return undefined;
}

function hmacKey(key: Uint8Array): Uint8Array {
  if (key.length === 0) throw new EnvelopeError('signature', 'an empty HMAC key');
  return key;
}

function readU32(b: Uint8Array, p: number): number {
  return b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
}

function writeU32(b: Uint8Array, p: number, n: number): void {
  b[p] = n >>> 24;
  b[p + 1] = n >>> 16;
  b[p + 2] = n >>> 8;
  b[p + 3] = n;
}

/** @internal Packets already framed (`([u32 len][packet])*`, `count` of them in `buf[0, len)`). */
export interface FramedPackets {
  buf: Uint8Array;
  len: number;
  count: number;
}

/**
 * @internal Frames a batch (see the module comment for the layout), signed when `key` is given. The
 * header is validated as openBatch would (EnvelopeError('header') if not). Packets are copied in as they
 * are (from encodePacket), then those of `body` (framed already: see batch-body.ts).
 */
export function sealBatch(
  header: EnvelopeHeader,
  packets: readonly Uint8Array[],
  key: Uint8Array | undefined,
  body?: FramedPackets,
): Uint8Array {
  const { cluster, from, to, kind, epoch, seq } = header;
  const problem = headerProblem(cluster, from, to, kind, epoch, seq);
  if (problem !== undefined) throw new EnvelopeError('header', `can not seal a header with ${problem}`);
  const h = headerPackr.pack([cluster, from, to, kind, epoch, seq]);
  const count = packets.length;
  let size = PREFIX + h.length + 4;
  for (let i = 0; i < count; i++) size += 4 + packets[i].length;
  if (body !== undefined) size += body.len;
  const signedEnd = size;
  if (key !== undefined) size += TAG_BYTES;
  const out = Buffer.allocUnsafe(size);
  out[0] = MAGIC;
  out[1] = VERSION;
  out[2] = key !== undefined ? FLAG_SIGNED : 0;
  out[3] = h.length >>> 8;
  out[4] = h.length & 0xff;
  out.set(h, PREFIX);
  let p = PREFIX + h.length;
  writeU32(out, p, count + (body?.count ?? 0));
  p += 4;
  for (let i = 0; i < count; i++) {
    const packet = packets[i];
    writeU32(out, p, packet.length);
    out.set(packet, p + 4);
    p += 4 + packet.length;
  }
  if (body !== undefined && body.len > 0) out.set(body.buf.subarray(0, body.len), p);
  if (key !== undefined) {
    createHmac('sha256', hmacKey(key)).update(out.subarray(0, signedEnd)).digest().copy(out, signedEnd);
  }
  return out;
}

/**
 * @internal Opens a batch from untrusted bytes: checks the frame, the signature (constant time, before
 * any msgpack decode; a signed envelope when `key` is undefined, or an unsigned one when it is given, is
 * refused), then decodes and validates the header (cluster must be `cluster`). Throws EnvelopeError and
 * nothing else. The packets are subarrays of `bytes`, not yet decoded (decodePacket each).
 */
export function openBatch(
  bytes: Uint8Array,
  key: Uint8Array | undefined,
  cluster: string,
): { header: EnvelopeHeader; packets: Uint8Array[] } {
  const { header, bounds } = openFrame(bytes, key, cluster);
  const packets: Uint8Array[] = new Array(bounds.length >> 1);
  for (let i = 0; i < packets.length; i++) packets[i] = bytes.subarray(bounds[2 * i]!, bounds[2 * i + 1]!);
  return { header, packets };
}

/**
 * @internal openBatch, with each packet as its bounds in `bytes` (`bounds[2i]` to `bounds[2i + 1]`), so
 * nothing is allocated per packet.
 */
export function openFrame(
  bytes: Uint8Array,
  key: Uint8Array | undefined,
  cluster: string,
): { header: EnvelopeHeader; bounds: number[] } {
  if (!(bytes instanceof Uint8Array)) throw new EnvelopeError('short', 'not bytes');
  const n = bytes.length;
  if (n < PREFIX + 1 + 4) throw new EnvelopeError('short', `${n} bytes`);
  if (bytes[0] !== MAGIC) throw new EnvelopeError('magic', `first byte ${bytes[0]}`);
  if (bytes[1] !== VERSION) throw new EnvelopeError('version', `version ${bytes[1]}`);
  const flags = bytes[2];
  if ((flags & ~FLAG_SIGNED) !== 0) throw new EnvelopeError('layout', `unknown flags ${flags}`);
  const signed = (flags & FLAG_SIGNED) !== 0;
  let end = n;
  if (signed) {
    if (key === undefined)
      throw new EnvelopeError('signature', 'a signed envelope, but no cluster secret is set here');
    if (n < PREFIX + 1 + 4 + TAG_BYTES) throw new EnvelopeError('short', `${n} bytes with a signature`);
    end = n - TAG_BYTES;
    const mac = createHmac('sha256', hmacKey(key)).update(bytes.subarray(0, end)).digest();
    if (!timingSafeEqual(mac, bytes.subarray(end))) throw new EnvelopeError('signature', 'a bad signature');
  } else if (key !== undefined) {
    throw new EnvelopeError('signature', 'an unsigned envelope, but this node requires signed ones');
  }
  const hlen = (bytes[3] << 8) | bytes[4];
  if (hlen === 0 || hlen > MAX_HEADER) throw new EnvelopeError('layout', `a header of ${hlen} bytes`);
  let p = PREFIX + hlen;
  if (p + 4 > end) throw new EnvelopeError('layout', `a header of ${hlen} bytes in ${n}`);
  const count = readU32(bytes, p);
  p += 4;
  if (count > (end - p) / 4) throw new EnvelopeError('layout', `${count} packets in ${end - p} bytes`);
  const bounds: number[] = new Array(2 * count);
  for (let i = 0; i < count; i++) {
    if (p + 4 > end) throw new EnvelopeError('layout', `packet ${i} runs past the end`);
    const len = readU32(bytes, p);
    p += 4;
    if (len > end - p) throw new EnvelopeError('layout', `packet ${i} of ${len} bytes runs past the end`);
    bounds[2 * i] = p;
    bounds[2 * i + 1] = p += len;
  }
  if (p !== end) throw new EnvelopeError('layout', `${end - p} bytes after the last packet`);
  checkShape(bytes, PREFIX, PREFIX + hlen, false, 'header');
  let h: unknown;
  try {
    h = headerUnpackr.unpack(bytes, { start: PREFIX, end: PREFIX + hlen });
  } catch (err) {
    throw new EnvelopeError('header', 'msgpack refused the header', { cause: err });
  }
  if (!Array.isArray(h) || h.length !== 6)
    throw new EnvelopeError('header', 'a header that is not a 6-array');
  const [hCluster, from, to, kind, epoch, seq] = h;
  const problem = headerProblem(hCluster, from, to, kind, epoch, seq);
  if (problem !== undefined) throw new EnvelopeError('header', `a header with ${problem}`);
  if (hCluster !== cluster)
    throw new EnvelopeError('cluster', `from cluster '${hCluster}', this is '${cluster}'`);
  return { header: { cluster, from, to, kind, epoch, seq }, bounds };
}

/**
 * @internal The HMAC key for a cluster secret: sha256("parley-cluster\0" + cluster + "\0" + secret), so
 * two clusters with the same secret still have different keys. An empty secret is refused (RangeError).
 */
export function clusterKey(cluster: string, secret: string | Uint8Array): Uint8Array {
  if (secret.length === 0)
    throw new RangeError('clusterKey: the cluster secret is empty; give a secret, or none');
  return createHash('sha256')
    .update('parley-cluster\0')
    .update(cluster)
    .update('\0')
    .update(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret)
    .digest();
}
