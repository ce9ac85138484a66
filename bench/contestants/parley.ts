/** Parley on the TaskletController (and the cross-thread workloads on the ThreadController). */
import {
  type Controller,
  exit,
  me,
  Runtime,
  recv,
  silentLogger,
  spawn,
  spawnWith,
  TaskletController,
  ThreadController,
} from '../../src/index.js';
import { Counter, Idle, Pinger, Pong, Producer, RingNode, SkyNode, Worker } from './parley-actors.js';
import { type Contestant, check, heapUsed, skynetSum, work } from './types.js';

function run<T>(controller: Controller, main: () => Promise<T>): Promise<T> {
  return new Runtime({ controller, logger: silentLogger, callTimeout: 600_000 }).run(main);
}

const tasklets = () => new TaskletController();

export const parleyTasklet: Contestant = {
  name: 'Parley tasklets',
  pingPong: (n) =>
    run(tasklets(), async () => {
      const pong = spawn(Pong);
      spawn(Pinger).cast('start', pong.ref, n, me());
      await recv('done');
    }),
  ring: (actors, hops) =>
    run(tasklets(), async () => {
      const nodes = Array.from({ length: actors }, () => spawn(RingNode));
      for (let i = 0; i < actors; i++) nodes[i]!.cast('link', nodes[(i + 1) % actors]!.ref, me());
      nodes[0]!.cast('token', hops);
      const [, , [id]] = await recv('done');
      check(id === nodes[hops % actors]!.ref.id, 'ring stop');
    }),
  counting: (n) =>
    run(tasklets(), async () => {
      const c = spawn(Counter);
      for (let i = 0; i < n; i++) c.cast('incr');
      check((await c.total()) === n, 'count');
    }),
  ask: (n) =>
    run(tasklets(), async () => {
      const p = spawn(Pong);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += await p.ping(1);
      check(sum === n, 'sum');
    }),
  forkJoin: (actors) =>
    run(tasklets(), async () => {
      const results = await Promise.all(Array.from({ length: actors }, () => spawn(Worker).compute(100)));
      check(
        results.every((r) => r === work(100)),
        'fork-join results',
      );
    }),
  skynet: (size) =>
    run(tasklets(), async () => {
      spawn(SkyNode).cast('start', 0, size, me());
      const [, , [sum]] = await recv('sum');
      check(sum === skynetSum(size), 'skynet sum');
      return sum as number;
    }),
  idle: (n) =>
    run(tasklets(), async () => {
      const before = heapUsed();
      const keep = Array.from({ length: n }, () => spawn(Idle));
      await keep[n - 1]!.noop(); // all started
      const bytes = (heapUsed() - before) / n;
      check(keep.length === n, 'idle actors kept');
      return bytes;
    }),
};

/** A contestant on one runtime of 2 worker threads, started once and reused across rounds (start-up is not measured). */
function threadsContestant(name: string, spinMicros: number): Contestant {
  let threaded: Runtime | undefined;
  const runtime = (): Runtime => {
    threaded ??= new Runtime({
      controller: new ThreadController({ threads: 2, spinMicros }),
      logger: silentLogger,
      callTimeout: 600_000,
    });
    return threaded;
  };
  /** Runs `body` as a function actor on the main thread of the shared runtime; resolves with its result. */
  const onThreads = async <T>(body: () => Promise<T>): Promise<T> => {
    const rt = runtime();
    const runner = rt.spawnWith({ thread: 'local' }, async () => {
      const [, sender] = await recv('go');
      sender?.send('reply', me(), await body());
    });
    return runner.call('go', [], undefined, { timeout: 600_000 }) as Promise<T>;
  };
  return {
    name,
    /** Round trips between two actors on two different worker threads. */
    pingPong: (n) =>
      onThreads(async () => {
        const [t1, t2] = runtime().fabricThreads();
        const pong = spawnWith({ thread: t1 }, Pong);
        const pinger = spawnWith({ thread: t2 }, Pinger);
        pinger.cast('start', pong.ref, n, me());
        await recv('done');
        exit(pong, 'kill');
        exit(pinger, 'kill');
      }),
    /** A producer on one worker thread streams one-way messages to a counter on the other. */
    counting: (n) =>
      onThreads(async () => {
        const [t1, t2] = runtime().fabricThreads();
        const counter = spawnWith({ thread: t2 }, Counter);
        const producer = spawnWith({ thread: t1 }, Producer);
        check((await producer.produce(counter.ref, n)) === n, 'count across threads');
        exit(counter, 'kill');
        exit(producer, 'kill');
      }),
    async close() {
      await threaded?.shutdown();
      threaded = undefined;
    },
  };
}

export const parleyThreads = threadsContestant('Parley threads', 0);
/** The opt-in low-latency mode: workers poll their lanes for 200 µs before sleeping. */
export const parleySpin = threadsContestant('Parley threads, spinMicros 200', 200);

/** CPU-bound jobs over 1 or 2 threads (thread start-up excluded): returns the ms the jobs took. */
export async function cpuFanOut(threads: number, jobs: number): Promise<number> {
  return new Runtime({
    controller: new ThreadController({ threads }),
    logger: silentLogger,
    callTimeout: 600_000,
  }).run(async () => {
    const workers = Array.from({ length: threads }, (_, i) => spawnWith({ thread: i + 1 }, Worker));
    await Promise.all(workers.map((w) => w.compute(1))); // started
    const expected = work(3_000_000); // computed here, outside the timed part
    const t0 = performance.now();
    const calls: Promise<number>[] = [];
    for (let j = 0; j < jobs; j++) calls.push(workers[j % threads]!.compute(3_000_000));
    const results = await Promise.all(calls);
    const ms = performance.now() - t0;
    check(
      results.every((r) => r === expected),
      'fan-out results',
    );
    return ms;
  });
}
