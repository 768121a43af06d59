/**
 * Terminal rendering of a DiagnoseResult: fits 100 columns, one table per phase with the devices side by
 * side, units on every number. Strings from the trace are stripped of control characters.
 */
import { fmtBytes, fmtMs, fmtNs, fmtPct, table, termSafe } from './format.js';
import { CLASS_ROWS, type DeviceResult, type DiagnoseResult, type PhaseResult } from './result.js';
import type { Finding } from '../../rules/types.js';

const WIDTH = 100;
const LABEL_WIDTH = 22;
const CELL_WIDTH = 13;
const PHASE_TITLES = { prefill: 'PREFILL', mixed: 'MIXED (prefill and decode in one step)', decode: 'DECODE', step: 'STEPS (phase not named in the trace)' } as const;

function pctCell(x: number): string {
  const p = x * 100;
  return p >= 9.95 ? `${p.toFixed(0)}%` : `${p.toFixed(1)}%`;
}

function chunks<T>(xs: T[], n: number): T[][] {
  const count = Math.ceil(xs.length / n);
  const size = Math.ceil(xs.length / Math.max(1, count));
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

function phaseTable(devs: DeviceResult[], phase: 'prefill' | 'mixed' | 'decode' | 'step'): string[] {
  const P = (d: DeviceResult): PhaseResult | null | undefined => d[phase];
  const st = (d: DeviceResult) => d.steps[phase];
  const rows: string[][] = [['', ...devs.map((d) => termSafe(d.label))]];
  rows.push(['steps (steady)', ...devs.map((d) => `${st(d)?.count ?? 0} (${st(d)?.steadyCount ?? 0})`)]);
  rows.push(['median steady step', ...devs.map((d) => `${fmtMs(st(d)?.medianNs)} ms`)]);
  rows.push(['p10 … p90 (ms)', ...devs.map((d) => `${fmtMs(st(d)?.p10Ns, 1)}…${fmtMs(st(d)?.p90Ns, 1)}`)]);
  rows.push(['ms per step, % of span', ...devs.map(() => '')]);
  for (const c of CLASS_ROWS) {
    rows.push([
      `  ${c === 'communication' ? 'communication' : c}`,
      ...devs.map((d) => {
        const p = P(d);
        const n = st(d)?.steadyCount ?? 0;
        if (!p || n === 0) return '-';
        return `${fmtMs(p.timeNs[c] / n)} ${pctCell(p.spanNs > 0 ? p.timeNs[c] / p.spanNs : 0)}`;
      }),
    ]);
  }
  rows.push(['median over steps', ...devs.map(() => '')]);
  rows.push(['  comm share', ...devs.map((d) => fmtPct(P(d)?.commShare))]);
  rows.push(['  comm overlapped', ...devs.map((d) => (P(d)?.commNs ? fmtPct(P(d)?.overlap) : '-'))]);
  rows.push(['  exposed comm', ...devs.map((d) => fmtPct(P(d)?.exposedCommShare))]);
  rows.push(['  idle', ...devs.map((d) => fmtPct(P(d)?.idleShare))]);
  if (devs.some((d) => P(d)?.layers)) rows.push(['  layers per step', ...devs.map((d) => String(P(d)?.layers ?? '-'))]);
  return table(rows, { gap: 1 }).map((l) => '  ' + l);
}

function rooflineSection(r: DiagnoseResult): string[] {
  const rows: string[][] = [['phase', 'GPU', 'per step', 'kernels', 'achieved', 'of peak', 'over span', 'of peak']];
  for (const x of [...r.roofline!].sort((a, b) => a.phase.localeCompare(b.phase) * -1 || a.deviceId - b.deviceId)) {
    const label = r.devices.find((d) => d.deviceId === x.deviceId)?.label ?? `GPU ${x.deviceId}`;
    const compute = x.bound === 'compute';
    const fmt = (v: number) => (compute ? `${v.toFixed(0)} TFLOP/s` : `${(v / 1000).toFixed(2)} TB/s`);
    const a = compute ? x.tflopsOverCompute : x.hbmGBpsOverCompute;
    const s = compute ? x.tflopsOverSpan : x.hbmGBpsOverSpan;
    const peak = compute ? x.peakTflops : x.peakHbmGBps;
    rows.push([
      x.phase, termSafe(label), compute ? `${(x.flopsPerStep / 1e12).toFixed(2)} TFLOP` : fmtBytes(x.bytesPerStep), fmtNs(x.computeNs, 1),
      fmt(a), fmtPct(a / peak, 0), fmt(s), fmtPct(s / peak, 0),
    ]);
  }
  const tp = r.roofline![0]!;
  return [
    ...wrap(`ROOFLINE · TP=${tp.tp}, ${tp.layers} layers; prefill judged on FLOPs, decode on HBM bytes (weights + KV cache, transformer layers only)`, WIDTH, '  '),
    ...table(rows, { gap: 2, leftCols: 2 }).map((l) => '  ' + l),
    ...wrap('  kernels: median GEMM + attention kernel time per steady step; over span: the same work over the whole step.', WIDTH, '  '),
  ];
}

function collectivesSection(r: DiagnoseResult): string[] {
  const c = r.collectives;
  const ranks = Math.max(...c.sizeClasses.map((k) => k.ranks));
  const out = wrap(
    `COLLECTIVES · ${c.count} instances on ${ranks} ranks · kernel time ${fmtNs(c.kernelNs)} summed over ranks, ` +
      `${fmtPct((c.waitNs ?? 0) / (c.kernelNs || 1), 0)} of it waiting for the last rank`,
    WIDTH,
    '  ',
  );
  const label = (id: string) => r.devices.find((d) => String(d.deviceId) === id)?.label ?? `GPU ${id}`;
  const rows: string[][] = [['phase', 'op', 'size', 'count', 'transfer', 'busBW', 'expected', 'waiting', 'skew', 'last in']];
  for (const k of c.sizeClasses) {
    const last = Object.entries(k.lastArriver).sort((a, b) => b[1] - a[1])[0];
    rows.push([
      k.phase === 'none' ? 'outside' : k.phase, k.op, k.bytes === null ? '?' : fmtBytes(k.bytes), String(k.count), fmtNs(k.transferMedianNs, 1),
      k.busGBps === null ? '-' : k.busGBps < 10 ? k.busGBps.toFixed(1) : k.busGBps.toFixed(0), k.latencyBound ? 'latency' : k.expectedBusGBps === null ? '-' : k.expectedBusGBps.toFixed(0),
      fmtPct(k.kernelNs ? k.waitNs / k.kernelNs : 0, 0), fmtNs(k.skewMedianNs, 0), last ? `${termSafe(label(last[0]))} ${fmtPct(last[1] / k.count, 0)}` : '-',
    ]);
  }
  out.push(...table(rows, { gap: 2, leftCols: 2 }).map((l) => '  ' + l));
  out.push(
    ...wrap(
      "  transfer: median of the fastest rank's kernel per collective (the last to arrive barely waits); waiting: the rest of " +
        "every rank's kernel time; skew: median spread of the ranks' start times; busBW (GB/s): nccl-tests convention, on transfer time; " +
        'outside: collectives outside steady steps (warm-up with communicator setup, graph capture, outlier steps).',
      WIDTH,
      '  ',
    ),
  );
  if (c.sizeClasses.some((k) => k.bytes === null && k.phase !== 'none')) {
    out.push('  size ?: pass --model and --batch (and --prompt for prefill), or export with --include-blobs=true.');
  }
  return out;
}

export function severityTag(severity: string): string {
  return severity === 'error' ? 'ERROR' : severity === 'warning' ? 'WARN' : 'INFO';
}

/** The FINDINGS section every terminal report ends with: each finding, then its recommendation. */
export function findingsSection(findings: Pick<Finding, 'severity' | 'rule' | 'message' | 'recommendation'>[]): string[] {
  if (findings.length === 0) return ['FINDINGS · none'];
  const out = [`FINDINGS · ${findings.length}`];
  for (const f of findings) {
    out.push(
      ...wrap(`  ${severityTag(f.severity)} ${f.rule}: ${termSafe(f.message)}`, WIDTH, '      '),
      ...wrap(`    → ${termSafe(f.recommendation)}`, WIDTH, '        '),
    );
  }
  return out;
}

export function wrap(text: string, width: number, indent = ''): string[] {
  const lead = /^\s*/.exec(text)![0];
  const words = text.trim().split(/\s+/);
  words[0] = lead + words[0];
  const out: string[] = [];
  let line = '';
  // A word longer than a line (a kernel name) is cut into line-sized pieces.
  const pieces = words.flatMap((w) => ([...w].length > width - indent.length ? [...w].join('').match(new RegExp(`.{1,${width - indent.length - 1}}`, 'gu')) ?? [w] : [w]));
  for (const w of pieces) {
    if (line && [...line].length + 1 + [...w].length > width) {
      out.push(line);
      line = indent + w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out;
}

export function renderTerminal(r: DiagnoseResult): string {
  const out: string[] = [];
  const gpuNames = new Map<string, number>();
  for (const g of r.trace.gpus) gpuNames.set(g.name, (gpuNames.get(g.name) ?? 0) + 1);
  out.push(`nsys-tp ${r.tool.version} · ${termSafe(r.trace.paths.join(', '))}`);
  out.push(
    `Nsight Systems ${termSafe(r.trace.nsysVersion ?? '?')} (export schema ${termSafe(r.trace.exportSchema ?? '?')}) · ` +
      [...gpuNames].map(([n, c]) => `${c} × ${termSafe(n)}`).join(', '),
  );
  out.push(...wrap(`Steps: ${termSafe(r.stepDetection.description)}`, WIDTH));
  if (r.trace.runtime.evidence) out.push(...wrap(`Runtime: ${termSafe(r.trace.runtime.name)} (${termSafe(r.trace.runtime.evidence)})`, WIDTH));
  for (const w of r.warnings) out.push(...wrap(`warning: ${termSafe(w)}`, WIDTH, '  '));
  for (const phase of ['prefill', 'mixed', 'decode', 'step'] as const) {
    const devs = r.devices.filter((d) => (d.steps[phase]?.count ?? 0) > 0);
    if (devs.length === 0) continue;
    const counts = [...new Set(devs.map((d) => d.steps[phase]!.count))];
    const steady = [...new Set(devs.map((d) => d.steps[phase]!.steadyCount))];
    const medians = devs.map((d) => d.steps[phase]!.medianNs ?? 0).sort((a, b) => a - b);
    const n = (xs: number[]) => (xs.length === 1 ? String(xs[0]) : xs.join('/'));
    out.push('');
    out.push(
      `${PHASE_TITLES[phase]} · ${n(counts)} step${counts.length === 1 && counts[0] === 1 ? '' : 's'} per GPU, ${n(steady)} steady · ` +
        `median steady step ${fmtNs(medians[Math.floor(medians.length / 2)])}`,
    );
    for (const group of chunks(devs, Math.floor((WIDTH - LABEL_WIDTH) / CELL_WIDTH))) {
      out.push(...phaseTable(group, phase));
    }
    const outliers = devs.flatMap((d) => (d[phase]?.outliers ?? []).map((o) => `${termSafe(d.label)} "${termSafe(o.name)}" ${fmtNs(o.spanNs)} (${o.ratio < 0.1 ? o.ratio.toFixed(2) : o.ratio.toFixed(1)}× typical${o.reason === 'earlier-pass' ? ', earlier pass' : ''})`));
    if (outliers.length) {
      const shown = outliers.slice(0, 6).join('; ') + (outliers.length > 6 ? `; and ${outliers.length - 6} more` : '');
      out.push(...wrap(`  outlier steps, not in the numbers above: ${shown}`, WIDTH, '    '));
    }
  }
  if (r.collectives.count > 0) out.push('', ...collectivesSection(r));
  if (r.roofline && r.roofline.length) out.push('', ...rooflineSection(r));
  out.push('', ...findingsSection(r.findings));
  return out.join('\n') + '\n';
}
