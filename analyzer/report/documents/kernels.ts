/**
 * The top kernels as a document: per phase, the kernels with the most time over the steady steps (like
 * `nsys stats --report cuda_gpu_kern_sum`), the top of each class, and the kernels inside a layer.
 */
import type { KernelRowResult, PhaseKernelsResult } from '../../contract/views.js';
import type { KernelsResult } from '../../contract/results.js';
import { ellipsize, fmtNs } from '../../text/units.js';
import { heading, para, row, type Block, type Doc, type Table } from '../document.js';
import { pctCell, PHASE_ORDER, phaseTitle } from './common.js';

const NAME = 44;
/** Calls per step: whole above 10, one decimal above 1, two significant figures below (a kernel in one step of fifty). */
const count = (x: number) => (x >= 10 || Number.isInteger(x) ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toPrecision(2));

function kernelTable(title: string, rows: readonly KernelRowResult[], note?: string, withClass = true): Table {
  return {
    kind: 'table', title, labelColumns: 1,
    head: ['kernel', ...(withClass ? ['class'] : []), 'calls', 'time', 'mean', 'share'],
    rows: rows.map((k) => row([ellipsize(k.name, NAME), ...(withClass ? [k.class] : []), count(k.countPerStep), fmtNs(k.nsPerStep), fmtNs(k.meanNs), pctCell(k.share)])),
    ...(note ? { note } : {}),
  };
}

/** The phase's top kernels overall: what diagnose shows. */
export function topKernelTable(p: PhaseKernelsResult, n: number): Table {
  return kernelTable(
    `Top kernels, ${p.phase}: calls and time per steady step and GPU, mean per call, share of the ${fmtNs(p.kernelNsPerStep)} of kernel time per step (all: nsys-tp kernels)`,
    p.top.slice(0, n),
  );
}

/** `16 steady steps × 4 GPUs`, `1 steady step`: the steps the totals are over, as the user counts them. */
function stepsText(p: PhaseKernelsResult): string {
  const gpus = p.gpus ?? 1;
  const perGpu = p.steps / gpus;
  const steps = (n: number) => `${n} steady step${n === 1 ? '' : 's'}`;
  if (gpus <= 1) return steps(p.steps);
  return Number.isInteger(perGpu) ? `${steps(perGpu)} × ${gpus} GPUs` : `${steps(p.steps)} summed over ${gpus} GPUs`;
}

export function kernelBlocks(p: PhaseKernelsResult, level: 2 | 3 = 2): Block[] {
  const out: Block[] = [
    heading(level, phaseTitle(p.phase), `${p.kernels} kernel, copy and graph names over ${stepsText(p)} · kernel time ${fmtNs(p.kernelNsPerStep)} per step and GPU`),
    kernelTable('Top kernels: calls and time per steady step and GPU, mean per call, share of the phase\'s kernel time', p.top,
      'kernel time sums durations (concurrent kernels each count), so shares add up to 100%; kernels of one name and class (template instances) are one row; ' +
        'copies, fills and CUDA graphs traced at graph level (their kernels unknown) are rows too.'),
  ];
  for (const c of p.byClass) {
    out.push(kernelTable(`${c.class}: ${fmtNs(c.nsPerStep)} per step, ${pctCell(c.share)} of the kernel time`, c.top, undefined, false));
  }
  if (p.layer) {
    const L = p.layer;
    out.push({
      kind: 'table', labelColumns: 1,
      title: `Inside a layer: calls and time per layer (mean over ${L.layers} layer windows), share of the ${fmtNs(L.nsPerLayer)} of kernel time per layer`,
      head: ['kernel', 'class', 'calls', 'time', 'mean', 'share'],
      rows: L.top.map((k) => row([ellipsize(k.name, NAME), k.class, count(k.countPerLayer), fmtNs(k.nsPerLayer), fmtNs(k.meanNs), pctCell(k.share)])),
    });
  }
  return out;
}

export function kernelsDoc(r: KernelsResult): Doc {
  const blocks = PHASE_ORDER.flatMap((ph) => r.phases.filter((p) => p.phase === ph).flatMap((p) => kernelBlocks(p)));
  return {
    title: `nsys-tp ${r.tool.version} kernels · ${r.trace.paths.join(', ')}`,
    meta: [para(`Steps: ${r.stepDetection.description}`), ...r.warnings.map((w) => para(w, 'warning'))],
    blocks: blocks.length ? blocks : [para('No steady steps: no kernels to sum.')],
  };
}
