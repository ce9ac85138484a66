/**
 * `npm run bench [-- --quick] [-- --rounds N]`: runs each workload on Parley and on the hand-written
 * baseline, interleaved round by round (A B A B …) so machine noise hits both alike, and prints medians,
 * min–max and the per-round ratio to the baseline. Not a test: numbers, not pass/fail (results are checked).
 */
import { cpus, loadavg } from 'node:os';
import { workloads } from './workloads.js';

const quick = process.argv.includes('--quick');
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : quick ? 1 : 7;
const scale = quick ? 0.02 : 1;
const sizes: Record<string, number> = {
  'ping-pong (class actors)': 1_000_000,
  'counting (one-way, then a call)': 1_000_000,
  'sequential ask (proxy calls)': 100_000,
  'ping-pong (recv() loop actor)': 200_000,
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (x: number): string =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0);

async function timed(fn: () => Promise<number>): Promise<number> {
  const t0 = performance.now();
  const ops = await fn();
  return ops / ((performance.now() - t0) / 1000);
}

console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, ${rounds} round(s)${quick ? ' (quick)' : ''}`,
);
const rows: string[][] = [];
for (const w of workloads) {
  const n = Math.max(100, Math.round(sizes[w.name]! * scale));
  await w.parley(Math.min(n, 1000)); // warm up both
  await w.baseline(Math.min(n, 1000));
  const p: number[] = [];
  const b: number[] = [];
  const ratio: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const pr = await timed(() => w.parley(n));
    const br = await timed(() => w.baseline(n));
    p.push(pr);
    b.push(br);
    ratio.push(pr / br);
    process.stdout.write(`  ${w.name}: round ${r + 1}/${rounds} parley ${fmt(pr)} baseline ${fmt(br)}\n`);
  }
  rows.push([
    w.name,
    `${fmt(median(p))} (${fmt(Math.min(...p))}–${fmt(Math.max(...p))})`,
    `${fmt(median(b))}`,
    `${median(ratio).toFixed(2)}×`,
    w.unit,
  ]);
}
console.log('\n| workload | Parley (median, min–max) | baseline | Parley/baseline | unit |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
