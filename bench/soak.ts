/**
 * The churn soak (issue 10): for a while, on one controller, supervisors crash-and-restart their children,
 * dynamic children are started, terminated, restarted and deleted, short-lived actors are linked, monitored
 * and demonitored, named, called (answered, timed out, crashed mid-call), receives time out, and top-level
 * actors are spawned to crash. At every sample the churn pauses, the runtime's tables settle, and every
 * thread (the workers too: each answers with its own heap after a forced GC) reports its heap in use.
 * Growth is measured from the first sample after the warm-up interval ("minute 1") to the last.
 *
 * Not a test: `npm run bench -- --soak [--minutes N]` runs it on both controllers (bench/run.ts starts this
 * file once per controller, in a fresh process); `npm run bench -- --quick` runs it for ~10 s each.
 * Directly: `node --expose-gc --import tsx bench/soak.ts <tasklets|threads> <seconds> <sample seconds>`:
 * progress on stderr, the result as JSON on the last line of stdout.
 */
import {
  type ActorProxy,
  type ActorRef,
  type ChildInfo,
  Runtime,
  type SpawnOptions,
  Supervisor,
  silentLogger,
  TaskletController,
  ThreadController,
} from '../src/index.js';
import type { Tables } from '../src/router/signal.js';
import { Churn, Sluggish, SoakBrief, SoakWorker } from './soak-actors.js';

export interface SoakSample {
  /** Seconds since the churn started. */
  t: number;
  /** Heap in use after a forced GC, per thread (0: main), bytes. */
  heap: Record<number, number>;
  total: number;
  /** Operations per lane since the previous sample. */
  ops: Record<string, number>;
  /** Every thread's tables at the sample (heap aside): they should not grow either. */
  tables: Omit<Tables, 'heapUsed'>[];
}

export interface SoakResult {
  controller: string;
  seconds: number;
  interval: number;
  samples: SoakSample[];
  /** (last total − first total after warm-up) / that first total. */
  growth: number;
  growthByThread: Record<number, number>;
  /** Operations per minute over the whole run, per lane. */
  opsPerMinute: Record<string, number>;
  errors: Record<string, { count: number; first: string; last: string }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `done` (asynchronous: asks actors) until it holds. */
async function until(done: () => Promise<boolean>, what: string, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`soak: ${what} did not happen within ${ms / 1000} s`);
    await sleep(1);
  }
}

interface Lane {
  name: string;
  /** One round of churn; resolves with the operations it did. */
  round(): Promise<number>;
}

export async function soak(
  kind: 'tasklets' | 'threads',
  seconds: number,
  interval: number,
): Promise<SoakResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') throw new Error('soak: run node with --expose-gc (npm run bench does)');
  const controller = kind === 'threads' ? new ThreadController({ threads: 2 }) : new TaskletController();
  const rt = new Runtime({ controller, logger: silentLogger, callTimeout: 120_000 });
  const log = (m: string) => process.stderr.write(`  [${kind}] ${m}\n`);

  // Placement: on threads, drivers and supervisors sit on different threads from their partners.
  const workers = kind === 'threads' ? await threadsOf(rt) : [];
  const on = (i: number): SpawnOptions =>
    workers.length === 0
      ? {}
      : i === 0
        ? { thread: 'local' }
        : { thread: workers[(i - 1) % workers.length]! };

  const server = rt.spawnWith(on(2), SoakWorker);
  const sluggish = rt.spawnWith(on(1), Sluggish);
  const drivers = [1, 2, 1, 2].map((i) => rt.spawnWith(on(i), Churn));
  await Promise.all(drivers.map((d) => d.ping()));
  const partnersOf = (i: number) => on(i === 1 ? 2 : 1);
  const limits = { intensity: 1_000_000_000, period: 1000 };
  const oneForOne = rt.spawnWith(on(0), Supervisor, {
    strategy: 'one_for_one',
    ...limits,
    children: [0, 1, 2, 3].map((i) => ({ id: `w${i}`, actor: SoakWorker })),
  });
  const oneForAll = rt.spawnWith(on(1), Supervisor, {
    strategy: 'one_for_all',
    ...limits,
    children: [0, 1, 2].map((i) => ({ id: `a${i}`, actor: SoakWorker })),
  });
  const dynamic = rt.spawnWith(on(2), Supervisor, { strategy: 'one_for_one', ...limits });

  let restartPick = 0;
  let dynamicCount = 0;
  const lanes: Lane[] = [
    {
      name: 'restarts',
      round: () => crashAndRestart(rt, restartPick++ % 2 === 0 ? oneForOne : oneForAll, restartPick),
    },
    { name: 'dynamic children', round: () => dynamicRound(rt, dynamic, dynamicCount++) },
    { name: 'links', round: () => drivers[0]!.links(20, partnersOf(1)) },
    { name: 'monitors', round: () => drivers[1]!.monitors(20, partnersOf(2)) },
    { name: 'calls+timeouts', round: () => drivers[2]!.calls(5, server.ref, sluggish.ref, partnersOf(1)) },
    { name: 'names', round: () => drivers[3]!.namesRound(10, partnersOf(2)) },
    { name: 'top-level spawn+crash', round: () => topLevelCrashes(rt, 10) },
  ];

  const ops: Record<string, number> = Object.fromEntries(lanes.map((l) => [l.name, 0]));
  const errors: SoakResult['errors'] = {};
  let stopped = false;
  let gate: Promise<void> | undefined;
  let inFlight = 0;
  let onIdle: (() => void) | undefined;
  const loops = lanes.map(async (lane) => {
    while (!stopped) {
      // A round that never waits for I/O or a timer would run in microtasks forever and starve the timers
      // (sampling, timeouts): each lane yields to the event loop between rounds, as a server's work would.
      await new Promise((r) => setImmediate(r));
      if (gate !== undefined) {
        await gate;
        continue;
      }
      inFlight++;
      try {
        ops[lane.name]! += await lane.round();
      } catch (err) {
        const e = (errors[lane.name] ??= { count: 0, first: '', last: '' });
        e.count++;
        e.last = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        if (e.count === 1) {
          e.first = e.last;
          log(`${lane.name}: ${e.first}`);
        }
        await sleep(100);
      } finally {
        inFlight--;
        if (inFlight === 0) onIdle?.();
      }
    }
  });

  /** Pauses the churn, lets the tables settle, and takes every thread's heap after a GC. */
  const counted: Record<string, number> = { ...ops };
  const samples: SoakSample[] = [];
  const t0 = performance.now();
  async function sample(): Promise<SoakSample> {
    let release!: () => void;
    gate = new Promise<void>((r) => (release = r));
    if (inFlight > 0) await new Promise<void>((r) => (onIdle = r));
    onIdle = undefined;
    const t = (performance.now() - t0) / 1000;
    // What the churn left in flight (exits, DOWNs, releases crossing threads) lands: the tables stop moving.
    let before = JSON.stringify(await rt.everyThreadTables());
    for (let i = 0; i < 100; i++) {
      await sleep(20);
      const now = JSON.stringify(await rt.everyThreadTables());
      if (now === before) break;
      before = now;
    }
    const all = await rt.everyThreadTables(true);
    const heap: Record<number, number> = {};
    const tables: SoakSample['tables'] = [];
    for (const { heapUsed, ...rest } of all) {
      heap[rest.place] = heapUsed ?? 0;
      tables.push(rest);
    }
    const delta = Object.fromEntries(lanes.map((l) => [l.name, ops[l.name]! - counted[l.name]!]));
    Object.assign(counted, ops);
    const s: SoakSample = {
      t,
      heap,
      total: Object.values(heap).reduce((a, b) => a + b, 0),
      ops: delta,
      tables,
    };
    samples.push(s);
    gate = undefined;
    release();
    return s;
  }

  const mb = (b: number) => (b / 2 ** 20).toFixed(2);
  for (let k = 1; (performance.now() - t0) / 1000 < seconds - 0.5; k++) {
    const due = t0 + k * interval * 1000;
    const wait = Math.min(due, t0 + seconds * 1000) - performance.now();
    if (wait > 0) await sleep(wait);
    const s = await sample();
    const perThread = Object.entries(s.heap)
      .map(([t, b]) => `${t === '0' ? 'main' : `w${t}`} ${mb(b)}`)
      .join(', ');
    const rate = Object.entries(s.ops)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
    const actors = s.tables.map((x) => x.actors).join('+');
    log(`t=${s.t.toFixed(0)} s heap ${mb(s.total)} MiB (${perThread}); actors ${actors}; ops: ${rate}`);
  }
  stopped = true;
  gate = undefined;
  await Promise.all(loops);
  await rt.shutdown();

  const first = samples[0]!;
  const last = samples.at(-1)!;
  const growthByThread: Record<number, number> = {};
  for (const t of Object.keys(first.heap).map(Number)) {
    if (last.heap[t] !== undefined) growthByThread[t] = (last.heap[t]! - first.heap[t]!) / first.heap[t]!;
  }
  const elapsedMin = (performance.now() - t0) / 60_000;
  return {
    controller: controller.constructor.name + (kind === 'threads' ? '({ threads: 2 })' : ''),
    seconds,
    interval,
    samples,
    growth: (last.total - first.total) / first.total,
    growthByThread,
    opsPerMinute: Object.fromEntries(lanes.map((l) => [l.name, Math.round(ops[l.name]! / elapsedMin)])),
    errors,
  };
}

/** The worker threads, once they are up (a first spawn starts them). */
async function threadsOf(rt: Runtime): Promise<number[]> {
  const probe = rt.spawn(SoakWorker);
  await probe.ping(1);
  probe.cast('quit', 'normal');
  const live = rt.fabricThreads();
  if (live.length < 2) throw new Error(`soak: expected 2 worker threads, got ${live.length}`);
  return live;
}

/** Crashes one child of `sup` and waits until the strategy has restarted it (and its group). */
async function crashAndRestart(rt: Runtime, sup: ActorProxy<Supervisor>, pick: number): Promise<number> {
  const before = (await sup.whichChildren()) as ChildInfo[];
  const victim = before[pick % before.length]!;
  if (victim.ref === undefined) throw new Error(`soak: child ${victim.id} is not running`);
  const old = new Set(before.map((c) => c.ref?.id));
  rt.proxy(victim.ref).cast('crash');
  await until(async () => {
    const now = (await sup.whichChildren()) as ChildInfo[];
    const c = now.find((x) => x.id === victim.id);
    return c?.ref !== undefined && !old.has(c.ref.id) && now.every((x) => x.ref !== undefined);
  }, `the restart of ${victim.id}`);
  return 1;
}

/** Dynamic children: temporary ones that exit by themselves, a permanent one stopped, restarted, deleted. */
async function dynamicRound(rt: Runtime, sup: ActorProxy<Supervisor>, n: number): Promise<number> {
  const temp = (await sup.startChild({ id: `t${n}`, actor: SoakWorker, restart: 'temporary' })) as ActorRef;
  rt.proxy(temp).cast(n % 2 === 0 ? 'crash' : 'quit', 'normal');
  const transient = (await sup.startChild({
    id: `n${n}`,
    actor: SoakWorker,
    restart: 'transient',
  })) as ActorRef;
  rt.proxy(transient).cast('quit', 'shutdown');
  const id = `p${n}`;
  await sup.startChild({ id, actor: SoakWorker });
  await sup.terminateChild(id);
  await sup.restartChild(id);
  await sup.terminateChild(id);
  await sup.deleteChild(id);
  await until(async () => {
    const kids = (await sup.whichChildren()) as ChildInfo[];
    return kids.every((k) => k.id === `n${n}` && k.ref === undefined);
  }, 'the dynamic children to exit');
  await sup.deleteChild(`n${n}`);
  return 8;
}

/** Top-level actors that crash: in a call (which fails), and in their start. */
async function topLevelCrashes(rt: Runtime, n: number): Promise<number> {
  for (let i = 0; i < n; i++) {
    const a = rt.spawn(SoakWorker);
    await a.crash().catch(() => undefined);
  }
  const brief = rt.spawn(SoakBrief, true);
  void brief;
  return n + 1;
}

// Run directly: one controller, result as JSON on the last line of stdout.
if (process.argv[1]?.endsWith('soak.ts') || process.argv[1]?.endsWith('soak.js')) {
  const [kind, seconds, interval] = process.argv.slice(2);
  if (kind !== 'tasklets' && kind !== 'threads') {
    throw new Error(
      'usage: node --expose-gc --import tsx bench/soak.ts <tasklets|threads> <seconds> <interval s>',
    );
  }
  const result = await soak(kind, Number(seconds ?? 60), Number(interval ?? 60));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
