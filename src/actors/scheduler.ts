/**
 * The run-queue of one thread: actors with work, drained in ONE microtask per burst (not one per message),
 * each actor running up to `THROUGHPUT` messages per turn for fairness. After `BURST` messages it yields to
 * I/O with setImmediate, so timers and sockets are never starved by a busy actor system. The count runs
 * across bursts until the next yield: an actor whose async handler keeps messaging itself wakes a new
 * burst from a microtask each time, and would otherwise starve timers and I/O for good.
 */
import { ctx, outsideActors } from './context.js';
import { Ring } from './ring.js';

/** @internal What the scheduler runs: an actor cell. */
export interface Runnable {
  /** In the run-queue already. */
  scheduled: boolean;
  /** Runs up to `max` messages and returns how many ran; re-queues itself (push) if more are ready. */
  runSlice(max: number): number;
}

const THROUGHPUT = 64;
const BURST = 20_000;
const resolved = Promise.resolve();

export class Scheduler {
  private readonly queue = new Ring<Runnable>();
  private pending = false;
  /** Messages run since the event loop last got a turn (a yield to setImmediate). */
  private spent = 0;
  private immediate: NodeJS.Immediate | undefined;
  private readonly drainFn = () => this.drain();
  private readonly microtaskFn = () => {
    resolved.then(this.drainFn);
  };
  private readonly afterYieldFn = () => {
    this.spent = 0;
    this.drain();
  };
  private readonly immediateFn = () => {
    this.immediate = setImmediate(this.afterYieldFn);
  };
  constructor(
    private readonly onError: (err: unknown) => void,
    /** Called when the run-queue has run dry (the low-latency mode polls other threads here). */
    private readonly onIdle?: (() => void) | undefined,
  ) {}

  /** Puts `r` in the run-queue (the caller has checked `r.scheduled`). */
  push(r: Runnable): void {
    r.scheduled = true;
    this.queue.push(r);
    if (!this.pending) {
      this.pending = true;
      // Once AsyncLocalStorage is on, a burst must not inherit the context of the actor that woke it.
      if (this.spent >= BURST) {
        if (!ctx.alsOn) this.immediateFn();
        else outsideActors(this.immediateFn);
      } else if (!ctx.alsOn) resolved.then(this.drainFn);
      else outsideActors(this.microtaskFn);
    }
  }

  /** Cancels a pending yield so nothing keeps the process alive. */
  close(): void {
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.immediate = undefined;
    this.pending = false;
  }

  private drain(): void {
    this.immediate = undefined;
    const q = this.queue;
    let budget = BURST - this.spent;
    while (q.size > 0) {
      const r = q.shift();
      r.scheduled = false;
      try {
        budget -= r.runSlice(THROUGHPUT) + 1;
      } catch (err) {
        this.onError(err);
      }
      if (budget <= 0 && q.size > 0) {
        // Yield to timers and I/O; the rest of the queue runs in the next turn.
        if (!ctx.alsOn) this.immediateFn();
        else outsideActors(this.immediateFn);
        return;
      }
    }
    this.spent = BURST - budget;
    this.pending = false;
    if (this.onIdle !== undefined) {
      try {
        this.onIdle();
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
