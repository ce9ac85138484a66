/**
 * The lane format (see lane-writer.ts and lane-reader.ts). A lane: one thread's one-way channel to another, a ring of 64-bit words in a SharedArrayBuffer
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

/** `Atomics.waitAsync` (Node 16+; typed here, the project's lib predates it). */
export const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      a: Int32Array,
      index: number,
      value: number,
    ): { async: true; value: Promise<string> } | { async: false; value: string };
  }
).waitAsync;

/** Words of data in a lane (a power of two): 32Ki words = 256 KiB. */
export const CAPACITY = 1 << 15;
export const MASK = CAPACITY - 1;
export const HEADER_BYTES = 64;
// Int32 header slots.
export const WRITTEN = 0;
export const READ = 1;
export const READER_SLEEPS = 2;
export const WRITER_WAITS = 3;

// Record types (first word of a record).
export const MSG = 1;
export const REPLY = 2;
export const MARKER = 3;
export const WRAP = 4;
export const DEFINE = 5;

// Value kinds.
export const UNDEFINED = 0;
export const NULL = 1;
export const FALSE = 2;
export const TRUE = 3;
export const NUMBER = 4;
export const STRING = 5;

// Sender kinds.
export const NO_SENDER = 0;
export const ACTOR = 1;
export const REPLY_TO = 2;

/** @internal What LaneWriter.msg() and reply() did. */
export const WRITTEN_OK = 1;
export const CANNOT = -1;
export const FULL = -2;

/** Longest string arg carried in a record; longer ones take the port. */
export const MAX_STRING = 1024;
/** Most args in a record. */
export const MAX_ARGS = 16;
/** Distinct tags and actor names a lane defines; later ones take the port. */
export const MAX_STRINGS = 4096;

/** @internal The shared memory of one lane; the writer creates it and sends it to the reader. */
export function newLaneBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + CAPACITY * 8);
}

/** Words a value takes, or -1 if a record cannot carry it. */
export function sizeOf(v: unknown): number {
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

export function sizeOfArgs(args: unknown[]): number {
  if (args.length > MAX_ARGS) return -1;
  let n = 1;
  for (let i = 0; i < args.length; i++) {
    const s = sizeOf(args[i]);
    if (s < 0) return -1;
    n += s;
  }
  return n;
}
