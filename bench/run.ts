/**
 * `npm run bench [-- --quick] [-- --rounds N] [-- --only name,…]`: the benchmark suite; `npm run bench --
 * --soak [--minutes N]`: the churn soak alone (soak.ts: heap growth under churn, both controllers, 10 min
 * each by default), which `--quick` also runs for 10 s per controller (`--only` without `churn` skips it). Every workload runs
 * on every contestant that supports it, interleaved round by round (A B C … A B C …) so that machine noise
 * hits all alike; it prints progress, then a table of medians (min–max) and each contestant's ratio to the
 * hand-written baseline, computed per round. Results go to bench/results/ (JSON and Markdown), the chart to
 * bench/chart.svg and the table into BENCHMARKS.md. `--quick` is a tiny smoke run that writes nothing tracked.
 * The cluster workloads (natsOneWay, natsCall, natsCallsInFlight) run each contestant as two fresh Node
 * processes through a nats-server the suite starts for the run (bench/nats.ts), with raw NATS as their
 * yardstick instead of the hand-written baseline; without nats-server on PATH they are skipped, saying so.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderChart } from './chart.js';
import { baseline } from './contestants/baseline.js';
import { rawNats } from './contestants/nats-raw.js';
import { cpuFanOut, parleySpin, parleyTasklet, parleyThreads } from './contestants/parley.js';
import { parleyCluster } from './contestants/parley-cluster.js';
import { comedyPeer, comedyThreaded, nactPeer } from './contestants/peers.js';
import type { Contestant } from './contestants/types.js';
import { natsUnavailable, stopNats } from './nats.js';
import { runSoak } from './soak-run.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const rounds = Number(flag('--rounds') ?? (quick ? 1 : 5));
const only = flag('--only')?.split(',');

interface Workload {
  key: string;
  title: string;
  unit: string;
  /** Size in a full run, and in --quick. */
  size: number;
  quick: number;
  /** Higher is better (throughput) or lower (ms, bytes). */
  higherIsBetter: boolean;
  contestants: Contestant[];
  /** A run that gives no result in this many ms fails (default 60 s). */
  timeoutMs?: number;
  /** The contestant the ratios are computed against (default: the hand-written baseline). */
  yardstick?: Contestant;
  /** Needs nats-server (the cluster workloads): skipped, saying so, on a machine without it. */
  needsNats?: boolean;
  /** Runs once; returns the measured value in `unit`. */
  measure(c: Contestant, n: number): Promise<number>;
}

async function throughput(run: () => Promise<unknown>, ops: number): Promise<number> {
  const t0 = performance.now();
  await run();
  return ops / ((performance.now() - t0) / 1000);
}

/** CPU time of the whole process (every thread) per wall-clock time while `run` runs. */
async function coresBusy(run: () => Promise<unknown>): Promise<number> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1000 / (performance.now() - t0);
}

async function elapsed(run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
}

/** Runs skynet for `c` in a child process; resolves with that process's peak RSS in MiB. */
function peakRssInChild(c: Contestant, n: number): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join('bench', 'skynet-rss.ts'), c.name, String(n)],
      { timeout: 120_000 },
      (err, stdout) => {
        if (err) return reject(err);
        resolve((JSON.parse(stdout.trim().split('\n').pop()!) as { maxRssMiB: number }).maxRssMiB);
      },
    );
  });
}

const inProcess = [baseline, parleyTasklet, nactPeer, comedyPeer];

/**
 * The cluster workloads' contestants: two Node processes each, through one nats-server started for the run
 * (bench/nats.ts). Raw NATS is their yardstick (issue 12's targets: Parley ≥ 0.7× raw NATS); the Parley
 * contestant is two Parley nodes (contestants/parley-cluster.ts).
 */
const clusterContestants: Contestant[] = [rawNats, parleyCluster];

const workloads: Workload[] = [
  {
    key: 'pingPong',
    title: 'ping-pong',
    unit: 'round trips/s',
    size: 1_000_000,
    quick: 5_000,
    higherIsBetter: true,
    contestants: inProcess,
    measure: (c, n) => throughput(() => c.pingPong!(n), n),
  },
  {
    key: 'ring',
    title: 'thread ring, 503 actors',
    unit: 'hops/s',
    size: 1_000_000,
    quick: 5_000,
    higherIsBetter: true,
    contestants: inProcess,
    measure: (c, n) => throughput(() => c.ring!(503, n), n),
  },
  {
    key: 'counting',
    title: 'counting (one-way, then a call)',
    unit: 'msgs/s',
    size: 1_000_000,
    quick: 5_000,
    higherIsBetter: true,
    contestants: inProcess,
    measure: (c, n) => throughput(() => c.counting!(n), n),
  },
  {
    key: 'ask',
    title: 'sequential ask',
    unit: 'asks/s',
    size: 100_000,
    quick: 1_000,
    higherIsBetter: true,
    contestants: inProcess,
    measure: (c, n) => throughput(() => c.ask!(n), n),
  },
  {
    key: 'forkJoin',
    title: 'fork-join fan-out (spawn, compute, reply)',
    unit: 'actors/s',
    size: 20_000, // nact stalls at 100k
    quick: 1_000,
    higherIsBetter: true,
    contestants: inProcess,
    measure: (c, n) => throughput(() => c.forkJoin!(n), n),
  },
  {
    key: 'skynet',
    title: 'skynet (10-ary tree of actors)',
    unit: 'ms',
    size: 1_000_000,
    quick: 1_000,
    higherIsBetter: false,
    contestants: inProcess,
    measure: (c, n) => elapsed(() => c.skynet!(n)),
  },
  {
    key: 'skynetRss',
    title: 'skynet peak RSS (a fresh process each)',
    unit: 'MiB',
    size: 1_000_000,
    quick: 1_000,
    higherIsBetter: false,
    contestants: inProcess,
    measure: (c, n) => peakRssInChild(c, n),
  },
  {
    key: 'idle',
    title: 'idle actor',
    unit: 'heap bytes/actor',
    size: 100_000,
    quick: 1_000,
    higherIsBetter: false,
    contestants: inProcess,
    measure: (c, n) => c.idle!(n),
  },
  {
    key: 'xPingPong',
    title: 'cross-thread ping-pong',
    unit: 'round trips/s',
    size: 20_000,
    quick: 200,
    higherIsBetter: true,
    contestants: [parleyThreads, parleySpin, comedyThreaded],
    measure: (c, n) => throughput(() => c.pingPong!(n), n),
  },
  {
    key: 'xPingPongCpu',
    title: 'CPU used by cross-thread ping-pong (all threads)',
    unit: 'cores busy',
    size: 20_000,
    quick: 200,
    higherIsBetter: false,
    contestants: [parleyThreads, parleySpin, comedyThreaded],
    measure: (c, n) => coresBusy(() => c.pingPong!(n)),
  },
  {
    key: 'xCounting',
    title: 'pipelined counting across threads',
    unit: 'msgs/s',
    size: 1_000_000,
    quick: 5_000,
    higherIsBetter: true,
    contestants: [parleyThreads, parleySpin],
    measure: (c, n) => throughput(() => c.counting!(n), n),
  },
  {
    key: 'cpuFanOut',
    title: 'CPU-bound fork-join, 2 threads vs 1 (speed-up)',
    unit: '× 1 thread',
    size: 16,
    quick: 2,
    higherIsBetter: true,
    contestants: [parleyThreads],
    measure: async (_c, jobs) => (await cpuFanOut(1, jobs)) / (await cpuFanOut(2, jobs)),
  },
  {
    key: 'natsOneWay',
    title: 'one-way messages between two processes over NATS (40 B, pipelined)',
    unit: 'msgs/s',
    size: 1_000_000,
    quick: 5_000,
    higherIsBetter: true,
    contestants: clusterContestants,
    yardstick: rawNats,
    needsNats: true,
    measure: (c, n) => c.natsOneWay!(n),
  },
  {
    key: 'natsCall',
    title: 'sequential calls between two processes over NATS (40 B)',
    unit: 'calls/s',
    size: 20_000,
    quick: 200,
    higherIsBetter: true,
    contestants: clusterContestants,
    yardstick: rawNats,
    needsNats: true,
    measure: (c, n) => c.natsCall!(n),
  },
  {
    key: 'natsCallsInFlight',
    title: 'calls between two processes over NATS, 100 in flight (40 B)',
    unit: 'calls/s',
    size: 100_000,
    quick: 1_000,
    higherIsBetter: true,
    contestants: clusterContestants,
    yardstick: rawNats,
    needsNats: true,
    measure: (c, n) => c.natsCallsInFlight!(n),
  },
  {
    key: 'shutdownIdle',
    title: 'shutdown of idle actors (2 threads; tasklets for reference)',
    unit: 'ms',
    size: 100_000,
    quick: 2_000,
    higherIsBetter: false,
    contestants: [parleyThreads, parleyTasklet],
    // The contestant fails the run itself if the actors take over 120 s to start or to shut down.
    timeoutMs: 250_000,
    measure: (c, n) => c.shutdownIdle!(n),
  },
];

interface Row {
  workload: string;
  title: string;
  unit: string;
  size: number;
  contestant: string;
  values: number[];
  median: number;
  min: number;
  max: number;
  /** Per-round value relative to the baseline (above 1: better than the baseline). */
  vsBaseline: number | undefined;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (x: number): string =>
  x >= 1e6
    ? `${(x / 1e6).toFixed(2)}M`
    : x >= 1e4
      ? `${(x / 1e3).toFixed(0)}k`
      : x >= 100
        ? x.toFixed(0)
        : x.toFixed(1);

const machine = {
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  loadavg: loadavg().map((l) => Number(l.toFixed(2))),
  date: new Date().toISOString(),
  rounds,
  quick,
};
/** What `--quick` is for, said wherever its numbers appear: they check that the suite runs, nothing more. */
const QUICK_NOTE =
  '--quick is a smoke run (tiny sizes, one round, start-up and JIT warm-up included): its numbers are NOT ' +
  'meaningful and must not be compared or quoted; run `npm run bench` for measurements.';
console.log(
  `node ${machine.node}, ${machine.cpu} x${machine.cores}, load ${machine.loadavg.join(' ')}, ${rounds} round(s)` +
    (quick ? ` (quick)\n${QUICK_NOTE}` : ''),
);

if (argv.includes('--soak')) {
  const minutes = Number(flag('--minutes') ?? 10);
  if (!(minutes > 0)) throw new Error(`--minutes must be a positive number (got ${flag('--minutes')})`);
  const seconds = Math.round(minutes * 60);
  const ok = await runSoak({ seconds, interval: Math.min(60, Math.max(2, Math.round(seconds / 10))), quick });
  process.exit(ok ? 0 : 1);
}

const rows: Row[] = [];
for (const w of workloads) {
  if (only !== undefined && !only.includes(w.key)) continue;
  const missing = w.needsNats ? natsUnavailable() : undefined;
  if (missing !== undefined) {
    console.log(`  ${w.title}: skipped: ${missing}`);
    continue;
  }
  const n = quick ? w.quick : w.size;
  const method =
    w.key === 'xPingPong' || w.key === 'xPingPongCpu'
      ? 'pingPong'
      : w.key === 'xCounting'
        ? 'counting'
        : w.key === 'skynetRss'
          ? 'skynet'
          : w.key;
  const cs = w.contestants.filter(
    (c) => w.key === 'cpuFanOut' || typeof (c as unknown as Record<string, unknown>)[method] === 'function',
  );
  const values = new Map<Contestant, number[]>(cs.map((c) => [c, []]));
  for (const c of cs) await w.measure(c, Math.max(10, Math.round(n / 100))).catch(() => undefined); // warm-up
  for (let r = 0; r < rounds; r++) {
    const line: string[] = [];
    for (const c of cs) {
      try {
        // nact's fork-join now and then never answers a query: a stuck run counts as failed, not forever.
        const timeoutMs = w.timeoutMs ?? 60_000;
        const v = await Promise.race([
          w.measure(c, n),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`no result in ${timeoutMs / 1000} s`)), timeoutMs).unref(),
          ),
        ]);
        values.get(c)!.push(v);
        line.push(`${c.name} ${fmt(v)}`);
      } catch (err) {
        line.push(`${c.name} failed (${err instanceof Error ? err.message : String(err)})`);
      }
    }
    console.log(`  ${w.title}: round ${r + 1}/${rounds}: ${line.join(', ')}`);
  }
  const base = values.get(w.yardstick ?? baseline);
  for (const c of cs) {
    const vs = values.get(c)!;
    if (vs.length === 0) continue;
    const ratios =
      base === undefined || base.length !== vs.length
        ? undefined
        : vs.map((v, i) => (w.higherIsBetter ? v / base[i]! : base[i]! / v));
    rows.push({
      workload: w.key,
      title: w.title,
      unit: w.unit,
      size: n,
      contestant: c.name,
      values: vs,
      median: median(vs),
      min: Math.min(...vs),
      max: Math.max(...vs),
      vsBaseline: ratios === undefined ? undefined : median(ratios),
    });
  }
}

for (const c of [...inProcess, parleyThreads, parleySpin, comedyThreaded, ...clusterContestants]) {
  await c.close?.();
}
await stopNats();
const maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
const table = [
  `| workload | contestant | median (min–max) | unit | vs baseline (higher is better${
    rows.some((r) => r.workload.startsWith('nats')) ? '; over NATS: vs raw NATS' : ''
  }) |`,
  '|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.title} (${fmt(r.size)}) | ${r.contestant} | ${fmt(r.median)} (${fmt(r.min)}–${fmt(r.max)}) | ${r.unit} | ${
        r.vsBaseline === undefined ? '—' : `${r.vsBaseline.toFixed(2)}×`
      } |`,
  ),
].join('\n');
console.log(`\n${table}\n\npeak RSS of the whole run: ${maxRssMiB} MiB`);
if (quick) console.log(`\n${QUICK_NOTE}`);

// The churn soak, briefly (a smoke run: growth over 10 s says little; `--soak` is the real run).
if (quick && (only === undefined || only.includes('churn'))) {
  await runSoak({ seconds: 10, interval: 2, quick: true });
}

const outDir = quick ? join(tmpdir(), 'parley-bench') : join('bench', 'results');
mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, 'latest.json'),
  `${JSON.stringify({ ...(quick ? { note: QUICK_NOTE } : {}), machine, maxRssMiB, rows }, null, 2)}\n`,
);
writeFileSync(join(outDir, 'latest.md'), quick ? `${QUICK_NOTE}\n\n${table}\n` : `${table}\n`);
const svg = await renderChart(rows);
writeFileSync(quick ? join(outDir, 'chart.svg') : join('bench', 'chart.svg'), svg);
if (!quick) {
  const doc = readFileSync('BENCHMARKS.md', 'utf8');
  const begin = '<!-- results:begin -->';
  const end = '<!-- results:end -->';
  const stamp = `Run ${machine.date.slice(0, 16).replace('T', ' ')} UTC: node ${machine.node}, ${machine.cpu} ×${machine.cores}, load ${machine.loadavg.join(' ')}, ${rounds} rounds, peak RSS ${maxRssMiB} MiB.`;
  const updated = doc.replace(
    new RegExp(`${begin}[\\s\\S]*${end}`),
    `${begin}\n${stamp}\n\n${table}\n${end}`,
  );
  writeFileSync('BENCHMARKS.md', updated);
}
console.log(
  `results: ${outDir}/latest.json, latest.md; chart: ${quick ? join(outDir, 'chart.svg') : 'bench/chart.svg'}`,
);

// The peers (comedy above all) may leave handles open; say what is left, then end the run.
const left = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
if (left.length > 0) console.log(`still open at the end (peers'): ${[...new Set(left)].join(', ')}`);
process.exit(0);
