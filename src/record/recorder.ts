/**
 * Recording: one JSON line per message sent, per spawn and per exit, written from the runtime's single
 * delivery path. `record: 'stdout' | path | { to, filter }`. Lines are buffered and written with
 * synchronous writes, so the file is complete on disk when `run()` or `shutdown()` resolves.
 */
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkOption, InvalidOptionError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Kwargs } from '../core/message.js';
import { describeThrown, safeJson } from './json.js';

/** One recorded event (a JSON line). `t` is ms since the runtime started. */
export interface RecordEvent {
  /** Milliseconds since the runtime started. */
  t: number;
  /** What happened: a message sent, an actor spawned or exited, another signal, a supervisor report. */
  ev: 'send' | 'spawn' | 'exit' | 'signal' | 'report';
  /** Signals (`ev: 'signal'`): exit, link, unlink, monitor, demonitor, down or named. */
  kind?: string;
  /** The monitor ref of a monitor, demonitor or down signal. */
  mref?: number;
  /** The name of a named signal (undefined: the name was released). */
  name?: string | undefined;
  /** The sender (send), the parent (spawn), or the actor (exit); `{actor, name, thread}` or null. */
  from: unknown;
  /** The receiver (send) or the new actor (spawn). */
  to?: unknown;
  /** The message's tag (send). */
  tag?: string;
  /** The message's positional arguments (send), or the constructor or function arguments (spawn). */
  args?: unknown[];
  /** The message's keyword arguments (send). */
  kwargs?: Kwargs;
  /** The exit reason (exit, and exit or down signals), or what went wrong (report). */
  reason?: unknown;
  /** The thread that recorded the event (0: the main thread). */
  thread: number;
  /** Supervisor reports: the child id, what happened and what was done. */
  child?: string;
  /** Supervisor reports: what happened, e.g. `'restarted'`, `'start_failed'`, `'give_up'`. */
  action?: string;
  /** Supervisor reports: what the supervisor did about it. */
  done?: string;
}

/** Where to record: `'stdout'`, a file path, or `{ to, filter }` to keep only some events. */
export type RecordOption =
  | 'stdout'
  | string
  | {
      /** `'stdout'` or a file path (the file is created or truncated). */
      to: 'stdout' | string;
      /** Keeps the events it returns true for; one that throws keeps the event (reported once). */
      filter?: (event: RecordEvent) => boolean;
    };

const FLUSH_AT = 64 * 1024;

/** How long (ms) a full pipe (EAGAIN: a reader that does not read) may stall a write before it is an error. */
const STALL_MS = 10_000;

/** @internal Where recorded events go: a file or stdout here, or the main thread from a worker. */
export interface EventSink {
  write(event: RecordEvent): void;
  close(): void;
}

/**
 * @internal Writes events as JSON lines to a file or stdout. It never throws into the program: a value that
 * cannot be recorded is a placeholder (json.ts); a filter that throws keeps the event (one warning); a write
 * that fails (disk full, a closed descriptor, a pipe nobody reads) stops the recording, reported once, and
 * the file keeps every complete line written before.
 */
export class Recorder implements EventSink {
  private readonly fd: number;
  private readonly to: string;
  private readonly filter: ((event: RecordEvent) => boolean) | undefined;
  private readonly flushAt: number;
  /** Lines not written yet (joined when written: one flat string, quick to measure and write). */
  private lines: string[] = [];
  /** Characters in `lines`, newlines included. */
  private buffered = 0;
  private closed = false;
  private filterThrew = false;
  /** Bytes written so far, all whole lines. */
  private written = 0;

  constructor(
    option: RecordOption,
    private readonly logger: Logger,
  ) {
    const spec = typeof option === 'string' ? { to: option } : option;
    checkOption(
      typeof spec === 'object' && spec !== null && typeof spec.to === 'string' && spec.to.length > 0,
      'options.record',
      "must be 'stdout', a file path, or { to, filter }",
      option,
    );
    checkOption(
      spec.filter === undefined || typeof spec.filter === 'function',
      'options.record.filter',
      'must be a function (event) => boolean',
      spec.filter,
    );
    this.filter = spec.filter;
    this.to = spec.to;
    this.fd = spec.to === 'stdout' ? 1 : openForRecording(spec.to);
    // stdout is for watching live: line by line. A file is written in blocks.
    this.flushAt = this.fd === 1 ? 0 : FLUSH_AT;
  }

  write(event: RecordEvent): void {
    if (this.closed || (this.filter !== undefined && !this.keeps(event))) return;
    const line = safeJson(event);
    this.lines.push(line);
    this.buffered += line.length + 1;
    if (this.buffered >= this.flushAt) this.flush();
  }

  flush(): void {
    if (this.lines.length === 0 || this.closed) return;
    this.lines.push('');
    const data = this.lines.join('\n');
    this.lines = [];
    this.buffered = 0;
    try {
      this.writeAll(data);
    } catch (err) {
      this.stop(err);
    }
  }

  /** Writes `data` whole: a partial write (a pipe) goes on from where it stopped; a full pipe is waited for. */
  private writeAll(data: string): void {
    const size = Buffer.byteLength(data);
    let bytes: Buffer | undefined;
    let done = 0;
    let stalled = 0;
    while (done < size) {
      try {
        // The string at once (the common case); a Buffer only to go on after a partial or refused write.
        if (bytes === undefined && done === 0) done = writeSync(this.fd, data);
        else {
          bytes ??= Buffer.from(data, 'utf8');
          done += writeSync(this.fd, bytes, done, size - done);
        }
        stalled = 0;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || stalled >= STALL_MS) throw err;
        bytes ??= Buffer.from(data, 'utf8');
        pause(1);
        stalled++;
      }
    }
    this.written += size;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    if (this.closed) return;
    this.closed = true;
    if (this.fd === 1) return;
    try {
      closeSync(this.fd);
    } catch (err) {
      this.report(
        'error',
        `recording to '${this.to}': closing the file failed (${describeThrown(err)})`,
        err,
      );
    }
  }

  /** Does the user's filter keep `event`? A filter that throws keeps it (and is reported once). */
  private keeps(event: RecordEvent): boolean {
    try {
      return Boolean(this.filter!(event));
    } catch (err) {
      if (!this.filterThrew) {
        this.filterThrew = true;
        this.report(
          'warn',
          `options.record.filter threw ${describeThrown(err)}; the events it throws for are recorded ` +
            'anyway (this warning is given once): make the filter return true or false for every event',
          err,
        );
      }
      return true;
    }
  }

  /** A write failed: the recording stops here, cut back to its last whole line, and says so once. */
  private stop(err: unknown): void {
    this.closed = true;
    this.lines = [];
    if (this.fd !== 1) {
      try {
        ftruncateSync(this.fd, this.written);
      } catch {
        // Not a regular file (a device, a pipe): what was written stays.
      }
      try {
        closeSync(this.fd);
      } catch {
        // Already closed (EBADF): nothing to release.
      }
    }
    this.report(
      'error',
      `recording to '${this.to}' stopped: writing failed (${describeThrown(err)}); the recording holds the ` +
        'events before this one, and the program goes on unrecorded',
      err,
    );
  }

  private report(level: 'warn' | 'error', message: string, err: unknown): void {
    try {
      this.logger[level](message, { error: err });
    } catch {
      // A logger that throws must not break the program either.
    }
  }
}

/** Opens (creates or empties) the recording file; a path that cannot be written is a bad option. */
function openForRecording(path: string): number {
  try {
    return openSync(path, 'w');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const folder = resolve(dirname(path));
    const why =
      code === 'ENOENT'
        ? `its folder ${folder} does not exist: create the folder first, or record to a path in an existing folder`
        : code === 'ENOTDIR'
          ? `a part of ${folder} is not a folder: record to a path in an existing folder`
          : `it cannot be opened for writing (${describeThrown(err)}): record to a path you can write to`;
    throw new InvalidOptionError(`options.record cannot record to '${path}': ${why}`, { cause: err });
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks this thread for `ms` (a synchronous write waiting for a full pipe to drain). */
function pause(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
