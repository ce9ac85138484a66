/**
 * A thread's recording: the router's signals (messages as `send`, the rest as `signal` with their kind),
 * spawns, exits and supervisor reports, each stamped with the time since the runtime started and the
 * thread. It hangs on the router as an observer; a worker thread's sink forwards to the main thread.
 */

import { currentCell } from '../actors/context.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Router } from '../router/router.js';
import type { Signal } from '../router/signal.js';
import { type EventSink, type RecordEvent, Recorder, type RecordOption } from './recorder.js';

/** @internal */
export class Recording {
  private sink: EventSink | undefined;
  private readonly t0: number;

  constructor(
    option: RecordOption | undefined,
    private readonly thread: number,
    private readonly clock: Clock,
    private readonly router: Router,
    logger: Logger,
  ) {
    this.t0 = clock.now();
    this.to(option === undefined ? undefined : new Recorder(option, logger));
  }

  /** Is recording on (worker threads then forward their events)? */
  get on(): boolean {
    return this.sink !== undefined;
  }

  /** Records into `sink` from now on (worker threads forward to the main thread); undefined: off. */
  to(sink: EventSink | undefined): void {
    this.sink = sink;
    this.router.observe(sink === undefined ? undefined : this.signal);
  }

  /** Records `event`; never throws into the program (what cannot be recorded is a placeholder). */
  write(event: Omit<RecordEvent, 't' | 'thread'>): void {
    try {
      this.sink?.write({ t: this.elapsed(), thread: this.thread, ...event } as RecordEvent);
    } catch {
      // The sink handles the program's values; this only guards against an exhausted stack.
    }
  }

  /** An event recorded on a worker thread, written here as it is. */
  forwarded(event: Record<string, unknown>): void {
    try {
      this.sink?.write(event as unknown as RecordEvent);
    } catch {
      // As in write().
    }
  }

  close(): void {
    this.sink?.close();
  }

  /** ms since the runtime started, to the microsecond. */
  private elapsed(): number {
    return Math.round((this.clock.now() - this.t0) * 1000) / 1000;
  }

  private readonly signal = (s: Signal): void => {
    if (s.kind === 'msg' || s.kind === 'reply') {
      const from = currentCell();
      this.write({
        ev: 'send',
        from: from?.ref ?? s.sender,
        to: s.to,
        tag: s.tag,
        args: s.args,
        kwargs: s.kwargs,
      });
      return;
    }
    const from = s.kind === 'monitor' ? s.watcher : 'from' in s ? s.from : (currentCell()?.ref ?? null);
    const event: Omit<RecordEvent, 't' | 'thread'> = { ev: 'signal', kind: s.kind, from, to: s.to };
    if (s.kind === 'exit' || s.kind === 'down') event.reason = s.reason;
    if (s.kind === 'monitor' || s.kind === 'demonitor' || s.kind === 'down') event.mref = s.mref;
    if (s.kind === 'named') event.name = s.name;
    this.write(event);
  };
}
