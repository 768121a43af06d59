/**
 * Which TP to serve at, for a context length: the cheapest per output token (highest decode tokens/s per
 * GPU, which is what $/MTok follows) among the measured TPs whose weights and KV cache for batch ×
 * context fit (the plan check, plan/tpPlan.ts). A faster TP costs more per token; it is worth it when the
 * product is latency (chat), and a larger TP is forced when only it holds the context (long-context batch).
 */
import type { GpuSpec } from '../../hardware/gpuSpecs.js';
import type { ModelShape } from '../../contract/plan.js';
import { planRow } from '../../plan/tpPlan.js';
import type { ScalingRow, TpFit, TpRecommendation } from '../../contract/scaling.js';

const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
const n = (x: number) => Math.round(x).toLocaleString('en-US');

export function recommendTp(rows: ScalingRow[], model: ModelShape, gpu: GpuSpec, batch: number, context: number, memoryUtilization = 0.9): TpRecommendation {
  const fits: TpFit[] = rows.map((r) => {
    const p = planRow(model, r.tp, { tps: [], gpu, batch, context, memoryUtilization, activationBytes: 2 });
    return { tp: r.tp, fits: p.fits === true && p.divisible, weightBytesPerGpu: p.weightBytesPerGpu, kvRoomTokens: p.kvRoomTokens, kvNeededTokens: p.kvNeededTokens ?? 0 };
  });
  const measured = rows.filter((r) => r.decode?.tokensPerSGpu);
  const ok = measured.filter((r) => fits.find((f) => f.tp === r.tp)!.fits);
  const need = `${batch} × ${n(context)} tokens`;
  if (ok.length === 0) {
    const big = fits[fits.length - 1]!;
    return {
      tp: null, context, alternative: null, fits,
      reason: `None of the measured TPs holds the KV cache for ${need} on ${gpu.name}: even TP=${big.tp} has room for ${n(big.kvRoomTokens)} ` +
        `tokens per GPU of the ${n(big.kvNeededTokens)} needed; measure a larger TP, or serve a smaller batch or an FP8 KV cache.`,
    };
  }
  const perGpu = (r: ScalingRow) => r.decode!.tokensPerSGpu!;
  const best = ok.reduce((a, b) => (perGpu(b) > perGpu(a) ? b : a));
  const f = fits.find((x) => x.tp === best.tp)!;
  const cheaperButFull = measured.filter((r) => perGpu(r) > perGpu(best) && !fits.find((x) => x.tp === r.tp)!.fits);
  const cost = best.decode!.usdPerMTok !== null ? `$${best.decode!.usdPerMTok.toFixed(3)}/MTok, ` : '';
  const reason =
    `TP=${best.tp}: the cheapest per output token (${cost}${n(perGpu(best))} tok/s per GPU) of the TPs whose weights ` +
    `(${gib(f.weightBytesPerGpu)} per GPU) and KV cache for ${need} fit on ${gpu.name}` +
    (cheaperButFull.length
      ? `; TP=${cheaperButFull.map((r) => r.tp).join(', ')} would cost less per token but cannot hold that context ` +
        `(room for ${cheaperButFull.map((r) => n(fits.find((x) => x.tp === r.tp)!.kvRoomTokens)).join(', ')} tokens).`
      : '.');
  const faster = ok.filter((r) => r.decode!.stepNs < best.decode!.stepNs).sort((a, b) => a.decode!.stepNs - b.decode!.stepNs)[0];
  const alternative = faster
    ? `For latency per token (chat), TP=${faster.tp} steps ${(best.decode!.stepNs / faster.decode!.stepNs).toFixed(1)}× faster ` +
      `(${(faster.decode!.stepNs / 1e6).toFixed(2)} vs ${(best.decode!.stepNs / 1e6).toFixed(2)} ms per output token) ` +
      `at ${(perGpu(best) / perGpu(faster)).toFixed(2)}× the cost per token.`
    : null;
  return { tp: best.tp, context, reason, alternative, fits };
}
