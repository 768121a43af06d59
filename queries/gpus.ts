/**
 * GPUs of the profiled machine.
 *
 * Table read: TARGET_INFO_GPU (id, name, busLocation, totalMemory, memoryBandwidth, clockRate, smCount,
 * chipName, computeMajor, computeMinor). Absent in some exports (nsys 2026 exports of other machines):
 * then the GPUs are known only by the deviceId of their kernels.
 * Units: totalMemory bytes; memoryBandwidth bytes/s; clockRate Hz. `id` is the CUDA device id, the deviceId
 * of the CUPTI tables.
 */
import type { GpuInfo } from '../analyzer/model/input.js';
import type { Db } from './open.js';
import type { Schema } from './schema.js';

const T = 'TARGET_INFO_GPU';

export function gpuRows(db: Db, s: Schema): GpuInfo[] {
  if (!s.has(T)) return [];
  const c = (name: string) => (s.hasColumn(T, name) ? `"${name}"` : 'NULL');
  const idCol = s.hasColumn(T, 'id') ? '"id"' : c('cuDevice');
  const sql = `SELECT ${idCol}, ${c('name')}, ${c('busLocation')}, ${c('totalMemory')}, ${c('memoryBandwidth')},
    ${c('clockRate')}, ${c('smCount')}, ${c('chipName')}, ${c('computeMajor')}, ${c('computeMinor')} FROM ${T}`;
  const out: GpuInfo[] = [];
  for (const r of db.prepare(sql).raw(true).iterate() as Iterable<unknown[]>) {
    const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null);
    const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
    const major = num(r[8]);
    const minor = num(r[9]);
    out.push({
      deviceId: num(r[0]) ?? out.length,
      name: str(r[1]) ?? 'unknown GPU',
      busLocation: str(r[2]),
      totalMemoryBytes: num(r[3]),
      memoryBandwidthBytesPerS: num(r[4]),
      clockHz: num(r[5]),
      smCount: num(r[6]),
      chipName: str(r[7]),
      computeCapability: major === null ? null : `${major}.${minor ?? 0}`,
    });
  }
  return out.sort((a, b) => a.deviceId - b.deviceId);
}
