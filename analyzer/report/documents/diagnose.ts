/**
 * The diagnose report as a document: per phase the step time and, per GPU, where the steady steps' time
 * goes (means per step, one statistic per table, named); the collectives; the roofline; the findings and
 * the rules that did not run; and, folded, the layers and the charts. Every number is spelled here once.
 */
import type { DeviceResult, PhaseResult, SizeClassResult } from '../../contract/diagnosis.js';
import type { DiagnoseResult } from '../../contract/results.js';
import { KERNEL_CLASSES } from '../../contract/index.js';
import { fmtBytes, fmtMs, fmtNs, fmtPct } from '../../text/units.js';
import { tiedTop } from '../../util/tiedTop.js';
import { heading, para, row, type Block, type Doc, type FindingItem, type Row, type Table } from '../document.js';
import { layerBlocks, layerMethodParas } from './layers.js';
import { kernelBlocks, topKernelTable } from './kernels.js';
import { stepBlocks, stepView } from './steps.js';
import { count, locationText, notRunPara, supersededPara, pctCell, phaseTitle, PHASE_ORDER, secondsOnClock, stepsPara, type ReportPhase } from './common.js';

const CLASSES = KERNEL_CLASSES;

function header(r: DiagnoseResult): Doc['meta'] {
  const names = new Map<string, number>();
  for (const g of r.trace.gpus) names.set(g.name, (names.get(g.name) ?? 0) + 1);
  const meta = [
    para(`Nsight Systems ${r.trace.nsysVersion ?? '?'} (export schema ${r.trace.exportSchema ?? '?'}) · ${[...names].map(([n, c]) => `${c} × ${n}`).join(', ')}`),
    stepsPara(r.stepDetection),
  ];
  if (r.trace.runtime.evidence) meta.push(para(`Runtime: ${r.trace.runtime.name} (${r.trace.runtime.evidence})`));
  const gaps = r.capture?.gaps ?? [];
  // Said in one line: what the capture lacks, and where the cost and the recapture command are.
  if (gaps.length) meta.push(para(`Capture gaps: ${gaps.map((g) => g.short).join('; ')}; \`nsys-tp doctor\` says what each costs and how to recapture`, 'warning'));
  for (const w of r.warnings) meta.push(para(w, 'warning'));
  return meta;
}

/** Per GPU: how many steps, and the steady steps' span distribution. */
function stepTable(devs: DeviceResult[], phase: ReportPhase): Table {
  const st = (d: DeviceResult) => d.steps[phase]!;
  return {
    kind: 'table',
    title: 'Steps per GPU: median and p10…p90 of the steady steps\' spans',
    head: ['', ...devs.map((d) => d.label)],
    rows: [
      row(['steps (steady)', ...devs.map((d) => `${st(d).count} (${st(d).steadyCount})`)]),
      row(['median (ms)', ...devs.map((d) => fmtMs(st(d).medianNs))]),
      row(['p10 … p90 (ms)', ...devs.map((d) => `${fmtMs(st(d).p10Ns, 1)}…${fmtMs(st(d).p90Ns, 1)}`)]),
    ],
  };
}

const TIME_NOTE =
  'transfer: each collective\'s shortest kernel (the data moving); waiting: the rest of the communication time, ranks waiting for each ' +
  'other; exposed comm: communication not hidden behind compute; comm overlapped: share of communication time overlapping compute. ' +
  'Classes on concurrent streams can overlap, so parts may add up to more than the step.';

/** Per GPU: the mean steady step and where its time goes, each part as ms and as a share of the step. */
function timeTable(devs: DeviceResult[], phase: ReportPhase, explain: boolean): Table {
  const P = (d: DeviceResult): PhaseResult | null | undefined => d[phase];
  const cell = (d: DeviceResult, ns: (p: PhaseResult) => number) => {
    const p = P(d);
    if (!p || d.steps[phase]!.steadyCount === 0) return '-';
    const v = ns(p);
    return `${fmtMs(v)} ${pctCell(p.perStepNs.span > 0 ? v / p.perStepNs.span : 0)}`;
  };
  const rows: Row[] = [row(['step', ...devs.map((d) => (P(d) ? `${fmtMs(P(d)!.perStepNs.span)}` : '-'))], 'frame')];
  for (const c of CLASSES) {
    rows.push(row([c, ...devs.map((d) => cell(d, (p) => p.perStepNs[c]))]));
    if (c === 'communication' && devs.some((d) => (P(d)?.commNs ?? 0) > 0)) {
      rows.push(row(['transfer', ...devs.map((d) => cell(d, (p) => p.perStepNs.commTransfer))], 'sub'));
      rows.push(row(['waiting', ...devs.map((d) => cell(d, (p) => p.perStepNs.commWait))], 'sub'));
    }
    if (c === 'moe' && devs.some((d) => (P(d)?.perStepNs.moe ?? 0) > 0)) {
      rows.push(row(['experts', ...devs.map((d) => cell(d, (p) => p.perStepNs.moeExperts ?? 0))], 'sub'));
      rows.push(row(['routing', ...devs.map((d) => cell(d, (p) => p.perStepNs.moeRouting ?? 0))], 'sub'));
      rows.push(row(['dispatch/combine', ...devs.map((d) => cell(d, (p) => p.perStepNs.moeDispatch ?? 0))], 'sub'));
    }
  }
  rows.push(row(['idle', ...devs.map((d) => cell(d, (p) => p.perStepNs.idle))]));
  rows.push(row(['exposed comm', ...devs.map((d) => cell(d, (p) => p.perStepNs.exposedComm))]));
  rows.push(row(['comm overlapped', ...devs.map((d) => (P(d)?.commNs ? fmtPct(P(d)!.overlap) : '-'))]));
  if (devs.some((d) => P(d)?.layers)) rows.push(row(['layers per step', ...devs.map((d) => String(P(d)?.layers ?? '-'))]));
  return {
    kind: 'table',
    title: 'Where the time goes: ms per steady step (mean) and % of the step',
    head: ['', ...devs.map((d) => d.label)],
    rows,
    ...(explain ? { note: TIME_NOTE } : {}),
  };
}

function outlierPara(devs: DeviceResult[], phase: ReportPhase): Block[] {
  const all = devs.flatMap((d) => (d[phase]?.outliers ?? []).map((o) => ({ d, o })));
  const slow = all.filter(({ o }) => o.reason === 'outlier').map(({ d, o }) =>
    `${d.label} "${o.name}" ${fmtNs(o.spanNs)} at ${secondsOnClock(o.startNs)} (${o.ratio < 0.1 ? o.ratio.toFixed(2) : o.ratio.toFixed(1)}× typical)`);
  const earlier = devs.map((d) => [d.label, (d[phase]?.outliers ?? []).filter((o) => o.reason === 'earlier-pass').length] as const).filter(([, n]) => n > 0);
  const out: Block[] = [];
  if (earlier.length) {
    const ns = [...new Set(earlier.map(([, n]) => n))];
    const where = ns.length === 1 ? `${count(ns[0]!, 'step')} per GPU` : earlier.map(([l, n]) => `${l} ${n}`).join(', ');
    out.push(para(`Steps of earlier passes (warm-up), not in the numbers above: ${where}.`));
  }
  if (slow.length) {
    const shown = slow.slice(0, 6).join('; ') + (slow.length > 6 ? `; and ${slow.length - 6} more` : '');
    out.push(para(`Outlier steps, not in the numbers above: ${shown}.`));
  }
  return out;
}

/** Idle between steps below this share of the loop's time is not written out (it stays in the JSON). */
const BETWEEN_SHOWN = 0.01;

/** The GPU between steps: the loop's period against the step's span, and what the host did in the gaps. */
function betweenPara(devs: DeviceResult[], phase: ReportPhase): Block[] {
  const withGaps = devs.map((d) => [d, d[phase]?.between ?? null] as const).filter((x): x is [DeviceResult, NonNullable<PhaseResult['between']>] => x[1] !== null);
  if (withGaps.length === 0) return [];
  const [, b] = withGaps.reduce((m, x) => (x[1].idleShare > m[1].idleShare ? x : m));
  // Back-to-back steps (a CUDA-graph decode loop) need no sentence: only idle worth a look is said.
  if (b.idleShare < BETWEEN_SHOWN) return [];
  const shares = withGaps.length === 1 ? fmtPct(b.idleShare) : withGaps.map(([d, x]) => `${d.label} ${fmtPct(x.idleShare)}`).join(', ');
  const gapTotal = b.totalNs > 0 ? b.pairs : 0;
  const calls = b.hostCalls.slice(0, 3).map((c) => `${c.name} ${fmtNs(c.ns / Math.max(1, gapTotal))}`).join(', ');
  const cpu = b.uncoveredNs / Math.max(1, gapTotal);
  const host = calls
    ? `; per gap on the launching thread: ${calls}${cpu > 0 ? `, ${fmtNs(cpu)} with no CUDA or OS call in flight (Python, scheduling)` : ''}`
    : cpu > 0 ? `; no CUDA or OS call in flight in the gaps: CPU-side work (Python, scheduling, IPC)` : '';
  return [para(`Between steps: a step every ${fmtNs(b.periodNs)} (median), ${fmtNs(b.spanNs)} of it the step's span; the GPU idles ${fmtNs(b.idleNs / Math.max(1, b.pairs))} between steps, ${shares} of the loop's time${host}.`)];
}

/** Runs of steps at another speed: each named, with where its extra time goes and the host calls behind it. */
function regimePara(r: DiagnoseResult, phase: ReportPhase): Block[] {
  const gs = (r.regimes ?? []).filter((g) => g.phase === phase);
  return gs.slice(0, 4).map((g) => {
    const parts = (Object.keys(g.perStepNs) as (keyof typeof g.perStepNs)[])
      .map((k) => [k, g.perStepNs[k] - g.steadyPerStepNs[k]] as const).filter(([, d]) => d > 0.1 * (g.meanNs - g.typicalNs)).sort((x, y) => y[1] - x[1])
      .map(([k, d]) => `${k} +${fmtNs(d)}`).join(', ');
    const calls = g.hostCalls.slice(0, 3).map((c) => `${c.name} ${fmtNs(c.ns / g.count)}`).join(', ');
    const host = calls ? `; in its idle gaps the host is in ${calls} per step` : g.uncoveredNs > 0 ? '; no CUDA or OS call in flight in its idle gaps: CPU-side work' : '';
    const jit = g.hostCalls.some((c) => /^cu(Library|Module)Load/.test(c.name)) ? ' (kernel libraries loaded inside the steps: plans or kernels built at run time, as for every new shape of a first request)' : '';
    return para(`A slower regime, not in the numbers above: ${g.label} ${count(g.count, `${phase} step`)} in a row ("${g.firstStep}" to "${g.lastStep}", ${secondsOnClock(g.startNs)} to ${secondsOnClock(g.endNs)}) at ${fmtNs(g.medianNs)} per step (median; mean ${fmtNs(g.meanNs)}), ${(g.medianNs / g.typicalNs).toFixed(1)}× the steady ${fmtNs(g.typicalNs)}${parts ? `; against a steady step, per step on average: ${parts}` : ''}${host}${jit}.`);
  });
}

/** What FP8 quantisation costs beside the FP8 GEMMs it feeds (its kernels are in the elementwise, memory and other rows). */
function fp8Para(devs: DeviceResult[], phase: ReportPhase): Block[] {
  const withFp8 = devs.filter((d) => d[phase]?.fp8 && d.steps[phase]!.steadyCount > 0);
  if (withFp8.length === 0) return [];
  const d = withFp8[0]!;
  const p = d[phase]!;
  const n = d.steps[phase]!.steadyCount;
  const { gemmNs, quantNs } = p.fp8!;
  const who = withFp8.length === 1 ? d.label : `${d.label} (the other GPUs alike)`;
  return [para(`FP8: on ${who} the FP8 GEMMs take ${fmtNs(gemmNs / n)} per step; quantising their inputs (abs-max, scale, cast to float8) ${fmtNs(quantNs / n)}, ${fmtPct(gemmNs > 0 ? quantNs / gemmNs : 0, 0)} of the GEMMs' time and ${fmtPct(p.spanNs > 0 ? quantNs / p.spanNs : 0)} of the step (in the elementwise, memory and other rows above).`)];
}

function phaseBlocks(r: DiagnoseResult, phase: ReportPhase, first: boolean): Block[] {
  const devs = r.devices.filter((d) => (d.steps[phase]?.count ?? 0) > 0);
  if (devs.length === 0) return [];
  const counts = [...new Set(devs.map((d) => d.steps[phase]!.count))];
  const steady = [...new Set(devs.map((d) => d.steps[phase]!.steadyCount))];
  const n = (xs: number[]) => (xs.length === 1 ? String(xs[0]) : xs.join('/'));
  const step = r.summary.phases.find((p) => p.phase === phase)?.stepTime;
  const time = step
    ? `step time ${fmtNs(step.medianNs)} (median of ${count(step.count, 'steady step')}, first GPU start to last GPU end; p10…p90 ${fmtMs(step.p10Ns)}…${fmtMs(step.p90Ns)} ms)`
    : 'no steady steps';
  return [
    heading(2, phaseTitle(phase), `${n(counts)} step${counts.length === 1 && counts[0] === 1 ? '' : 's'} per GPU, ${n(steady)} steady · ${time}`),
    stepTable(devs, phase),
    timeTable(devs, phase, first),
    ...fp8Para(devs, phase),
    ...betweenPara(devs, phase),
    ...regimePara(r, phase),
    ...outlierPara(devs, phase),
    ...topKernelBlocks(r, phase),
  ];
}

/** The phase's few largest kernels: what the class times are made of (all of them: `nsys-tp kernels`). */
function topKernelBlocks(r: DiagnoseResult, phase: ReportPhase): Block[] {
  const p = (r.kernels ?? []).find((x) => x.phase === phase);
  return p && p.top.length ? [topKernelTable(p, TOP_KERNELS_SHOWN)] : [];
}

const TOP_KERNELS_SHOWN = 5;
/** Steps per phase in the report's folded table: a pull-request comment stays readable; `nsys-tp steps` has them all. */
const STEPS_SHOWN = 200;

/** Folded: every step, and every kernel table; the terminal leaves them to `nsys-tp steps` and `nsys-tp kernels`. */
function stepAndKernelSections(r: DiagnoseResult): Block[] {
  const out: Block[] = [];
  const rows = r.stepRows ?? [];
  if (rows.length) out.push({ kind: 'section', title: 'Steps', detail: true, open: true, blocks: stepBlocks(rows, stepView({ device: null, gpus: r.devices.length }), 3, STEPS_SHOWN) });
  const k = r.kernels ?? [];
  if (k.length) out.push({ kind: 'section', title: 'Kernels', detail: true, open: false, blocks: PHASE_ORDER.flatMap((ph) => k.filter((p) => p.phase === ph).flatMap((p) => kernelBlocks(p, 3))) });
  return out;
}

/** Each phase with steps, the first one with the notes that explain its rows. */
function phaseSections(r: DiagnoseResult): Block[] {
  const phases = PHASE_ORDER.filter((p) => r.devices.some((d) => (d.steps[p]?.count ?? 0) > 0));
  return phases.flatMap((p, i) => phaseBlocks(r, p, i === 0));
}

function busCell(k: SizeClassResult): string {
  return k.busGBps === null ? '-' : k.busGBps < 10 ? k.busGBps.toFixed(1) : k.busGBps.toFixed(0);
}

function collectiveBlocks(r: DiagnoseResult): Block[] {
  const c = r.collectives;
  if (c.count === 0) return [];
  const ranks = Math.max(...c.sizeClasses.map((k) => k.ranks));
  const label = (id: string) => r.devices.find((d) => String(d.deviceId) === id)?.label ?? `GPU ${id}`;
  const rows = c.sizeClasses.map((k) => {
    // Ranks tied at the most last arrivals are all named: a tie is not settled by device order.
    const top = tiedTop(Object.entries(k.lastArriver));
    const lastCell = top ? `${top.keys.map(label).join(' = ')} ${fmtPct(top.count / k.count, 0)}${top.keys.length > 1 ? ' each' : ''}` : '-';
    return row([
      k.phase, k.op, k.bytes === null ? '?' : fmtBytes(k.bytes), String(k.count), fmtNs(k.transferMedianNs, 1), busCell(k),
      k.latencyBound ? 'latency' : k.expectedBusGBps === null ? '-' : k.expectedBusGBps.toFixed(0),
      fmtPct(k.kernelNs ? k.waitNs / k.kernelNs : 0, 0), fmtNs(k.skewMedianNs, 0), lastCell,
    ]);
  });
  // Warm-up collectives (communicator set-up, graph capture) are mostly waiting: the steady steps' share
  // is said beside the whole, or the headline would contradict the table.
  const steady = c.sizeClasses.filter((k) => k.phase !== 'outside');
  const steadyKernel = steady.reduce((a, k) => a + k.kernelNs, 0);
  const steadyWait = steady.reduce((a, k) => a + k.waitNs, 0);
  const inSteady = steady.length < c.sizeClasses.length && steadyKernel > 0
    ? ` (in steady steps ${fmtNs(steadyKernel)}, ${fmtPct(steadyWait / steadyKernel, 0)} waiting)` : '';
  const blocks: Block[] = [
    heading(2, 'Collectives', `${c.count} instances on ${ranks} ranks · kernel time ${fmtNs(c.kernelNs)} summed over ranks, ${fmtPct((c.waitNs ?? 0) / (c.kernelNs || 1), 0)} of it waiting for the last rank${inSteady}`),
    {
      kind: 'table', head: ['phase', 'op', 'size', 'count', 'transfer', 'busBW', 'expected', 'waiting', 'skew', 'last in'], rows, labelColumns: 2,
      note:
        "transfer: median of the fastest rank's kernel per collective (the last to arrive barely waits); waiting: the rest of every rank's " +
        "kernel time; skew: median spread of the ranks' start times; busBW (GB/s): nccl-tests convention, on transfer time; outside: " +
        'collectives outside steady steps (warm-up with communicator setup, graph capture, outlier steps).',
    },
  ];
  if (c.sizeClasses.some((k) => k.bytes === null && k.phase !== 'outside')) {
    blocks.push(para('size ?: pass --model and --batch (and --prompt for prefill), or export with --include-blobs=true.'));
  }
  return blocks;
}

function rooflineBlocks(r: DiagnoseResult): Block[] {
  if (!r.roofline || r.roofline.length === 0) return [];
  const rows = [...r.roofline].sort((a, b) => a.phase.localeCompare(b.phase) * -1 || a.deviceId - b.deviceId).map((x) => {
    const label = r.devices.find((d) => d.deviceId === x.deviceId)?.label ?? `GPU ${x.deviceId}`;
    const compute = x.bound === 'compute';
    const fmt = (v: number) => (compute ? `${v.toFixed(0)} TFLOP/s` : `${(v / 1000).toFixed(2)} TB/s`);
    const a = compute ? x.tflopsOverCompute : x.hbmGBpsOverCompute;
    const s = compute ? x.tflopsOverSpan : x.hbmGBpsOverSpan;
    const peak = compute ? x.peakTflops : x.peakHbmGBps;
    return row([
      x.phase, label, compute ? `${(x.flopsPerStep / 1e12).toFixed(2)} TFLOP` : fmtBytes(x.bytesPerStep), fmtNs(x.computeNs, 1),
      fmt(a), fmtPct(a / peak, 0), fmt(s), fmtPct(s / peak, 0),
    ]);
  });
  const tp = r.roofline[0]!;
  return [
    heading(2, 'Roofline', `TP=${tp.tp}, ${tp.layers} layers; prefill judged on FLOPs, decode on HBM bytes (weights + KV cache, transformer layers only)`),
    {
      kind: 'table', head: ['phase', 'GPU', 'per step', 'kernels', 'achieved', 'of peak', 'over span', 'of peak'], rows, labelColumns: 2,
      note: 'kernels: GEMM + attention kernel time per steady step (mean); over span: the same work over the whole mean step.',
    },
  ];
}

export function findingItems(r: Pick<DiagnoseResult, 'findings'>): FindingItem[] {
  return r.findings.map((f) => {
    const at = (f.locations ?? []).map(locationText);
    return { severity: f.severity, rule: f.rule, message: f.message, recommendation: f.recommendation, ...(at.length ? { locations: at } : {}) };
  });
}

/** Folded: the terminal leaves layers to `nsys-tp layers`; documents show them under a summary line. */
function layerSection(r: DiagnoseResult): Block[] {
  if (r.layers.phases.length === 0) return [];
  return [{
    kind: 'section', title: 'Layers', detail: true, open: true,
    blocks: [
      ...layerMethodParas(r.layers),
      ...PHASE_ORDER.flatMap((phase) => {
        const ps = r.layers.phases.filter((p) => p.phase === phase);
        if (ps.length === 0) return [];
        return [heading(3, phaseTitle(phase)), { kind: 'chart' as const, name: `layers-${phase}` }, ...layerBlocks(ps)];
      }),
    ],
  }];
}

export function diagnoseDoc(r: DiagnoseResult): Doc {
  return {
    title: `nsys-tp ${r.tool.version} diagnose · ${r.trace.paths.join(", ")}`,
    meta: header(r),
    blocks: [
      ...phaseSections(r),
      { kind: 'chart', name: 'classes' },
      { kind: 'chart', name: 'timeline' },
      ...collectiveBlocks(r),
      ...rooflineBlocks(r),
      { kind: 'findings', title: 'Findings', items: findingItems(r), none: 'none' },
      ...supersededPara(r.superseded),
      ...notRunPara(r.notRun),
      ...stepAndKernelSections(r),
      ...layerSection(r),
    ],
  };
}
