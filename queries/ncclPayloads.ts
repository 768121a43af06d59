/**
 * NCCL's NVTX payloads: the message size and communicator of every collective call, and the rank layout
 * of every communicator, when the export was made with `--include-blobs=true`.
 *
 * Tables read: NVTX_PAYLOAD_SCHEMA_ENTRIES (domainId, schemaId, name, offset): where each field sits in a
 * payload; NVTX_EVENTS (start, end, globalTid, text / textId, binaryData) for the NCCL calls (ncclAllReduce,
 * ncclCommInitRank, ...).
 * Blob layout (read by hand on these exports): a header of four little-endian u64 (1, schema id, payload
 * size, payload offset), then the payload. Units: start_ns / end_ns on the session clock; bytes in bytes.
 */
import type { Db } from './open.js';
import type { Schema } from './schema.js';

export interface NcclCallRow {
  start: number;
  end: number;
  globalTid: number;
  /** The NCCL API name: ncclAllReduce, ncclReduceScatter, ncclAllGather, ncclSend, ... */
  name: string;
  commId: bigint | null;
  /** Message size [bytes] as NCCL reports it (per rank: the send count x type size). */
  bytes: number | null;
}

export interface NcclCommInitRow {
  globalTid: number;
  commId: bigint;
  nranks: number;
  rank: number;
  cudaDevice: number;
}

interface Fields {
  comm?: number;
  size?: number;
  nranks?: number;
  rank?: number;
  device?: number;
}

function schemaFields(db: Db, s: Schema): Map<number, Fields> {
  const out = new Map<number, Fields>();
  const T = 'NVTX_PAYLOAD_SCHEMA_ENTRIES';
  if (!['schemaId', 'offset', 'name'].every((c) => s.hasColumn(T, c))) return out;
  for (const [schemaId, name, offset] of db.prepare(`SELECT schemaId, CAST(name AS TEXT), coalesce(offset, 0) FROM ${T}`).raw(true).iterate() as Iterable<[number, string | null, number]>) {
    // A field is read at its offset into the payload: only a byte offset can be one (a damaged row is skipped).
    if (!Number.isSafeInteger(offset) || offset < 0) continue;
    const f = out.get(schemaId) ?? {};
    const n = (name ?? '').toLowerCase();
    if (n.includes('communicator')) f.comm = offset;
    else if (n.startsWith('message size')) f.size = offset;
    else if (n.startsWith('no. of ranks')) f.nranks = offset;
    else if (n === 'rank') f.rank = offset;
    else if (n === 'cuda device') f.device = offset;
    out.set(schemaId, f);
  }
  return out;
}

function payload(blob: Buffer): { schemaId: number; body: Buffer } | null {
  if (blob.length < 32) return null;
  const schemaId = Number(blob.readBigUInt64LE(8));
  const size = Number(blob.readBigUInt64LE(16));
  const offset = Number(blob.readBigUInt64LE(24));
  if (offset + size > blob.length || offset < 32) return null;
  return { schemaId, body: blob.subarray(offset, offset + size) };
}

function u64(b: Buffer, at: number | undefined): bigint | null {
  return at !== undefined && at + 8 <= b.length ? b.readBigUInt64LE(at) : null;
}
function i32(b: Buffer, at: number | undefined): number | null {
  return at !== undefined && at + 4 <= b.length ? b.readInt32LE(at) : null;
}

export interface NcclPayloads {
  calls: NcclCallRow[];
  inits: NcclCommInitRow[];
}

export function ncclPayloads(db: Db, s: Schema): NcclPayloads {
  const out: NcclPayloads = { calls: [], inits: [] };
  if (!['binaryData', 'start', 'end', 'eventType', 'globalTid', 'text'].every((c) => s.hasColumn('NVTX_EVENTS', c))) return out;
  const fields = schemaFields(db, s);
  if (fields.size === 0) return out;
  const text = s.hasColumn('NVTX_EVENTS', 'textId') && s.hasColumn('StringIds', 'value')
    ? 'CAST(coalesce(n.text, (SELECT value FROM StringIds WHERE id = n.textId)) AS TEXT)'
    : 'CAST(n.text AS TEXT)';
  const sql = `SELECT n.start, coalesce(n.end, n.start), n.globalTid, ${text}, n.binaryData FROM NVTX_EVENTS n
    WHERE n.binaryData IS NOT NULL AND n.eventType IN (59, 60)`;
  for (const [start, end, tid, name, blob] of db.prepare(sql).raw(true).iterate() as Iterable<[number, number, number, string | null, unknown]>) {
    if (!Buffer.isBuffer(blob) || typeof start !== 'number' || typeof end !== 'number' || typeof tid !== 'number') continue;
    const p = payload(blob);
    if (!p) continue;
    const f = fields.get(p.schemaId);
    if (!f) continue;
    const commId = u64(p.body, f.comm);
    if (f.nranks !== undefined && f.rank !== undefined && commId !== null) {
      out.inits.push({ globalTid: tid, commId, nranks: i32(p.body, f.nranks) ?? 0, rank: i32(p.body, f.rank) ?? -1, cudaDevice: i32(p.body, f.device) ?? -1 });
    } else if (f.size !== undefined) {
      const bytes = u64(p.body, f.size);
      out.calls.push({ start, end, globalTid: tid, name: name ?? '', commId, bytes: bytes === null ? null : Number(bytes) });
    }
  }
  return out;
}
