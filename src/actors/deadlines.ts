/**
 * One timer per runtime for every deadline (call and receive timeouts, shutdown grace periods): arming a
 * `setTimeout` per call costs more than the call itself. The timer is armed for the earliest deadline;
 * cancelling only forgets the entry, and a timer that fires early finds nothing due and re-arms. While no
 * deadline is pending the timer is unref'd, so it never keeps the process alive on its own.
 */
import type { Clock } from '../core/clock.js';
import { MAX_TIMEOUT_MS } from '../core/validate.js';

/** @internal A pending deadline; `fire` runs once when `at` has passed, unless cancelled first. */
export interface Deadline {
  at: number;
  fire(): void;
}

type TimerHandle = { ref?(): unknown; unref?(): unknown } | undefined;

export class Deadlines {
  private readonly entries = new Set<Deadline>();
  private timer: TimerHandle;
  private armedAt = Number.POSITIVE_INFINITY;
  private referenced = false;
  private readonly onTimerFn = () => this.onTimer();

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.entries.size;
  }

  /** Makes `d` fire `ms` from now. `Infinity` means never: nothing is added and no timer is armed. */
  add(d: Deadline, ms: number): void {
    if (ms === Number.POSITIVE_INFINITY) return;
    d.at = this.clock.now() + ms;
    this.entries.add(d);
    if (d.at < this.armedAt) this.arm(d.at);
    else if (!this.referenced) {
      this.referenced = true;
      this.timer?.ref?.();
    }
  }

  cancel(d: Deadline): void {
    if (this.entries.delete(d) && this.entries.size === 0 && this.referenced && !this.unrefPending) {
      // Nothing pending: the timer must not keep the process alive. Unref it after this turn, not now: a
      // sequential caller adds the next deadline at once, and ref/unref per call costs ~5% of an ask.
      this.unrefPending = true;
      setImmediate(this.unrefFn);
    }
  }

  private unrefPending = false;
  private readonly unrefFn = (): void => {
    this.unrefPending = false;
    if (this.entries.size === 0 && this.referenced) {
      this.referenced = false;
      this.timer?.unref?.();
    }
  };

  /** Forgets every deadline and clears the timer. */
  close(): void {
    this.entries.clear();
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
  }

  private arm(at: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.armedAt = at;
    this.referenced = true;
    // Never more than a Node timer holds (longer: Node fires at once and warns); a deadline further away
    // is simply not due when this one fires, and the timer is armed again.
    const ms = Math.min(MAX_TIMEOUT_MS, Math.max(0, at - this.clock.now()));
    this.timer = this.clock.setTimeout(this.onTimerFn, ms) as TimerHandle;
  }

  private onTimer(): void {
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    let next = Number.POSITIVE_INFINITY;
    const due: Deadline[] = [];
    for (const d of this.entries) {
      if (d.at <= now) due.push(d);
      else if (d.at < next) next = d.at;
    }
    for (const d of due) this.entries.delete(d);
    if (next !== Number.POSITIVE_INFINITY) this.arm(next);
    for (const d of due) d.fire();
  }
}
