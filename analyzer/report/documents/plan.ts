/** The plan check as a document: one column per TP degree (weights, heads, KV, FP8 alignment, all-reduce cost, KV room), then the findings. */
import type { PlanResult } from '../../contract/results.js';
import { ellipsize, fmtBytes } from '../../text/units.js';
import { para, row, type Doc, type Row } from '../document.js';
import { findingItems } from './diagnose.js';

const fmtN = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));

export function planDoc(r: PlanResult): Doc {
  const m = r.model;
  const P = r.plans;
  const rows: Row[] = [
    row(['weights per GPU', ...P.map((p) => fmtBytes(p.weightBytesPerGpu))]),
    row(['heads / KV heads per rank', ...P.map((p) => `${fmtN(p.heads)} / ${fmtN(p.kvHeads)}`)]),
    row(['KV replication', ...P.map((p) => (p.kvReplication > 1 ? `${p.kvReplication}x` : 'none'))]),
    row(['FP8 blocks (128) align', ...P.map((p) => (p.fp8Misaligned.length ? 'NO' : 'yes'))]),
    row(['all-reduces per step', ...P.map((p) => String(p.allReducesPerStep))]),
    row(['all-reduce size (decode)', ...P.map((p) => (p.tp > 1 ? fmtBytes(p.allReduceBytes) : '-'))]),
    row(['all-reduce time per token', ...P.map((p) => (p.tp > 1 ? `${(p.allReduceUsPerStep / 1000).toFixed(2)} ms` : '0'))]),
    row(['KV cache per token per GPU', ...P.map((p) => fmtBytes(p.kvBytesPerToken))]),
    row(['KV room per GPU', ...P.map((p) => (p.kvRoomBytes > 0 ? fmtBytes(p.kvRoomBytes) : 'weights do not fit'))]),
    row(['KV room (tokens)', ...P.map((p) => (p.kvRoomTokens > 0 ? p.kvRoomTokens.toLocaleString('en-US') : '0'))]),
  ];
  if (r.context) rows.push(row([`fits batch ${r.batch} × ${r.context}`, ...P.map((p) => (p.fits ? 'yes' : 'NO'))]));
  return {
    title: `nsys-tp plan · ${ellipsize(m.name, 80)}: ${m.layers} layers, hidden ${m.hidden}, ${m.heads} heads / ${m.kvHeads} KV heads, FFN ${m.intermediate}, ${m.dtype}`,
    meta: [para(`${r.gpu} (${r.memoryUtilization * 100}% of memory usable) · decode batch ${r.batch}${r.context ? ` · context ${r.context}` : ''}`)],
    blocks: [
      {
        kind: 'table', head: ['', ...P.map((p) => `TP=${p.tp}`)], rows,
        note: 'all-reduce time per token: 2 per layer × (latency + bytes / busBW), latency fitted to H100 NVLink traces (NCCL 2.28), bf16 activations; ' +
          'the time is per decode step whatever the batch.',
      },
      { kind: 'findings', title: 'Findings', items: findingItems(r), none: 'none' },
    ],
  };
}
