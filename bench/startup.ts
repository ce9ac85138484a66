/**
 * Thread start-up cost: how long a fresh process takes, from creating a Runtime on a ThreadController, to
 * the first answer of an actor on a worker thread (the worker boots, loads Parley and imports this module
 * to find the class), and what a round trip costs once it is warm. Run it under tsx
 * (`node --import tsx bench/startup.ts`) and from compiled JS to compare; each run is one fresh process.
 * Prints one JSON line: { firstAnswerMs, warmRoundTripUs, sinceProcessStartMs }.
 */
import { isMainThread } from 'node:worker_threads';
import { Actor, handles, Runtime, ThreadController } from '../src/index.js';

/** Answers at once. */
export class Echo extends Actor {
  @handles('echo')
  echo(x: number): number {
    return x;
  }
}

if (isMainThread) {
  const t0 = performance.now();
  const rt = new Runtime({ controller: new ThreadController({ threads: 1 }) });
  const echo = rt.spawnWith({ thread: 1 }, Echo);
  await echo.echo(1);
  const firstAnswerMs = performance.now() - t0;
  const sinceProcessStartMs = performance.now();
  for (let i = 0; i < 1000; i++) await echo.echo(i); // warm-up
  const n = 5000;
  const t1 = performance.now();
  for (let i = 0; i < n; i++) await echo.echo(i);
  const warmRoundTripUs = ((performance.now() - t1) * 1000) / n;
  await rt.shutdown();
  console.log(
    JSON.stringify({
      firstAnswerMs: Math.round(firstAnswerMs),
      warmRoundTripUs: Number(warmRoundTripUs.toFixed(1)),
      sinceProcessStartMs: Math.round(sinceProcessStartMs),
    }),
  );
}
