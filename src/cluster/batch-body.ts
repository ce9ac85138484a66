/**
 * @internal The packets of one batch as they are filled (the body of an envelope, see envelope.ts:
 * `([u32 len][packet])*`), and the cluster's fast path: plain messages and replies written straight into
 * it as compact binary records, with no packet object, no wire encoding, no msgpack and no translation of
 * places (the counterpart of the thread lanes' records, src/threads/lane-format.ts).
 *
 * A record is a packet whose first byte (the packet mode) is {@link PLAIN_MODE}; envelope.ts's packets use
 * 0 and 1. Integers big-endian:
 *   `[2][kind: 1 msg | 2 reply][u16 at]`
 *   msg: `[f64 to]` (an id, see below), reply: `[f64 callId]`;
 *   `[str tag][u8 sender kind]`, sender (msg only): none, or an actor living on the sending node
 *   `[u16 thread][f64 id][str name]`, or a reply address `[u16 thread][f64 id][f64 callId]`;
 *   `[u8 argc]` and each arg `[u8 kind]` + undefined | null | false | true | `[i32]` | `[f64]` |
 *   `[u32 len][utf-8]` a string | `[u32 len][bytes]` a Uint8Array.
 *   `str` (tag, name): `[u16 len][ascii]`.
 * An id (actor ids are numbered by the place that spawned the actor) is, as the sender writes it, either an
 * id of the sending node's own places (`0 ≤ id < 2^48`: the receiver maps its place to that thread's
 * alias, as it does for a packet's numeric ids), or `-(id) - 1` for an id of the receiving node's own
 * places; an id of a third node takes the packet path.
 * Plain: no kwargs; args of those kinds only (a Uint8Array exactly, not a subclass or another view; strings
 * well formed); a sender that lives on the sending node with an ASCII name; an ASCII tag. Anything else
 * takes the packet path, with the same meaning: what arrives is what structured clone would give (a
 * Uint8Array of its own bytes). The reader (readRecord) trusts nothing: every length is checked against
 * the record's end, and a bad record throws EnvelopeError('decode').
 */
import { types } from 'node:util';
import { ID_SPACE } from '../core/inspect.js';
import { type ActorRef, ReplyRef } from '../core/ref.js';
import { REMOTE_BASE } from '../router/transport.js';
import { EnvelopeError } from './envelope.js';

/** The packet mode of a record (envelope.ts's msgpack packets are modes 0 and 1). */
export const PLAIN_MODE = 2;
export const REC_MSG = 1;
export const REC_REPLY = 2;

const NO_SENDER = 0;
const ACTOR = 1;
const REPLY_TO = 2;

const V_UNDEFINED = 0;
const V_NULL = 1;
const V_FALSE = 2;
const V_TRUE = 3;
const V_INT = 4;
const V_FLOAT = 5;
const V_STRING = 6;
const V_BYTES = 7;

/** Most args a record carries (more take the packet path). */
const MAX_ARGS = 255;
/** Longest tag or sender name a record carries. */
const MAX_NAME = 0xffff;
const INITIAL = 4096;
/** A batch buffer larger than this is let go when its batch is sent. */
const SHRINK = 256 * 1024;

/** A Uint8Array itself (not a subclass such as Buffer, not a Proxy, not an object given its prototype). */
function isBytes(v: object): boolean {
  // isUint8Array first: it is false for a Proxy, whose getPrototypeOf trap then never runs.
  return types.isUint8Array(v) && Object.getPrototypeOf(v) === Uint8Array.prototype;
}

const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

/** @internal A batch being filled: framed packets, appended in order. */
export class BatchBody {
  buf: Uint8Array = new Uint8Array(INITIAL);
  private dv = new DataView(this.buf.buffer);
  private b = Buffer.from(this.buf.buffer);
  /** Bytes used, and packets in them. */
  len = 0;
  count = 0;
  /** The largest record msg() and reply() write (a larger message takes the packet path, which refuses it). */
  max = Number.POSITIVE_INFINITY;

  reset(): void {
    this.len = 0;
    this.count = 0;
    // A batch that grew large (large messages) does not keep its memory while the pair is quiet.
    if (this.buf.length > SHRINK) this.fresh(INITIAL);
  }

  private fresh(size: number): void {
    this.buf = new Uint8Array(size);
    this.dv = new DataView(this.buf.buffer);
    this.b = Buffer.from(this.buf.buffer);
  }

  /** Room for `n` more bytes. */
  private room(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const old = this.buf;
    this.fresh(cap);
    this.buf.set(old.subarray(0, this.len));
  }

  /** Appends a packet (bytes from encodePacket). */
  packet(bytes: Uint8Array): void {
    this.room(4 + bytes.length);
    this.dv.setUint32(this.len, bytes.length);
    this.buf.set(bytes, this.len + 4);
    this.len += 4 + bytes.length;
    this.count++;
  }

  /** The last `bytes` bytes appended, copied, and taken off the end (`packets` of them). */
  takeTail(bytes: number, packets: number): Uint8Array {
    const tail = this.buf.slice(this.len - bytes, this.len);
    this.len -= bytes;
    this.count -= packets;
    return tail;
  }

  /** Appends framed packets taken by takeTail. */
  putTail(tail: Uint8Array, packets: number): void {
    this.room(tail.length);
    this.buf.set(tail, this.len);
    this.len += tail.length;
    this.count += packets;
  }

  /**
   * Appends a message to actor `n` of thread `at` of the receiving node as a record: the bytes it took
   * (with its length word), or 0 if it is not plain (nothing is appended; send it as a packet).
   */
  msg(at: number, to: number, tag: string, from: ActorRef | null, fromId: number, args: unknown[]): number {
    let size = 28 + tag.length;
    let kind = NO_SENDER;
    if (from !== null) {
      if (from instanceof ReplyRef) kind = REPLY_TO;
      else {
        kind = ACTOR;
        size += from.name.length;
      }
      size += 20;
    }
    const argsSize = sizeOfArgs(args);
    if (argsSize < 0 || size + argsSize > this.max) return 0;
    this.room(size + argsSize);
    const start = this.len;
    const buf = this.buf;
    const dv = this.dv;
    buf[start + 4] = PLAIN_MODE;
    buf[start + 5] = REC_MSG;
    dv.setUint16(start + 6, at);
    dv.setFloat64(start + 8, to);
    let p = this.name(start + 16, tag);
    if (p < 0) return 0;
    buf[p++] = kind;
    if (from !== null) {
      dv.setUint16(p, from.thread);
      dv.setFloat64(p + 2, fromId);
      p += 10;
      if (kind === REPLY_TO) {
        dv.setFloat64(p, (from as ReplyRef).callId);
        p += 8;
      } else if ((p = this.name(p, from.name)) < 0) return 0;
    }
    return this.finish(start, p, args);
  }

  /** Appends a reply to call `callId` of thread `at`: as msg(). */
  reply(at: number, callId: number, tag: string, args: unknown[]): number {
    const argsSize = sizeOfArgs(args);
    if (argsSize < 0 || 24 + tag.length + argsSize > this.max) return 0;
    this.room(24 + tag.length + argsSize);
    const start = this.len;
    const buf = this.buf;
    buf[start + 4] = PLAIN_MODE;
    buf[start + 5] = REC_REPLY;
    this.dv.setUint16(start + 6, at);
    this.dv.setFloat64(start + 8, callId);
    const p = this.name(start + 16, tag);
    if (p < 0) return 0;
    buf[p] = NO_SENDER;
    return this.finish(start, p + 1, args);
  }

  /** Writes the args at `p`, then the record's length: its size, or 0 (not written) if an arg is not plain. */
  private finish(start: number, p: number, args: unknown[]): number {
    const buf = this.buf;
    const dv = this.dv;
    const argc = args.length;
    buf[p++] = argc;
    for (let i = 0; i < argc; i++) {
      const v = args[i];
      switch (typeof v) {
        case 'number':
          if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
            buf[p] = V_INT;
            dv.setInt32(p + 1, v);
            p += 5;
          } else {
            buf[p] = V_FLOAT;
            dv.setFloat64(p + 1, v);
            p += 9;
          }
          break;
        case 'string': {
          p = this.string(p, v);
          if (p < 0) return 0;
          break;
        }
        case 'boolean':
          buf[p++] = v ? V_TRUE : V_FALSE;
          break;
        case 'undefined':
          buf[p++] = V_UNDEFINED;
          break;
        default:
          if (v === null) buf[p++] = V_NULL;
          else {
            const bytes = v as Uint8Array;
            const len = bytes.length;
            buf[p] = V_BYTES;
            dv.setUint32(p + 1, len);
            buf.set(bytes, p + 5);
            p += 5 + len;
          }
      }
    }
    const size = p - start;
    dv.setUint32(start, size - 4);
    this.len = p;
    this.count++;
    return size;
  }

  /** A tag or name at `p` (`[u16 len][ascii]`): the position after it, or -1 if it is not ASCII. */
  private name(p: number, s: string): number {
    const len = s.length;
    if (len > MAX_NAME) return -1;
    const buf = this.buf;
    this.dv.setUint16(p, len);
    p += 2;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) return -1;
      buf[p + i] = c;
    }
    return p + len;
  }

  /** A string arg at `p`: the position after it, or -1 if it is not well formed (the packet path says why). */
  private string(p: number, s: string): number {
    const len = s.length;
    const buf = this.buf;
    this.buf[p] = V_STRING;
    if (len <= 32) {
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        buf[p + 5 + i] = c;
      }
      if (i === len) {
        this.dv.setUint32(p + 1, len);
        return p + 5 + len;
      }
    }
    if (!isWellFormed(s)) return -1;
    const written = this.b.write(s, p + 5, 'utf8');
    this.dv.setUint32(p + 1, written);
    return p + 5 + written;
  }
}

/** The most bytes `args` take in a record, or -1 if they are not plain. */
function sizeOfArgs(args: unknown[]): number {
  const argc = args.length;
  if (argc > MAX_ARGS) return -1;
  let size = 1;
  for (let i = 0; i < argc; i++) {
    const v = args[i];
    switch (typeof v) {
      case 'number':
        size += 9;
        break;
      case 'string':
        // utf-8 takes at most 3 bytes per UTF-16 unit
        size += 5 + 3 * v.length;
        break;
      case 'boolean':
      case 'undefined':
        size += 1;
        break;
      case 'object':
        if (v === null) size += 1;
        else if (isBytes(v)) size += 5 + (v as Uint8Array).length;
        else return -1;
        break;
      default:
        return -1;
    }
  }
  return size;
}

/** @internal One record as read (a reader's own object, overwritten by the next read). */
export interface PlainRecord {
  kind: number;
  at: number;
  /** msg: the receiver's id (as the sender wrote it, see the module comment); reply: the call id. */
  to: number;
  tag: string;
  /** NO_SENDER (0), ACTOR (1) or REPLY_TO (2), with the sender's thread on the sending node and its id. */
  senderKind: number;
  senderThread: number;
  senderId: number;
  /** ACTOR: its name. */
  senderName: string;
  /** REPLY_TO: its call id. */
  senderCall: number;
  args: unknown[];
}

export const SENDER_ACTOR = ACTOR;
export const SENDER_REPLY_TO = REPLY_TO;

/** An id as a record carries it: a safe integer in (-2^48 - 1, 2^48). */
function isWireId(id: number): boolean {
  return Number.isSafeInteger(id) && id < REMOTE_BASE * ID_SPACE && id >= -REMOTE_BASE * ID_SPACE - 1;
}

function bad(what: string): never {
  throw new EnvelopeError('decode', `a plain record with ${what}`);
}

/** @internal Reads records out of one batch's bytes (untrusted). */
export class RecordReader {
  readonly rec: PlainRecord = {
    kind: 0,
    at: 0,
    to: 0,
    tag: '',
    senderKind: 0,
    senderThread: 0,
    senderId: 0,
    senderName: '',
    senderCall: 0,
    args: [],
  };
  private u8: Uint8Array = new Uint8Array(0);
  private b: Buffer = Buffer.alloc(0);
  private dv: DataView = new DataView(new ArrayBuffer(0));
  private end = 0;

  /** The batch the next reads are from. */
  use(bytes: Uint8Array): void {
    this.u8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    this.b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  }

  /** Reads the record in `[start, end)` of the batch into `rec`; EnvelopeError('decode') if it is bad. */
  read(start: number, end: number): PlainRecord {
    this.end = end;
    const u8 = this.u8;
    const dv = this.dv;
    const rec = this.rec;
    this.need(start, 12);
    const kind = u8[start + 1]!;
    rec.kind = kind;
    rec.at = dv.getUint16(start + 2);
    if (kind === REC_MSG) {
      const to = dv.getFloat64(start + 4);
      if (!isWireId(to)) bad('a bad actor id');
      rec.to = to;
    } else if (kind === REC_REPLY) {
      const call = dv.getFloat64(start + 4);
      if (!Number.isSafeInteger(call)) bad('a bad call id');
      rec.to = call;
    } else return bad(`kind ${kind}`);
    let p = start + 12;
    p = this.name(p);
    rec.tag = this.str;
    this.need(p, 1);
    const sk = u8[p++]!;
    rec.senderKind = sk;
    if (sk === ACTOR || sk === REPLY_TO) {
      if (kind !== REC_MSG) bad('a sender on a reply');
      this.need(p, 10);
      rec.senderThread = dv.getUint16(p);
      const id = dv.getFloat64(p + 2);
      if (!isWireId(id)) bad('a bad sender id');
      rec.senderId = id;
      p += 10;
      if (sk === REPLY_TO) {
        this.need(p, 8);
        const call = dv.getFloat64(p);
        if (!Number.isSafeInteger(call)) bad('a bad call id');
        rec.senderCall = call;
        p += 8;
      } else {
        p = this.name(p);
        rec.senderName = this.str;
      }
    } else if (sk !== NO_SENDER) bad(`sender kind ${sk}`);
    this.need(p, 1);
    const argc = u8[p++]!;
    const args = new Array(argc);
    for (let i = 0; i < argc; i++) {
      this.need(p, 1);
      switch (u8[p]) {
        case V_UNDEFINED:
          args[i] = undefined;
          p++;
          break;
        case V_NULL:
          args[i] = null;
          p++;
          break;
        case V_FALSE:
          args[i] = false;
          p++;
          break;
        case V_TRUE:
          args[i] = true;
          p++;
          break;
        case V_INT:
          this.need(p, 5);
          args[i] = dv.getInt32(p + 1);
          p += 5;
          break;
        case V_FLOAT:
          this.need(p, 9);
          args[i] = dv.getFloat64(p + 1);
          p += 9;
          break;
        case V_STRING: {
          this.need(p, 5);
          const len = dv.getUint32(p + 1);
          p += 5;
          this.need(p, len);
          args[i] = this.text(p, len);
          p += len;
          break;
        }
        case V_BYTES: {
          this.need(p, 5);
          const len = dv.getUint32(p + 1);
          p += 5;
          this.need(p, len);
          args[i] = u8.slice(p, p + len);
          p += len;
          break;
        }
        default:
          bad(`an arg of kind ${u8[p]}`);
      }
    }
    if (p !== end) bad(`${end - p} bytes after its args`);
    rec.args = args;
    return rec;
  }

  /** The string name() read last. */
  private str = '';

  /** Reads a `[u16 len][ascii]` at `p` into `str`: the position after it. */
  private name(p: number): number {
    this.need(p, 2);
    const len = this.dv.getUint16(p);
    p += 2;
    this.need(p, len);
    this.str = this.text(p, len);
    return p + len;
  }

  private text(p: number, len: number): string {
    if (len <= 16) {
      const u8 = this.u8;
      let s = '';
      for (let i = 0; i < len; i++) {
        const c = u8[p + i]!;
        if (c > 0x7f) return this.b.toString('utf8', p, p + len);
        s += String.fromCharCode(c);
      }
      return s;
    }
    return this.b.toString('utf8', p, p + len);
  }

  /** Throws unless `n` bytes from `p` are inside the record. */
  private need(p: number, n: number): void {
    if (p + n > this.end) bad('lengths past its end');
  }
}
