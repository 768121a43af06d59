/**
 * The per-GPU throughput trap in plain words: the fastest replica is not the cheapest token.
 */
import type { ScalingOptions, ScalingRow } from '../../contract/scaling.js';

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const ms = (ns: number) => (ns / 1e6).toFixed(2);

/**
 * More GPUs per replica make each step shorter (more tokens/s per replica, less latency per token), but
 * unless the step shrinks in proportion each GPU serves fewer tokens, so each token costs more: on the
 * same GPUs, several replicas at the smaller TP serve more tokens than one at the larger TP.
 */
export function throughputTrap(rows: ScalingRow[], o: ScalingOptions): string | null {
  const measured = rows.filter((r) => r.decode?.tokensPerSReplica);
  if (measured.length < 2) return null;
  const replica = (r: ScalingRow) => r.decode!.tokensPerSReplica!;
  const gpu = (r: ScalingRow) => r.decode!.tokensPerSGpu!;
  const fastest = measured.reduce((a, b) => (replica(b) > replica(a) ? b : a));
  const cheapest = measured.reduce((a, b) => (gpu(b) > gpu(a) ? b : a));
  if (fastest === cheapest) {
    const smallest = measured.reduce((a, b) => (b.tp < a.tp ? b : a));
    return `TP=${fastest.tp} is both the fastest replica (${n(replica(fastest))} tok/s) and the cheapest token (${n(gpu(fastest))} tok/s per GPU): ` +
      (fastest === smallest
        ? `the larger TPs buy neither latency nor cost here (their steps do not shrink with the GPUs they add).`
        : `here the higher TP pays for its GPUs.`);
  }
  const cost = (r: ScalingRow) => r.decode!.usdPerMTok;
  const price = cost(fastest) !== null && cost(cheapest) !== null
    ? ` ($${cost(fastest)!.toFixed(3)} vs $${cost(cheapest)!.toFixed(3)} per million output tokens at $${o.gpuHourPrice!.toFixed(2)} per GPU-hour)`
    : '';
  const replicas = fastest.tp / cheapest.tp;
  const same = Number.isInteger(replicas)
    ? ` On the same ${fastest.tp} GPUs, ${replicas} replicas at TP=${cheapest.tp} serve ${n(replicas * replica(cheapest))} tok/s against one TP=${fastest.tp} replica's ${n(replica(fastest))}:`
    : '';
  return (
    `TP=${fastest.tp} serves the most tokens/s per replica (${n(replica(fastest))}, ${(replica(fastest) / replica(cheapest)).toFixed(2)}× TP=${cheapest.tp}: ` +
    `${ms(fastest.decode!.stepNs)} instead of ${ms(cheapest.decode!.stepNs)} ms per decode step), but TP=${cheapest.tp} serves the most per GPU ` +
    `(${n(gpu(cheapest))} vs ${n(gpu(fastest))} tok/s), so a token at TP=${fastest.tp} costs ${(gpu(cheapest) / gpu(fastest)).toFixed(2)}× as much${price}.` +
    `${same} the higher TP buys latency per token, not cheaper tokens.`
  );
}
