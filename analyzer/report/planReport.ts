/**
 * Rendering of `nsys-tp plan`: one column per TP degree, then the plan findings.
 */
import type { PlanResult } from '../results/plan.js';
import { ellipsize, fmtBytes, table, termSafe } from './format.js';
import { findingsSection, wrap } from './terminal.js';

export function renderPlanTerminal(r: PlanResult): string {
  const m = r.model;
  const out: string[] = [];
  out.push(`nsys-tp plan · ${ellipsize(termSafe(m.name), 80)}: ${m.layers} layers, hidden ${m.hidden}, ${m.heads} heads / ${m.kvHeads} KV heads, FFN ${m.intermediate}, ${m.dtype}`);
  out.push(`${r.gpu} (${r.memoryUtilization * 100}% of memory usable) · decode batch ${r.batch}${r.context ? ` · context ${r.context}` : ''}`);
  out.push('');
  const P = r.plans;
  const rows: string[][] = [
    ['', ...P.map((p) => `TP=${p.tp}`)],
    ['weights per GPU', ...P.map((p) => fmtBytes(p.weightBytesPerGpu))],
    ['heads / KV heads per rank', ...P.map((p) => `${fmtN(p.heads)} / ${fmtN(p.kvHeads)}`)],
    ['KV replication', ...P.map((p) => (p.kvReplication > 1 ? `${p.kvReplication}x` : 'none'))],
    ['FP8 blocks (128) align', ...P.map((p) => (p.fp8Misaligned.length ? 'NO' : 'yes'))],
    ['all-reduces per step', ...P.map((p) => String(p.allReducesPerStep))],
    ['all-reduce size (decode)', ...P.map((p) => (p.tp > 1 ? fmtBytes(p.allReduceBytes) : '-'))],
    ['all-reduce time per token', ...P.map((p) => (p.tp > 1 ? `${(p.allReduceUsPerStep / 1000).toFixed(2)} ms` : '0'))],
    ['KV cache per token per GPU', ...P.map((p) => fmtBytes(p.kvBytesPerToken))],
    ['KV room per GPU', ...P.map((p) => (p.kvRoomBytes > 0 ? fmtBytes(p.kvRoomBytes) : 'weights do not fit'))],
    ['KV room (tokens)', ...P.map((p) => (p.kvRoomTokens > 0 ? p.kvRoomTokens.toLocaleString('en-US') : '0'))],
  ];
  if (r.context) rows.push([`fits batch ${r.batch} × ${r.context}`, ...P.map((p) => (p.fits ? 'yes' : 'NO'))]);
  out.push(...table(rows, { gap: 2 }).map((l) => '  ' + l));
  out.push(
    ...wrap(
      '  all-reduce time per token: 2 per layer × (latency + bytes / busBW), latency fitted to H100 NVLink traces (NCCL 2.28), bf16 activations; ' +
        'the time is per decode step whatever the batch.',
      100,
      '  ',
    ),
  );
  out.push('', ...findingsSection(r.findings));
  return out.join('\n') + '\n';
}

function fmtN(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}
