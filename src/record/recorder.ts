/**
 * Recording: one JSON line per message sent, per spawn and per exit, written from the runtime's single
 * delivery path. `record: 'stdout' | path | { to, filter }`. Lines are buffered and written with
 * synchronous writes, so the file is complete on disk when `run()` or `shutdown()` resolves.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { checkOption } from '../core/errors.js';
import type { Kwargs } from '../core/message.js';
import { safeJson } from './json.js';

/** One recorded event (a JSON line). `t` is ms since the runtime started. */
export interface RecordEvent {
  t: number;
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
  tag?: string;
  args?: unknown[];
  kwargs?: Kwargs;
  reason?: unknown;
  thread: number;
  /** Supervisor reports: the child id, what happened and what was done. */
  child?: string;
  action?: string;
  done?: string;
}

/** Where to record: `'stdout'`, a file path, or `{ to, filter }` to keep only some events. */
export type RecordOption =
  | 'stdout'
  | string
  | { to: 'stdout' | string; filter?: (event: RecordEvent) => boolean };

const FLUSH_AT = 64 * 1024;

/** @internal Where recorded events go: a file or stdout here, or the main thread from a worker. */
export interface EventSink {
  write(event: RecordEvent): void;
  close(): void;
}

/** @internal */
export class Recorder implements EventSink {
  private readonly fd: number;
  private readonly filter: ((event: RecordEvent) => boolean) | undefined;
  private readonly flushAt: number;
  private buffer = '';
  private closed = false;

  constructor(option: RecordOption) {
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
    this.fd = spec.to === 'stdout' ? 1 : openSync(spec.to, 'w');
    // stdout is for watching live: line by line. A file is written in blocks.
    this.flushAt = this.fd === 1 ? 0 : FLUSH_AT;
  }

  write(event: RecordEvent): void {
    if (this.closed || (this.filter !== undefined && !this.filter(event))) return;
    this.buffer += `${safeJson(event)}\n`;
    if (this.buffer.length >= this.flushAt) this.flush();
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    const data = this.buffer;
    this.buffer = '';
    writeSync(this.fd, data);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.fd !== 1) closeSync(this.fd);
  }
}
