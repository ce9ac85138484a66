/**
 * One timer per runtime for every deadline (call and receive timeouts, shutdown grace periods): arming a
 * `setTimeout` per call costs more than the call itself. The timer is armed for the earliest deadline;
 * cancelling only forgets the entry, and a timer that fires early finds nothing due and re-arms. While no
 * deadline is pending the timer is unref'd, so it never keeps the process alive on its own.
 *
 * Entries are an array in which each deadline knows its slot: adding is a push, cancelling empties the
 * slot (no hashing of a fresh object per call, as a Set needs), and the array is compacted once empty
 * slots outnumber the live ones.
 */
import type { Clock } from '../core/clock.js';
import { MAX_TIMEOUT_MS } from '../core/validate.js';

/** @internal A pending deadline; `fire` runs once when `at` has passed, unless cancelled first. */
export interface Deadline {
  at: number;
  /** Its index in the entries while pending, else -1 (start with -1). */
  slot: number;
  fire(): void;
}

/** Empty slots tolerated before a compaction (and at least as many as live entries). */
const SLACK = 64;

type TimerHandle = { ref?(): unknown; unref?(): unknown } | undefined;

export class Deadlines {
  private entries: (Deadline | undefined)[] = [];
  private live = 0;
  private timer: TimerHandle;
  private armedAt = Number.POSITIVE_INFINITY;
  private referenced = false;
  private readonly onTimerFn = () => this.onTimer();

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.live;
  }

  /** Makes `d` fire `ms` from now. `Infinity` means never: nothing is added and no timer is armed. */
  add(d: Deadline, ms: number): void {
    if (ms === Number.POSITIVE_INFINITY) return;
    d.at = this.clock.now() + ms;
    if (d.slot < 0) {
      d.slot = this.entries.length;
      this.entries.push(d);
      this.live++;
    }
    if (d.at < this.armedAt) this.arm(d.at);
    else if (!this.referenced) {
      this.referenced = true;
      this.timer?.ref?.();
    }
  }

  cancel(d: Deadline): void {
    const slot = d.slot;
    if (slot < 0 || this.entries[slot] !== d) return;
    const list = this.entries;
    d.slot = -1;
    this.live--;
    if (slot === list.length - 1) {
      // The newest (a sequential caller's only deadline): the array shrinks, nothing is left behind.
      list.pop();
      while (list.length > 0 && list[list.length - 1] === undefined) list.pop();
    } else {
      list[slot] = undefined;
      const empty = list.length - this.live;
      if (empty > SLACK && empty > this.live) this.compact();
    }
    if (this.live === 0 && this.referenced && !this.unrefPending) {
      // Nothing pending: the timer must not keep the process alive. Unref it after this turn, not now: a
      // sequential caller adds the next deadline at once, and ref/unref per call costs ~5% of an ask.
      this.unrefPending = true;
      setImmediate(this.unrefFn);
    }
  }

  /** Moves the live entries to the front, in order. */
  private compact(): void {
    const list = this.entries;
    let n = 0;
    for (let i = 0; i < list.length; i++) {
      const d = list[i];
      if (d !== undefined) {
        d.slot = n;
        list[n++] = d;
      }
    }
    list.length = n;
  }

  private unrefPending = false;
  private readonly unrefFn = (): void => {
    this.unrefPending = false;
    if (this.live === 0 && this.referenced) {
      this.referenced = false;
      this.timer?.unref?.();
    }
  };

  /** Forgets every deadline and clears the timer. */
  close(): void {
    for (const d of this.entries) if (d !== undefined) d.slot = -1;
    this.entries = [];
    this.live = 0;
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
    const list = this.entries;
    let n = 0;
    for (let i = 0; i < list.length; i++) {
      const d = list[i];
      if (d === undefined) continue;
      if (d.at <= now) {
        due.push(d);
        d.slot = -1;
        this.live--;
      } else {
        if (d.at < next) next = d.at;
        d.slot = n;
        list[n++] = d;
      }
    }
    list.length = n;
    if (next !== Number.POSITIVE_INFINITY) this.arm(next);
    for (const d of due) d.fire();
  }
}
