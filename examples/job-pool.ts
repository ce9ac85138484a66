/**
 * A CPU job pool on worker threads: `pool(CollatzWorker, { size: 4, strategy: 'least-busy' })` starts four
 * workers, supervised and spread over the threads, behind one typed proxy. Jobs of uneven cost go to the
 * worker with the fewest jobs in flight; a bad job crashes its worker, the pool restarts it, and the other
 * jobs go on. Run: `npx tsx examples/job-pool.ts [limit]`.
 */
import { Actor, actor, handles, pool, Runtime, ThreadController } from 'parley-actors';

/**
 * Finds the number in [from, to) with the longest Collatz chain. CPU-bound: one job blocks its thread.
 * `@actor()`: this module starts the runtime at its top level, so with TC39 standard decorators (no
 * `experimentalDecorators`) a worker thread finds the class only through it (README, "Decorators").
 */
@actor()
export class CollatzWorker extends Actor {
  @handles('longest')
  longest(from: number, to: number): { n: number; steps: number; thread: number } {
    if (!(from >= 1 && to > from)) throw new RangeError(`bad job [${from}, ${to}): numbers start at 1`);
    let best = { n: from, steps: -1 };
    for (let n = from; n < to; n++) {
      let steps = 0;
      for (let x = n; x !== 1; steps++) x = x % 2 === 0 ? x / 2 : 3 * x + 1;
      if (steps > best.steps) best = { n, steps };
    }
    return { ...best, thread: this.self.thread };
  }
}

async function main(limit: number): Promise<void> {
  const workers = await pool(CollatzWorker, { size: 4, strategy: 'least-busy' });

  // A bad job: its worker crashes (the error comes back to this caller) and the pool restarts it.
  const bad = await workers.longest(0, 10).catch((err: Error) => `${err.name}: ${err.message}`);
  console.log(`bad job: ${bad}`);

  // Uneven jobs: the ranges grow, so later jobs cost more. Each goes to the least busy worker.
  const bounds = [1];
  for (let i = 1; i <= 12; i++) bounds.push(Math.round((limit * i * i) / 144));
  const t0 = performance.now();
  const results = await Promise.all(
    bounds.slice(1).map((to, i) =>
      workers.call<{ n: number; steps: number; thread: number }>('longest', [bounds[i]!, to], undefined, {
        timeout: 60_000,
      }),
    ),
  );
  const ms = performance.now() - t0;
  const best = results.reduce((a, b) => (b.steps > a.steps ? b : a));
  const threads = [...new Set(results.map((r) => r.thread))].sort();
  console.log(`longest Collatz chain below ${limit}: ${best.n} (${best.steps} steps)`);
  console.log(
    `${results.length} jobs on ${workers.size} workers, threads ${threads.join(', ')}, in ${ms.toFixed(0)} ms`,
  );
  console.log(`workers running after the crash: ${(await workers.members()).length}`);
  await workers.stop();
}

await new Runtime({ controller: new ThreadController({ threads: 2 }) }).run(
  main,
  Number(process.argv[2] ?? 300_000),
);
