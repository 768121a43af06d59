/**
 * Vendor datasheet numbers (docs/architecture.md §4), dense, per GPU; matched from TARGET_INFO_GPU's name, overridable.
 */
export interface GpuSpec {
  key: string;
  name: string;
  bf16Tflops: number;
  fp8Tflops: number | null;
  hbmTBps: number;
  /** NVLink bandwidth, bidirectional, GB/s (1e9 bytes). */
  nvlinkGBps: number;
  memoryGiB: number;
  /** all-reduce busBW measured here with nccl-tests conventions (GB/s), when measured. */
  measuredAllReduceBusGBps?: { bytes: number; gbps: number }[];
}

export const GPU_SPECS: GpuSpec[] = [
  {
    key: 'H100', name: 'H100 SXM 80GB', bf16Tflops: 989, fp8Tflops: 1979, hbmTBps: 3.35, nvlinkGBps: 900, memoryGiB: 80,
    // 4x H100 SXM, NCCL 2.28 (docs/architecture.md §4).
    measuredAllReduceBusGBps: [{ bytes: 64 * 2 ** 20, gbps: 312 }, { bytes: 2 ** 30, gbps: 355 }],
  },
  { key: 'H200', name: 'H200 SXM 141GB', bf16Tflops: 989, fp8Tflops: 1979, hbmTBps: 4.8, nvlinkGBps: 900, memoryGiB: 141 },
  { key: 'A100', name: 'A100 SXM 80GB', bf16Tflops: 312, fp8Tflops: null, hbmTBps: 2.04, nvlinkGBps: 600, memoryGiB: 80 },
  { key: 'B200', name: 'B200', bf16Tflops: 2250, fp8Tflops: 4500, hbmTBps: 8.0, nvlinkGBps: 1800, memoryGiB: 180 },
];

/** The spec for a GPU name as nsys records it ("NVIDIA H100 80GB HBM3") or as a user types it ("h200"). */
export function gpuSpecFor(name: string | null | undefined): GpuSpec | null {
  if (!name) return null;
  const n = name.toUpperCase();
  for (const s of GPU_SPECS) if (new RegExp(`(^|[^A-Z0-9])${s.key}([^0-9]|$)`).test(n)) return s;
  return null;
}
