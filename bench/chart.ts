/**
 * The benchmark chart: each contestant's median relative to the hand-written baseline, per workload,
 * rendered to SVG by Vega-Lite (no hand-drawn graphics).
 */
import * as vega from 'vega';
import { compile } from 'vega-lite';

interface ChartRow {
  title: string;
  contestant: string;
  vsBaseline: number | undefined;
}

export async function renderChart(rows: ChartRow[]): Promise<string> {
  const values = rows
    .filter((r) => r.vsBaseline !== undefined)
    .map((r) => ({ workload: r.title, contestant: r.contestant, ratio: Number(r.vsBaseline!.toFixed(3)) }));
  const spec = compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Speed relative to a hand-written minimal actor (1 = baseline; higher is better)',
    data: { values },
    mark: 'bar',
    encoding: {
      row: {
        field: 'workload',
        type: 'nominal',
        header: { labelAngle: 0, labelAlign: 'left', labelLimit: 260 },
      },
      y: { field: 'contestant', type: 'nominal', axis: { title: null } },
      x: { field: 'ratio', type: 'quantitative', scale: { type: 'log' }, title: '× baseline (log scale)' },
      color: { field: 'contestant', type: 'nominal', legend: null },
    },
  } as never).spec;
  return new vega.View(vega.parse(spec), { renderer: 'none' }).toSVG();
}
