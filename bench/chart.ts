/**
 * The benchmark chart, rendered to SVG by Vega-Lite (no hand-drawn graphics). Top: each contestant's median
 * relative to the hand-written baseline, per in-process workload. Then the cross-thread workloads, which
 * have no baseline, as each contestant's median in the workload's own unit. Last, when they ran, the cluster
 * workloads (between two processes over NATS), each contestant relative to raw NATS.
 */
import * as vega from 'vega';
import { compile } from 'vega-lite';

interface ChartRow {
  /** The workload's key: the cluster ones start with `nats`. */
  workload: string;
  title: string;
  unit: string;
  contestant: string;
  median: number;
  vsBaseline: number | undefined;
}

const facet = (title: string, field: string, scaleType: 'log' | 'linear') => ({
  encoding: {
    row: {
      field: 'workload',
      type: 'nominal',
      header: { labelAngle: 0, labelAlign: 'left', labelLimit: 300 },
      title: null,
    },
    y: { field: 'contestant', type: 'nominal', axis: { title: null } },
    x: { field, type: 'quantitative', scale: { type: scaleType }, title },
    color: { field: 'contestant', type: 'nominal', legend: null },
  },
  mark: 'bar',
});

export async function renderChart(rows: ChartRow[]): Promise<string> {
  const cluster = rows
    .filter((r) => r.workload.startsWith('nats') && r.vsBaseline !== undefined)
    .map((r) => ({ workload: r.title, contestant: r.contestant, ratio: Number(r.vsBaseline!.toFixed(3)) }));
  const relative = rows
    .filter((r) => !r.workload.startsWith('nats') && r.vsBaseline !== undefined)
    .map((r) => ({ workload: r.title, contestant: r.contestant, ratio: Number(r.vsBaseline!.toFixed(3)) }));
  const absolute = rows
    .filter((r) => r.vsBaseline === undefined)
    .map((r) => ({ workload: `${r.title} (${r.unit})`, contestant: r.contestant, value: r.median }));
  const panels: unknown[] = [];
  if (relative.length > 0) {
    panels.push({
      title:
        'In one process: speed relative to a hand-written minimal actor (1 = baseline; higher is better)',
      data: { values: relative },
      ...facet('× baseline (log scale)', 'ratio', 'log'),
    });
  }
  if (absolute.length > 0) {
    panels.push({
      title: 'Across threads: medians in each workload’s unit (scales differ per row)',
      data: { values: absolute },
      ...facet('median', 'value', 'linear'),
      resolve: { scale: { x: 'independent' } },
    });
  }
  if (cluster.length > 0) {
    panels.push({
      title: 'Between two processes over NATS: speed relative to raw NATS (1 = raw NATS; higher is better)',
      data: { values: cluster },
      ...facet('× raw NATS', 'ratio', 'linear'),
    });
  }
  const spec = compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    vconcat: panels,
  } as never).spec;
  return new vega.View(vega.parse(spec), { renderer: 'none' }).toSVG();
}
