/**
 * The per-step table as a document: per phase, one row per step (outliers marked): where it starts on the
 * capture's clock, the replica's step (first GPU start to last GPU end), the GPU's own span and where its
 * time goes (ms; a mean over the GPUs, or one GPU's with --device), and the rank that arrived last most.
 */
import type { StepRowResult } from '../../contract/views.js';
import type { StepsResult } from '../../contract/results.js';
import { KERNEL_CLASSES } from '../../contract/index.js';
import { fmtMs } from '../../text/units.js';
import { heading, para, row, type Block, type Doc, type Table } from '../document.js';
import { PHASE_ORDER, phaseTitle, secondsOnClock } from './common.js';

/** Communication is shown as its transfer and waiting columns, not as a class. */
const CLASSES = KERNEL_CLASSES.filter((c) => c !== 'communication');
/** Classes under this share of the phase's GPU time get no column (the note says so). */
const MIN_COLUMN_SHARE = 0.01;

export function stepTable(rows: readonly StepRowResult[], view: string): Table {
  const span = rows.reduce((x, r) => x + r.times.span, 0);
  const shown = CLASSES.filter((c) => span > 0 && rows.reduce((x, r) => x + r.times[c], 0) >= MIN_COLUMN_SHARE * span);
  const hidden = CLASSES.filter((c) => !shown.includes(c) && rows.some((r) => r.times[c] > 0));
  const comm = rows.some((r) => r.times.communication > 0);
  const late = rows.some((r) => r.lateRank);
  const passes = new Set(rows.map((r) => r.pass ?? 0)).size > 1;
  const mark = (r: StepRowResult) => (r.excluded === 'outlier' || (r.excluded === undefined && !r.steady) ? `${r.name} *` : r.excluded === 'earlier-pass' ? `${r.name} °` : r.excluded === 'regime' ? `${r.name} ~` : r.name);
  return {
    kind: 'table',
    title: `Every step: ms, ${view}`,
    head: ['step', ...(passes ? ['pass'] : []), 'start (s)', 'step (ms)', 'GPU span', ...shown, ...(comm ? ['comm transfer', 'comm waiting'] : []), 'idle', ...(late ? ['last in'] : [])],
    rows: rows.map((r) => row([
      mark(r), ...(passes ? [String((r.pass ?? 0) + 1)] : []), secondsOnClock(r.startNs).replace(/ s$/, ''), fmtMs(r.spanNs), fmtMs(r.times.span),
      ...shown.map((c) => fmtMs(r.times[c])), ...(comm ? [fmtMs(r.times.commTransfer), fmtMs(r.times.commWait)] : []), fmtMs(r.times.idle),
      ...(late ? [r.lateRank ? `${[r.lateRank.label, ...(r.lateRank.tiedWith ?? []).map((t) => t.label)].join(' = ')} ${r.lateRank.count}/${r.lateRank.of}${r.lateRank.tiedWith?.length ? ' each' : ''}` : '-'] : []),
    ])),
    labelColumns: 1,
    note:
      'step: the replica\'s step, first GPU start to last GPU end; GPU span: the GPU\'s own first op to last op, the whole the other ' +
      'columns are parts of (classes on concurrent streams can overlap); comm transfer + comm waiting = communication; last in: the rank ' +
      'that arrived last at most of the step\'s collectives (of how many)' +
      (rows.some((r) => mark(r).endsWith(' *')) ? '; * an outlier step, not in the phase\'s numbers' : '') +
      (rows.some((r) => r.excluded === 'earlier-pass') ? '; ° a step of an earlier pass (a warm-up run), not in the numbers' : '') +
      (rows.some((r) => r.excluded === 'regime') ? '; ~ a step of a slower regime (a run of steps at another speed), reported on its own' : '') +
      (hidden.length ? `; under 1% of the GPU span, not shown: ${hidden.join(', ')}` : '') + '.',
  };
}

/** Per phase, its steps' table; `limit`: at most that many rows per phase (a serving capture has thousands of steps). */
export function stepBlocks(rows: readonly StepRowResult[], view: string, level: 2 | 3 = 2, limit = Infinity): Block[] {
  return PHASE_ORDER.flatMap((phase) => {
    const mine = rows.filter((r) => r.phase === phase);
    if (mine.length === 0) return [];
    const steady = mine.filter((r) => r.steady).map((r) => r.spanNs);
    const range = steady.length ? ` · steady steps ${fmtMs(Math.min(...steady))}…${fmtMs(Math.max(...steady))} ms` : '';
    const shown = mine.slice(0, limit);
    return [
      heading(level, phaseTitle(phase), `${mine.length} step${mine.length === 1 ? '' : 's'}, ${steady.length} steady${range}`), stepTable(shown, view),
      ...(shown.length < mine.length ? [para(`The first ${shown.length} of ${mine.length} steps; every step: \`nsys-tp steps\`.`, 'muted')] : []),
    ];
  });
}

export function stepView(r: Pick<StepsResult, 'device' | 'gpus'>): string {
  return r.device ? `on ${r.device.label}` : r.gpus > 1 ? `mean over the ${r.gpus} GPUs (one GPU: --device N)` : 'on the GPU';
}

export function stepsDoc(r: StepsResult): Doc {
  return {
    title: `nsys-tp ${r.tool.version} steps · ${r.trace.paths.join(', ')}`,
    meta: [para(`Steps: ${r.stepDetection.description}`), ...r.warnings.map((w) => para(w, 'warning'))],
    blocks: r.rows.length ? stepBlocks(r.rows, stepView(r)) : [para('No steps found.')],
  };
}
