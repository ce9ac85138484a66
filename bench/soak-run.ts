/**
 * Runs the churn soak (soak.ts) on both controllers, each in a fresh process (so one's heap is not the
 * other's), prints per-sample progress and a summary, and — for a full run — writes the results to
 * bench/results/soak.json, soak.md and BENCHMARKS.md (between the soak markers). Used by bench/run.ts:
 * `--soak [--minutes N]` (a sample a minute), and `--quick` (10 s each, a sample every 2 s, nothing written).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SoakResult } from './soak.js';

/** The issue's target: under 5% heap growth from minute 1 to the end of a 10-minute soak. */
export const GROWTH_TARGET = 0.05;

const KINDS = ['tasklets', 'threads'] as const;

function soakInChild(kind: (typeof KINDS)[number], seconds: number, interval: number): Promise<SoakResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', join('bench', 'soak.ts'), kind, String(seconds), String(interval)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
    });
    // A soak that hangs fails rather than holding the suite forever.
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 300) * 1000);
    // 'close', not 'exit': stdout is then read to its end (the result is its last line).
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || last === '') {
        reject(new Error(`soak on ${kind} ended with ${signal ?? `code ${code}`}`));
        return;
      }
      resolve(JSON.parse(last) as SoakResult);
    });
  });
}

const mib = (b: number): string => (b / 2 ** 20).toFixed(2);
const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
const threadName = (t: string | number): string => (Number(t) === 0 ? 'main' : `worker ${t}`);

/** Markdown: the summary table, then operations per lane and per sample. */
export function soakTable(results: SoakResult[]): string {
  const lines = [
    '| controller | length | heap after GC, all threads: first sample → end | growth | per thread | operations/min (lowest–highest sample) | lane errors |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const first = r.samples[0]!;
    const last = r.samples.at(-1)!;
    const perSample = r.samples.map(
      (s) => (Object.values(s.ops).reduce((a, b) => a + b, 0) * 60) / r.interval,
    );
    const errors = Object.entries(r.errors)
      .map(([lane, e]) => `${lane}: ${e.count} (${e.first})`)
      .join('; ');
    const perThread = Object.entries(r.growthByThread)
      .map(([t, g]) => `${threadName(t)} ${pct(g)}`)
      .join(', ');
    lines.push(
      `| ${r.controller} | ${(r.seconds / 60).toFixed(r.seconds < 60 ? 2 : 0)} min, a sample every ${r.interval} s | ` +
        `${mib(first.total)} → ${mib(last.total)} MiB | ${pct(r.growth)} | ${perThread} | ` +
        `${Math.round(Math.min(...perSample))}–${Math.round(Math.max(...perSample))} | ${errors || 'none'} |`,
    );
  }
  lines.push('', `| lane | ${results.map((r) => `${r.controller} ops/min`).join(' | ')} |`);
  lines.push(`|---|${results.map(() => '---|').join('')}`);
  for (const lane of Object.keys(results[0]?.opsPerMinute ?? {})) {
    lines.push(`| ${lane} | ${results.map((r) => r.opsPerMinute[lane] ?? 0).join(' | ')} |`);
  }
  for (const r of results) {
    lines.push(
      '',
      `${r.controller}, per sample (heap after GC in MiB; operations since the previous sample):`,
      '',
    );
    const threads = Object.keys(r.samples[0]!.heap);
    lines.push(`| t (s) | ${threads.map(threadName).join(' | ')} | total | operations | live actors |`);
    lines.push(`|---|${threads.map(() => '---|').join('')}---|---|---|`);
    for (const s of r.samples) {
      const ops = Object.values(s.ops).reduce((a, b) => a + b, 0);
      lines.push(
        `| ${s.t.toFixed(0)} | ${threads.map((t) => mib(s.heap[Number(t)] ?? 0)).join(' | ')} | ${mib(s.total)} | ${ops} | ${s.tables.map((x) => x.actors).join('+')} |`,
      );
    }
  }
  return lines.join('\n');
}

/**
 * Runs the soak on both controllers for `seconds` each. Returns false if a lane failed or (`judge`) the
 * growth is above the target. `quick` writes nothing tracked.
 */
export async function runSoak(opts: { seconds: number; interval: number; quick: boolean }): Promise<boolean> {
  const { seconds, interval, quick } = opts;
  const date = new Date().toISOString();
  const load0 = loadavg().map((l) => Number(l.toFixed(2)));
  console.log(
    `churn soak: ${seconds} s on each controller, a sample every ${interval} s (heap after a forced GC on every thread)`,
  );
  const results: SoakResult[] = [];
  let ok = true;
  for (const kind of KINDS) {
    try {
      const r = await soakInChild(kind, seconds, interval);
      results.push(r);
      const failed = Object.keys(r.errors).length > 0;
      const above = !quick && r.growth > GROWTH_TARGET;
      if (failed || above) ok = false;
      console.log(
        `  ${r.controller}: heap ${mib(r.samples[0]!.total)} → ${mib(r.samples.at(-1)!.total)} MiB (${pct(r.growth)})` +
          (quick
            ? ' (--quick: a smoke run; this growth is not meaningful)'
            : above
              ? ` ABOVE the ${GROWTH_TARGET * 100}% target`
              : ` within the ${GROWTH_TARGET * 100}% target`) +
          (failed ? `; lane errors: ${JSON.stringify(r.errors)}` : ''),
      );
    } catch (err) {
      ok = false;
      console.log(`  ${kind}: failed (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  if (results.length === 0) return false;
  const table = soakTable(results);
  const load1 = loadavg().map((l) => Number(l.toFixed(2)));
  console.log(`\n${table}\n`);
  const outDir = quick ? join(tmpdir(), 'parley-bench') : join('bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const machine = {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    date,
    load0,
    load1,
  };
  writeFileSync(join(outDir, 'soak.json'), `${JSON.stringify({ machine, results }, null, 2)}\n`);
  writeFileSync(join(outDir, 'soak.md'), `${table}\n`);
  if (!quick) {
    const stamp =
      `Run ${date.slice(0, 16).replace('T', ' ')} UTC: \`npm run bench -- --soak --minutes ${seconds / 60}\`, node ` +
      `${machine.node}, ${machine.cpu} ×${machine.cores}, load average ${load0.join(' ')} at the start and ` +
      `${load1.join(' ')} at the end.`;
    const doc = readFileSync('BENCHMARKS.md', 'utf8');
    const begin = '<!-- soak:begin -->';
    const end = '<!-- soak:end -->';
    if (doc.includes(begin)) {
      writeFileSync(
        'BENCHMARKS.md',
        doc.replace(new RegExp(`${begin}[\\s\\S]*${end}`), `${begin}\n${stamp}\n\n${table}\n${end}`),
      );
    }
  }
  console.log(`soak results: ${outDir}/soak.json, soak.md${quick ? '' : '; BENCHMARKS.md'}`);
  return ok;
}
