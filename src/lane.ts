/**
 * A lane: one thread's one-way channel to another, a ring of 64-bit words in a SharedArrayBuffer
 * (single writer, single reader). Plain messages (primitive args, no kwargs, sender null or a ref) and
 * replies with primitive values are written into it as compact binary records: no structured clone, no
 * object per message, no postMessage. Everything else still travels over the pair's MessagePort, and the
 * lane carries a one-word MARKER in its place, so the reader takes lane records and port packets in the
 * one order they were sent (FIFO per sender→receiver pair holds across both paths).
 *
 * The reader sleeps in `Atomics.waitAsync` and the writer wakes it only when it sleeps. With `spinMicros`
 * a worker thread that runs out of work polls its lanes for that long before it sleeps: a cross-thread
 * round trip then costs a few microseconds instead of a thread wake-up, for the CPU the spinning burns.
 */
import type { Address } from './ref.js';
import { ActorRef, ReplyRef } from './ref.js';

/** `Atomics.waitAsync` (Node 16+; typed here, the project's lib predates it). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      a: Int32Array,
      index: number,
      value: number,
    ): { async: true; value: Promise<string> } | { async: false; value: string };
  }
).waitAsync;

/** Words of data in a lane (a power of two): 32Ki words = 256 KiB. */
const CAPACITY = 1 << 15;
const MASK = CAPACITY - 1;
const HEADER_BYTES = 64;
// Int32 header slots.
const WRITTEN = 0;
const READ = 1;
const READER_SLEEPS = 2;
const WRITER_WAITS = 3;

// Record types (first word of a record).
const MSG = 1;
const REPLY = 2;
const MARKER = 3;
const WRAP = 4;
const DEFINE = 5;

// Value kinds.
const UNDEFINED = 0;
const NULL = 1;
const FALSE = 2;
const TRUE = 3;
const NUMBER = 4;
const STRING = 5;

// Sender kinds.
const NO_SENDER = 0;
const ACTOR = 1;
const REPLY_TO = 2;

/** @internal What LaneWriter.msg() and reply() did. */
export const WRITTEN_OK = 1;
export const CANNOT = -1;
export const FULL = -2;

/** Longest string arg carried in a record; longer ones take the port. */
const MAX_STRING = 1024;
/** Most args in a record. */
const MAX_ARGS = 16;
/** Distinct tags and actor names a lane defines; later ones take the port. */
const MAX_STRINGS = 4096;

/** @internal The shared memory of one lane; the writer creates it and sends it to the reader. */
export function newLaneBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + CAPACITY * 8);
}

/** Words a value takes, or -1 if a record cannot carry it. */
function sizeOf(v: unknown): number {
  switch (typeof v) {
    case 'number':
      return 2;
    case 'string':
      return v.length > MAX_STRING ? -1 : 2 + ((v.length + 3) >> 2);
    case 'boolean':
    case 'undefined':
      return 1;
    case 'object':
      return v === null ? 1 : -1;
    default:
      return -1;
  }
}

function sizeOfArgs(args: unknown[]): number {
  if (args.length > MAX_ARGS) return -1;
  let n = 1;
  for (let i = 0; i < args.length; i++) {
    const s = sizeOf(args[i]);
    if (s < 0) return -1;
    n += s;
  }
  return n;
}

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

/** @internal What a reader hands its records to. */
export interface LaneSink {
  msg(to: number, tag: string, sender: Address | null, args: unknown[]): void;
  reply(callId: number, tag: string, args: unknown[]): void;
  /** The next packet from the port goes here; false if it has not arrived yet (reading pauses). */
  marker(): boolean;
  /** True while reading must pause (a packet before waits for an import). */
  paused(): boolean;
  ref(id: number, thread: number, name: string): ActorRef;
  replyRef(id: number, thread: number, callId: number): ReplyRef;
}

/** @internal The reading end: lives on the receiving thread. */
export class LaneReader {
  private readonly hdr: Int32Array;
  private readonly f: Float64Array;
  private readonly u: Uint16Array;
  private r: number;
  private readonly strings: string[] = [];
  private armed = false;
  private pumping = false;
  closed = false;

  constructor(
    sab: SharedArrayBuffer,
    private readonly sink: LaneSink,
  ) {
    this.hdr = new Int32Array(sab, 0, HEADER_BYTES / 4);
    this.f = new Float64Array(sab, HEADER_BYTES, CAPACITY);
    this.u = new Uint16Array(sab, HEADER_BYTES, CAPACITY * 4);
    this.r = Atomics.load(this.hdr, READ);
  }

  /** Is anything published that has not been read? */
  get ready(): boolean {
    return Atomics.load(this.hdr, WRITTEN) !== this.r;
  }

  /** Reads and hands over every published record (until a pause); then sleeps until more come. */
  pump(): void {
    if (this.closed || this.pumping) return;
    this.pumping = true;
    let sleep: boolean;
    try {
      sleep = this.pumpNow();
    } finally {
      this.pumping = false;
    }
    if (sleep) this.arm();
  }

  /** Reads what is there; true if it ran dry (sleep now), false if it paused or closed. */
  private pumpNow(): boolean {
    const hdr = this.hdr;
    const f = this.f;
    const sink = this.sink;
    {
      const end = Atomics.load(hdr, WRITTEN);
      let r = this.r;
      let stalled = false;
      while (r !== end) {
        if (sink.paused()) {
          stalled = true;
          break;
        }
        const at = r & MASK;
        const type = f[at];
        if (type === WRAP) {
          r = (r + CAPACITY - at) | 0;
          continue;
        }
        if (type === MARKER) {
          if (!sink.marker()) {
            stalled = true;
            break;
          }
          r = (r + 1) | 0;
          continue;
        }
        if (type === DEFINE) {
          const len = f[at + 2]!;
          this.strings[f[at + 1]!] = this.readString((at + 3) * 4, len);
          r = (r + 3 + ((len + 3) >> 2)) | 0;
          continue;
        }
        // MSG or REPLY: the record is consumed before it is handed over (a handler may pump again).
        if (type === MSG) {
          const to = f[at + 1]!;
          const tag = this.strings[f[at + 2]!]!;
          const kind = f[at + 3];
          let i = at + 4;
          let sender: Address | null = null;
          if (kind === ACTOR) sender = sink.ref(f[i]!, f[i + 1]!, this.strings[f[i + 2]!]!);
          else if (kind === REPLY_TO) sender = sink.replyRef(f[i]!, f[i + 1]!, f[i + 2]!);
          if (kind !== NO_SENDER) i += 3;
          const args = this.readArgs(i);
          this.r = r = (r + (this.end - at)) | 0;
          sink.msg(to, tag, sender, args);
        } else {
          const callId = f[at + 1]!;
          const tag = this.strings[f[at + 2]!]!;
          const args = this.readArgs(at + 3);
          this.r = r = (r + (this.end - at)) | 0;
          sink.reply(callId, tag, args);
        }
        if (this.closed) return false;
      }
      this.r = r;
      this.released();
      if (stalled) return false; // the port packet's arrival (or the import) pumps again
      // Nothing left: sleep, unless something came in meanwhile.
      Atomics.store(hdr, READER_SLEEPS, 1);
      if (Atomics.load(hdr, WRITTEN) === this.r) return true;
      Atomics.store(hdr, READER_SLEEPS, 0);
      // More came in while this batch was handed over: read it on a later turn, so this thread's actors
      // run (and its I/O) between batches however fast the writer is.
      if (!this.again) {
        this.again = true;
        setImmediate(this.againFn);
      }
      return false;
    }
  }

  private again = false;
  private readonly againFn = (): void => {
    this.again = false;
    this.pump();
  };

  /** Word index just past the record readArgs() last read. */
  private end = 0;

  private readArgs(i: number): unknown[] {
    const f = this.f;
    const n = f[i++]!;
    const args = new Array(n);
    for (let k = 0; k < n; k++) {
      const kind = f[i];
      if (kind === NUMBER) {
        args[k] = f[i + 1];
        i += 2;
      } else if (kind === STRING) {
        const len = f[i + 1]!;
        args[k] = this.readString((i + 2) * 4, len);
        i += 2 + ((len + 3) >> 2);
      } else {
        args[k] = kind === NULL ? null : kind === TRUE ? true : kind === FALSE ? false : undefined;
        i++;
      }
    }
    this.end = i;
    return args;
  }

  private readString(base: number, len: number): string {
    const u = this.u;
    if (len <= 16) {
      let s = '';
      for (let j = 0; j < len; j++) s += String.fromCharCode(u[base + j]!);
      return s;
    }
    return String.fromCharCode.apply(null, u.subarray(base, base + len) as unknown as number[]);
  }

  /** Publishes how far it has read; wakes a writer waiting for room. */
  private released(): void {
    const hdr = this.hdr;
    Atomics.store(hdr, READ, this.r);
    if (Atomics.load(hdr, WRITER_WAITS) === 1) {
      Atomics.store(hdr, WRITER_WAITS, 0);
      Atomics.notify(hdr, WRITER_WAITS);
    }
  }

  private arm(): void {
    if (this.armed || this.closed) return;
    this.armed = true;
    const r = waitAsync(this.hdr, READER_SLEEPS, 1);
    const wake = (): void => {
      this.armed = false;
      this.pump();
    };
    if (r.async) void r.value.then(wake);
    else wake();
  }
}
