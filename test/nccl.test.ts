/** What NCCL kernel names can tell (docs/architecture.md §3): op, reduction, dtype, and algorithm only where the name is the truth. */
import { describe, expect, it } from 'vitest';
import { parseNcclKernel } from '../analyzer/classify/nccl.js';

describe('NCCL kernel names', () => {
  it('NCCL 2.19+ names: a RING_LL name does not say which algorithm ran', () => {
    // traces/tp4.sqlite
    expect(parseNcclKernel('ncclDevKernel_AllReduce_Sum_bf16_RING_LL')).toMatchObject({
      op: 'all-reduce', reduction: 'Sum', dtype: 'bf16', nameAlgorithm: 'RING', nameProtocol: 'LL', algorithm: null, protocol: null, era: 'devkernel',
    });
  });
  it('NCCL 2.19+ names: a TREE name does mean tree', () => {
    // traces/tp4tree.sqlite (NCCL_ALGO=Tree)
    expect(parseNcclKernel('ncclDevKernel_AllReduce_Sum_f32_TREE_LL')).toMatchObject({ op: 'all-reduce', dtype: 'f32', algorithm: 'TREE', protocol: null });
  });
  it('reduce-scatter, all-gather, send/recv and the generic kernel', () => {
    // traces/tp4sp.sqlite
    expect(parseNcclKernel('ncclDevKernel_ReduceScatter_Sum_bf16_RING_LL')).toMatchObject({ op: 'reduce-scatter', reduction: 'Sum', dtype: 'bf16' });
    expect(parseNcclKernel('ncclDevKernel_AllGather_RING_LL')).toMatchObject({ op: 'all-gather', reduction: null, dtype: null, nameAlgorithm: 'RING' });
    // traces/external/nsys-ai-mfu_2gpu_after.sqlite
    expect(parseNcclKernel('ncclDevKernel_SendRecv')).toMatchObject({ op: 'send-recv', nameAlgorithm: null });
    expect(parseNcclKernel('ncclDevKernel_Generic')).toMatchObject({ op: 'unknown' });
    expect(parseNcclKernel('ncclDevKernel_Broadcast_RING_LL')).toMatchObject({ op: 'broadcast' });
  });
  it('NCCL 2.8-2.18 names: algorithm and protocol are exact', () => {
    expect(parseNcclKernel('ncclKernel_AllReduce_RING_LL_Sum_half')).toMatchObject({
      op: 'all-reduce', reduction: 'Sum', dtype: 'half', algorithm: 'RING', protocol: 'LL', era: 'kernel',
    });
    expect(parseNcclKernel('ncclKernel_SendRecv_RING_SIMPLE_Sum_int8_t')).toMatchObject({ op: 'send-recv', algorithm: 'RING', protocol: 'SIMPLE', dtype: 'int8_t' });
    expect(parseNcclKernel('ncclKernel_AllReduce_TREE_LL128_Sum_bfloat16')).toMatchObject({ algorithm: 'TREE', protocol: 'LL128', dtype: 'bfloat16' });
  });
  it('NCCL 2.4-2.7 names', () => {
    expect(parseNcclKernel('ncclAllReduceRingLLKernel_sum_f16')).toMatchObject({ op: 'all-reduce', reduction: 'Sum', dtype: 'f16', algorithm: 'RING', protocol: 'LL', era: 'legacy' });
    expect(parseNcclKernel('ncclBroadcastRingLLKernel_copy_i8')).toMatchObject({ op: 'broadcast', reduction: null, dtype: 'i8' });
  });
  it('demangled names parse the same', () => {
    expect(parseNcclKernel('ncclKernel_AllReduce_RING_LL_Sum_float(ncclDevComm*, unsigned long, ncclWork*)')).toMatchObject({ op: 'all-reduce', dtype: 'float' });
  });
  it('non-NCCL names', () => {
    for (const n of ['splitKreduce_kernel', 'reduce_kernel', 'nccl_something_else', 'cross_device_reduce_1stage']) expect(parseNcclKernel(n)).toBeNull();
  });
});
