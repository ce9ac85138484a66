/**
 * A CPU-heavy job spread over threads: count the primes below N in chunks, one chunk per call to a pool of
 * counters (`pool(PrimeCounter, { size })`: the calls are spread over its members), on the TaskletController
 * (one event loop) and on the ThreadController (a pool of worker threads), and print the speed-up. The
 * program is the same; only the controller differs. Run: `npx tsx examples/speedup.ts`.
 */
import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import {
  Actor,
  type Controller,
  handles,
  pool,
  Runtime,
  TaskletController,
  ThreadController,
} from 'parley-actors';

export class PrimeCounter extends Actor {
  @handles('count')
  count(from: number, to: number): number {
    let n = 0;
    for (let k = Math.max(2, from); k < to; k++) {
      let prime = true;
      for (let d = 2; d * d <= k; d++) {
        if (k % d === 0) {
          prime = false;
          break;
        }
      }
      if (prime) n++;
    }
    return n;
  }
}

/** Returns the prime count and the ms the counting took (after every counter has started). */
export async function countPrimes(limit: number, workers: number): Promise<[number, number]> {
  // A pool of counters, spread over the worker threads; it resolves once every member has started.
  const counters = await pool(PrimeCounter, { size: workers });
  const t0 = performance.now();
  const chunk = Math.ceil(limit / (workers * 4));
  const jobs: Promise<number>[] = [];
  for (let from = 0; from < limit; from += chunk) {
    jobs.push(counters.call('count', [from, Math.min(limit, from + chunk)], undefined, { timeout: 60_000 }));
  }
  const total = (await Promise.all(jobs)).reduce((a, b) => a + b, 0);
  const ms = performance.now() - t0;
  await counters.stop();
  return [total, ms];
}

function timed(controller: Controller, limit: number, workers: number): Promise<[number, number]> {
  return new Runtime({ controller }).run(countPrimes, limit, workers);
}

if (isMainThread && import.meta.url === `file://${process.argv[1]}`) {
  const limit = Number(process.argv[2] ?? 8_000_000);
  const threads = Math.max(2, availableParallelism());
  const [p1, t1] = await timed(new TaskletController(), limit, threads);
  const [p2, t2] = await timed(new ThreadController({ threads }), limit, threads);
  console.log(`primes below ${limit}: ${p1} (tasklets) and ${p2} (threads)`);
  console.log(
    `TaskletController: ${t1.toFixed(0)} ms; ThreadController(${threads} threads): ${t2.toFixed(0)} ms`,
  );
  console.log(`speed-up: ${(t1 / t2).toFixed(2)}x (timed once every actor has started)`);
}
