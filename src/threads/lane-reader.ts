/** The reading end of a lane: records out of the ring, handed to a sink in order (see lane-format.ts). */
import type { ActorRef, Address, ReplyRef } from '../core/ref.js';
import {
  ACTOR,
  CAPACITY,
  DEFINE,
  FALSE,
  HEADER_BYTES,
  MARKER,
  MASK,
  MSG,
  NO_SENDER,
  NULL,
  NUMBER,
  READ,
  READER_SLEEPS,
  REPLY_TO,
  STRING,
  TRUE,
  WRAP,
  WRITER_WAITS,
  WRITTEN,
  waitAsync,
} from './lane-format.js';

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
