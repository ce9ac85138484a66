/** Parley on the TaskletController (and the cross-thread workloads on the ThreadController). */
import {
  type ActorProxy,
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

/** How long `shutdownIdle` lets the actors start, and then the shutdown run, before it fails the workload. */
const SHUTDOWN_LIMIT_MS = 120_000;

/**
 * Spawns `n` idle class actors on a fresh runtime over `controller` (top level, so on threads they go
 * round-robin to the worker threads), waits until all have started (a call to the last one spawned on each
 * thread answers after every earlier spawn there, as a thread pair keeps its order), then times
 * `runtime.shutdown()` alone. Resolves with its ms; rejects if either part takes over SHUTDOWN_LIMIT_MS.
 */
async function timeShutdown(controller: Controller, n: number): Promise<number> {
  const rt = new Runtime({ controller, logger: silentLogger, callTimeout: SHUTDOWN_LIMIT_MS });
  try {
    const lastOnThread = new Map<number, ActorProxy<Idle>>();
    for (let i = 0; i < n; i++) {
      const p = rt.spawn(Idle);
      lastOnThread.set(p.ref.thread, p);
    }
    await Promise.all([...lastOnThread.values()].map((p) => p.noop()));
    const threads = rt.fabricThreads();
    if (threads.length > 0) {
      check(
        threads.every((t) => lastOnThread.has(t)) && !lastOnThread.has(0),
        'idle actors spread over every worker thread',
      );
    } else check(rt.stats().actors === n, 'idle actors started');
  } catch (err) {
    void rt.shutdown(); // do not leave its threads running into the next workloads
    throw err;
  }
  let timer: NodeJS.Timeout | undefined;
  const t0 = performance.now();
  try {
    await Promise.race([
      rt.shutdown(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `shutdown of ${n} idle actors on the ${controller.constructor.name} took over ${SHUTDOWN_LIMIT_MS / 1000} s`,
              ),
            ),
          SHUTDOWN_LIMIT_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  const ms = performance.now() - t0;
  check(rt.stats().actors === 0, 'no actor left after shutdown');
  return ms;
}

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
  shutdownIdle: (n) => timeShutdown(tasklets(), n),
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
    /** A runtime of its own (shutdown ends it), with the same 2 threads. */
    shutdownIdle: (n) => timeShutdown(new ThreadController({ threads: 2, spinMicros }), n),
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
