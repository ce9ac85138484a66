/**
 * What a benchmark contestant can do. Every workload checks its own result (a wrong answer fails the run)
 * and returns nothing; the runner times it. `idle` returns heap bytes per idle actor; `skynet` its sum.
 */
export interface Contestant {
  name: string;
  pingPong?(roundTrips: number): Promise<void>;
  ring?(actors: number, hops: number): Promise<void>;
  counting?(messages: number): Promise<void>;
  ask?(asks: number): Promise<void>;
  forkJoin?(actors: number): Promise<void>;
  skynet?(size: number): Promise<number>;
  idle?(actors: number): Promise<number>;
  /** `runtime.shutdown()` of a fresh runtime holding `actors` started idle actors: returns its ms. */
  shutdownIdle?(actors: number): Promise<number>;
  /** Threads only: CPU-bound fan-out over `threads` threads. */
  cpuFanOut?(threads: number, jobs: number): Promise<void>;
  /**
   * Cluster workloads, each between two fresh Node processes through the run's nats-server (bench/nats.ts:
   * `natsUrl()`, `runPair`), timed inside the sending process, so they return msgs/s: `messages` one-way
   * messages of 40 bytes from one process to the other, pipelined, until the receiver has them all…
   */
  natsOneWay?(messages: number): Promise<number>;
  /** …`calls` sequential request/reply round trips (40 bytes each way)… */
  natsCall?(calls: number): Promise<number>;
  /** …`calls` request/reply round trips with 100 kept in flight. */
  natsCallsInFlight?(calls: number): Promise<number>;
  close?(): Promise<void>;
}

export function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`benchmark result check failed: ${what}`);
}

/** A small CPU-bound job (sum of square roots), the same for every contestant. */
export function work(n: number): number {
  let s = 0;
  for (let i = 1; i <= n; i++) s += Math.sqrt(i);
  return Math.round(s);
}

/** Heap used after a full GC (run the suite with --expose-gc). */
export function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

/** skynet's expected sum for `size` leaves: 0 + 1 + … + size-1. */
export const skynetSum = (size: number): number => (size * (size - 1)) / 2;
