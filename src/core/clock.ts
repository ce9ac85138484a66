/**
 * Time, injected: the runtime reads the clock and arms timers only through a `Clock`, so timeouts and
 * restart windows are testable with sinon's fake timers (which replace the globals this default reads).
 */

/** A monotonic clock and one-shot timers. */
export interface Clock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer `setTimeout` armed (a handle of a timer that already ran is ignored). */
  clearTimeout(handle: unknown): void;
}

/** The real clock: `performance.now()` and the global timers, looked up at each use. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as NodeJS.Timeout),
};
