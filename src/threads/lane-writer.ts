/** The writing end of a lane: binary records into a SharedArrayBuffer ring (see lane-format.ts). */
import type { Address } from '../core/ref.js';
import { ActorRef, ReplyRef } from '../core/ref.js';
import {
  ACTOR,
  CANNOT,
  CAPACITY,
  DEFINE,
  FALSE,
  FULL,
  HEADER_BYTES,
  MARKER,
  MASK,
  MAX_STRING,
  MAX_STRINGS,
  MSG,
  NO_SENDER,
  NULL,
  NUMBER,
  READ,
  READER_SLEEPS,
  REPLY,
  REPLY_TO,
  STRING,
  sizeOfArgs,
  TRUE,
  UNDEFINED,
  WRAP,
  WRITER_WAITS,
  WRITTEN,
  WRITTEN_OK,
  waitAsync,
} from './lane-format.js';

/** @internal The writing end: lives on the sending thread. */
export class LaneWriter {
  private readonly hdr: Int32Array;
  private readonly f: Float64Array;
  private readonly u: Uint16Array;
  /** Next word to write (published to the reader by publish()). */
  private w: number;
  private readonly strings = new Map<string, number>();
  /** Records since the last publish. */
  pending = 0;
  private published: number;
  private waiting = false;

  constructor(
    readonly sab: SharedArrayBuffer,
    /** Called when the reader has made room after the writer found the lane full. */
    private readonly onRoom: () => void,
  ) {
    this.hdr = new Int32Array(sab, 0, HEADER_BYTES / 4);
    this.f = new Float64Array(sab, HEADER_BYTES, CAPACITY);
    this.u = new Uint16Array(sab, HEADER_BYTES, CAPACITY * 4);
    this.w = this.published = Atomics.load(this.hdr, WRITTEN);
  }

  /**
   * Writes a message to actor `to`: WRITTEN, CANNOT (not a plain message: send it as a packet) or FULL
   * (hold it back until `waitForRoom` calls back).
   */
  msg(to: number, tag: string, sender: Address | null, args: unknown[]): number {
    const argWords = sizeOfArgs(args);
    if (argWords < 0) return CANNOT;
    let kind = NO_SENDER;
    let a = 0;
    let b = 0;
    let c = 0;
    if (sender !== null) {
      if (sender instanceof ReplyRef) {
        kind = REPLY_TO;
        c = sender.callId;
      } else if (sender instanceof ActorRef) {
        kind = ACTOR;
        c = this.stringId(sender.name);
        if (c < 0) return c;
      } else return CANNOT;
      a = sender.id;
      b = sender.thread;
    }
    const tagId = this.stringId(tag);
    if (tagId < 0) return tagId;
    const at = this.reserve(4 + (kind === NO_SENDER ? 0 : 3) + argWords);
    if (at < 0) return FULL;
    const f = this.f;
    f[at] = MSG;
    f[at + 1] = to;
    f[at + 2] = tagId;
    f[at + 3] = kind;
    let i = at + 4;
    if (kind !== NO_SENDER) {
      f[i] = a;
      f[i + 1] = b;
      f[i + 2] = c;
      i += 3;
    }
    this.writeArgs(i, args);
    return WRITTEN_OK;
  }

  /** Writes a reply to call `callId`: as msg(). */
  reply(callId: number, tag: string, args: unknown[]): number {
    const argWords = sizeOfArgs(args);
    if (argWords < 0) return CANNOT;
    const tagId = this.stringId(tag);
    if (tagId < 0) return tagId;
    const at = this.reserve(3 + argWords);
    if (at < 0) return FULL;
    this.f[at] = REPLY;
    this.f[at + 1] = callId;
    this.f[at + 2] = tagId;
    this.writeArgs(at + 3, args);
    return WRITTEN_OK;
  }

  /** Marks the place of a packet sent over the port; false if the lane is full. */
  marker(): boolean {
    const at = this.reserve(1);
    if (at < 0) return false;
    this.f[at] = MARKER;
    return true;
  }

  /** Makes the records written so far visible to the reader, and wakes it if it sleeps. */
  publish(): void {
    if (this.w === this.published) return;
    this.published = this.w;
    this.pending = 0;
    const hdr = this.hdr;
    Atomics.store(hdr, WRITTEN, this.w);
    if (Atomics.load(hdr, READER_SLEEPS) === 1) {
      Atomics.store(hdr, READER_SLEEPS, 0);
      Atomics.notify(hdr, READER_SLEEPS);
    }
  }

  /** Is a quarter of the lane free? */
  hasRoom(): boolean {
    return CAPACITY - ((this.w - Atomics.load(this.hdr, READ)) | 0) >= CAPACITY >> 2;
  }

  /** The lane is full: calls `onRoom` once the reader has made a quarter of it free. */
  waitForRoom(): void {
    if (this.waiting) return;
    this.waiting = true;
    const hdr = this.hdr;
    const check = (): void => {
      Atomics.store(hdr, WRITER_WAITS, 1);
      if (this.hasRoom()) {
        Atomics.store(hdr, WRITER_WAITS, 0);
        this.waiting = false;
        this.onRoom();
        return;
      }
      const r = waitAsync(hdr, WRITER_WAITS, 1);
      if (r.async) void r.value.then(check);
      else check();
    };
    check();
  }

  private writeArgs(i: number, args: unknown[]): void {
    const f = this.f;
    f[i++] = args.length;
    for (let k = 0; k < args.length; k++) {
      const v = args[k];
      switch (typeof v) {
        case 'number':
          f[i] = NUMBER;
          f[i + 1] = v;
          i += 2;
          break;
        case 'string': {
          f[i] = STRING;
          f[i + 1] = v.length;
          const u = this.u;
          const base = (i + 2) * 4;
          for (let j = 0; j < v.length; j++) u[base + j] = v.charCodeAt(j);
          i += 2 + ((v.length + 3) >> 2);
          break;
        }
        case 'boolean':
          f[i++] = v ? TRUE : FALSE;
          break;
        case 'undefined':
          f[i++] = UNDEFINED;
          break;
        default:
          f[i++] = NULL;
      }
    }
    this.pending++;
  }

  /** The table id of `s`, defining it in the lane first if new; CANNOT if the table is full, or FULL. */
  private stringId(s: string): number {
    const id = this.strings.get(s);
    if (id !== undefined) return id;
    if (this.strings.size >= MAX_STRINGS || s.length > MAX_STRING) return CANNOT;
    const at = this.reserve(3 + ((s.length + 3) >> 2));
    if (at < 0) return FULL;
    const next = this.strings.size;
    this.f[at] = DEFINE;
    this.f[at + 1] = next;
    this.f[at + 2] = s.length;
    const base = (at + 3) * 4;
    for (let j = 0; j < s.length; j++) this.u[base + j] = s.charCodeAt(j);
    this.strings.set(s, next);
    return next;
  }

  /** Claims `words` contiguous words; returns where they start, or -1 if the lane is full. */
  private reserve(words: number): number {
    const w = this.w;
    const pos = w & MASK;
    const waste = pos + words > CAPACITY ? CAPACITY - pos : 0;
    const free = CAPACITY - ((w - Atomics.load(this.hdr, READ)) | 0);
    if (waste + words > free) return -1;
    if (waste > 0) this.f[pos] = WRAP;
    this.w = (w + waste + words) | 0;
    return waste > 0 ? 0 : pos;
  }
}
