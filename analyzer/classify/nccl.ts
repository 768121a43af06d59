/**
 * What an NCCL kernel name can tell, and what it cannot.
 *
 * Three naming eras:
 *   NCCL 2.4-2.7   ncclAllReduceRingLLKernel_sum_f16
 *   NCCL 2.8-2.18  ncclKernel_AllReduce_RING_LL_Sum_half
 *   NCCL 2.19+     ncclDevKernel_AllReduce_Sum_bf16_RING_LL, ncclDevKernel_SendRecv, ncclDevKernel_Generic
 * Up to 2.18 every (algorithm, protocol) pair had its own kernel, so the name is the truth. From 2.19 only
 * RING/TREE x LL kernels are built as named kernels and NVLS, CollNet, PAT, LL128 and SIMPLE runs execute
 * inside them: a `RING_LL` name says only "not TREE", while a `TREE` name does mean tree.
 */
import type { CommOp } from './kernelClasses.js';

export interface NcclKernelInfo {
  op: CommOp;
  /** The op as NCCL spells it (AllReduce, SendRecv, Generic). */
  ncclOp: string;
  reduction: string | null;
  dtype: string | null;
  /** Algorithm and protocol exactly as written in the name. */
  nameAlgorithm: string | null;
  nameProtocol: string | null;
  /** The algorithm that really ran, when the name can tell (always before 2.19, only TREE after). */
  algorithm: string | null;
  protocol: string | null;
  era: 'devkernel' | 'symmetric' | 'kernel' | 'legacy';
}

const OPS: Record<string, CommOp> = {
  AllReduce: 'all-reduce', ReduceScatter: 'reduce-scatter', AllGather: 'all-gather', Broadcast: 'broadcast',
  Reduce: 'reduce', SendRecv: 'send-recv', Send: 'send-recv', Recv: 'send-recv', AllToAll: 'all-to-all',
  AlltoAll: 'all-to-all', Generic: 'unknown',
};
const REDUCTIONS = new Set(['Sum', 'Prod', 'Min', 'Max', 'PreMulSum', 'SumPostDiv', 'Avg']);
const titleCase = (t: string) => t[0]!.toUpperCase() + t.slice(1);
const ALGORITHMS = ['COLLNET_DIRECT', 'COLLNET_CHAIN', 'NVLS_TREE', 'RING', 'TREE', 'COLLNET', 'NVLS', 'PAT'];
const PROTOCOLS = new Set(['LL', 'LL128', 'SIMPLE']);

/** Parses an NCCL kernel's short name; null when it is not an NCCL kernel name. */
export function parseNcclKernel(name: string): NcclKernelInfo | null {
  const short = name.replace(/^void\s+/, '').replace(/[(<].*$/s, '');
  let m = /^nccl(Dev|Symk|SymkDev)?Kernel_([A-Za-z]+)(?:_(.*))?$/.exec(short);
  if (m) {
    const era = m[1]?.startsWith('Symk') ? 'symmetric' : m[1] ? 'devkernel' : 'kernel';
    const ncclOp = m[2]!;
    let rest = m[3] ?? '';
    let nameAlgorithm: string | null = null;
    let nameProtocol: string | null = null;
    for (const a of ALGORITHMS) {
      const at = new RegExp(`(?:^|_)${a}(?:_(LL128|LL|SIMPLE))?(?=_|$)`).exec(rest);
      if (at) {
        nameAlgorithm = a;
        nameProtocol = at[1] ?? null;
        rest = (rest.slice(0, at.index) + rest.slice(at.index + at[0].length)).replace(/^_+|_+$/g, '');
        break;
      }
    }
    const tokens = rest.split('_').filter(Boolean);
    let reduction: string | null = null;
    const dtypeParts: string[] = [];
    for (const t of tokens) {
      if (!reduction && REDUCTIONS.has(titleCase(t))) reduction = titleCase(t);
      else if (!nameProtocol && PROTOCOLS.has(t)) nameProtocol = t;
      else if (era === 'symmetric' && /x|^(LD|ST|LL|RS|AG)/.test(t) && !dtypeParts.length && !reduction) nameAlgorithm = nameAlgorithm ? `${nameAlgorithm}_${t}` : t;
      else if (!/^\d+$/.test(t) || dtypeParts.length) dtypeParts.push(t);
    }
    const exact = era === 'kernel';
    return {
      op: OPS[ncclOp] ?? 'unknown', ncclOp, reduction, dtype: dtypeParts.length ? dtypeParts.join('_') : null,
      nameAlgorithm, nameProtocol,
      algorithm: exact ? nameAlgorithm : nameAlgorithm === 'TREE' ? 'TREE' : null,
      protocol: exact ? nameProtocol : null,
      era,
    };
  }
  m = /^nccl(AllReduce|AllGather|ReduceScatter|Broadcast|Reduce|SendRecv|Send|Recv)(Ring|Tree|CollNet)?(LL128|LL|Simple)?Kernel(?:_([a-z]+))?(?:_(\w+))?$/.exec(short);
  if (m) {
    const alg = m[2]?.toUpperCase() ?? null;
    const proto = m[3]?.toUpperCase() ?? null;
    const red = m[4] ?? null;
    return {
      op: OPS[m[1]!] ?? 'unknown', ncclOp: m[1]!, reduction: red && red !== 'copy' ? red[0]!.toUpperCase() + red.slice(1) : null,
      dtype: m[5] ?? null, nameAlgorithm: alg, nameProtocol: proto, algorithm: alg, protocol: proto, era: 'legacy',
    };
  }
  return null;
}
