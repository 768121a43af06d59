/**
 * The TP scaling curve: decode tokens/s per replica against TP, measured and ideal (linear from the
 * smallest TP), each point labelled with its efficiency and bottleneck; beside it, tokens/s per GPU with
 * the cost per million tokens: the per-GPU throughput trap at a glance.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ScalingResult } from '../../contract/results.js';
import { CHART_CONFIG, CLASS_COLORS } from './palette.js';

function splitOnce(s: string): string[] {
  const i = s.indexOf(' ');
  return i < 0 ? [s] : [s.slice(0, i), s.slice(i + 1)];
}

export function scalingChartSpec(r: ScalingResult): TopLevelSpec | null {
  const rows = r.rows.filter((x) => x.decode?.tokensPerSReplica);
  if (rows.length < 2) return null;
  const base = rows[0]!;
  const baseThr = base.decode!.tokensPerSReplica!;
  const curve = rows.flatMap((x) => [
    { tp: x.tp, series: 'measured', tokens: x.decode!.tokensPerSReplica! },
    { tp: x.tp, series: `ideal (linear from TP=${base.tp})`, tokens: (baseThr * x.tp) / base.tp },
  ]);
  // Two or three lines under each TP: efficiency, then the bottleneck's class and amount.
  const labels = rows.map((x, i) => ({
    tp: x.tp,
    pos: i === 0 ? 'first' : i === rows.length - 1 ? 'last' : 'middle',
    label: [x.decode!.efficiency === null ? 'baseline' : `${(x.decode!.efficiency * 100).toFixed(0)}% efficient`, ...splitOnce(x.bottleneck)].join('\n'),
  }));
  const perGpu = rows.map((x) => ({
    tp: String(x.tp), tokens: x.decode!.tokensPerSGpu!,
    label: x.decode!.usdPerMTok === null ? `${Math.round(x.decode!.tokensPerSGpu!)}` : `$${x.decode!.usdPerMTok.toFixed(3)}/MTok`,
  }));
  const tps = rows.map((x) => x.tp);
  const scale = { type: 'log' as const, base: 2, domain: [tps[0]!, tps[tps.length - 1]!] };
  const series = ['measured', `ideal (linear from TP=${base.tp})`];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'TP scaling, decode',
      subtitle: `batch ${r.options.batch}; median of steady steps; labels: scaling efficiency against TP=${base.tp} and what limits the step`,
    },
    config: CHART_CONFIG,
    hconcat: [
      {
        vconcat: [
          {
            width: 420,
            height: 240,
            data: { values: curve },
            mark: { type: 'line', point: true },
            encoding: {
              x: { field: 'tp', type: 'quantitative', title: null, scale, axis: { values: tps, format: 'd' } },
              y: { field: 'tokens', type: 'quantitative', title: 'tokens/s per replica' },
              color: { field: 'series', type: 'nominal', title: null, scale: { domain: series, range: [CLASS_COLORS.gemm, '#999999'] }, legend: { orient: 'top' } },
              strokeDash: { field: 'series', type: 'nominal', title: null, scale: { domain: series, range: [[1, 0], [4, 3]] }, legend: { orient: 'top' } },
            },
          },
          {
            width: 420,
            height: 44,
            data: { values: labels },
            encoding: { x: { field: 'tp', type: 'quantitative', title: 'TP (GPUs per replica)', scale, axis: { values: tps, format: 'd', orient: 'top', labels: false, ticks: false, domain: false } } },
            layer: (['first', 'middle', 'last'] as const).map((pos) => ({
              transform: [{ filter: `datum.pos === '${pos}'` }],
              mark: { type: 'text' as const, align: pos === 'first' ? 'left' as const : pos === 'last' ? 'right' as const : 'center' as const, baseline: 'top' as const, y: 4, fontSize: 10, lineBreak: '\n' },
              encoding: { text: { field: 'label', type: 'nominal' as const } },
            })),
          },
        ],
      },
      {
        width: 200,
        height: 260,
        data: { values: perGpu },
        layer: [
          {
            mark: { type: 'bar', color: CLASS_COLORS.norm },
            encoding: {
              x: { field: 'tp', type: 'ordinal', title: 'TP', sort: tps.map(String), axis: { labelAngle: 0 } },
              y: { field: 'tokens', type: 'quantitative', title: 'tokens/s per GPU' },
            },
          },
          {
            mark: { type: 'text', baseline: 'bottom', dy: -3, fontSize: 10 },
            encoding: { x: { field: 'tp', type: 'ordinal', sort: tps.map(String) }, y: { field: 'tokens', type: 'quantitative' }, text: { field: 'label' } },
          },
        ],
      },
    ],
  };
}
