/**
 * Export and capture metadata: which nsys wrote the file, when the session started, what the profiled
 * processes' environment was.
 *
 * Tables read: META_DATA_EXPORT (name, value), or EXPORT_META_DATA in exports of nsys 2022.x and older;
 * META_DATA_CAPTURE (name, value): capture options and PROCESS_n:ENVIRONMENT_VARIABLE entries `K="v"`;
 * TARGET_INFO_SYSTEM_ENV (name, value): DeviceEnvironment `K=v;K=v`; TARGET_INFO_SESSION_START_TIME
 * (utcEpochNs). Units: utcEpochNs is nanoseconds since the Unix epoch of session time 0.
 */
import type { CaptureMeta } from '../analyzer/model/input.js';
import type { Db } from './open.js';
import type { Schema } from './schema.js';
import { recordedStreams } from './recorded.js';


function nameValues(db: Db, s: Schema, table: string): [string, string][] {
  if (!s.has(table) || !s.hasColumn(table, 'name') || !s.hasColumn(table, 'value')) return [];
  return (db.prepare(`SELECT CAST(name AS TEXT), CAST(value AS TEXT) FROM ${table}`).raw(true).all() as [string | null, unknown][])
    .filter((r): r is [string, unknown] => r[0] !== null)
    .map(([n, v]) => [n, v === null || v === undefined ? '' : String(v)]);
}

export function exportMeta(db: Db, s: Schema): CaptureMeta {
  const exp = new Map(nameValues(db, s, s.has('META_DATA_EXPORT') ? 'META_DATA_EXPORT' : 'EXPORT_META_DATA'));
  const capture = nameValues(db, s, 'META_DATA_CAPTURE');
  const environment = new Map<string, string>();
  let command: string[] = [];
  let graphMode: string | null = null;
  for (const [name, value] of capture) {
    if (/^PROCESS_\d+:ENVIRONMENT_VARIABLE$/.test(name)) {
      const m = /^([^=]+)=(.*)$/s.exec(value);
      if (m && !environment.has(m[1]!)) environment.set(m[1]!, m[2]!.replace(/^"(.*)"$/s, '$1'));
    } else if (/^PROCESS_0:COMMAND$/.test(name)) command = [value, ...command];
    else if (/^PROCESS_0:ARGUMENT_\d+$/.test(name)) command.push(value);
    else if (/CUDA_GRAPH_TRACE_OPTIONS:MODE$/.test(name)) graphMode = value;
  }
  let hostname: string | null = null;
  for (const [name, value] of nameValues(db, s, 'TARGET_INFO_SYSTEM_ENV')) {
    if (name === 'Hostname') hostname = value;
    if (name !== 'DeviceEnvironment') continue;
    for (const kv of value.split(';')) {
      const m = /^([^=]+)=(.*)$/s.exec(kv);
      if (m && !environment.has(m[1]!)) environment.set(m[1]!, m[2]!);
    }
  }
  let sessionStartUtcNs: number | null = null;
  if (s.hasColumn('TARGET_INFO_SESSION_START_TIME', 'utcEpochNs')) {
    const v = db.prepare('SELECT utcEpochNs FROM TARGET_INFO_SESSION_START_TIME LIMIT 1').pluck().get();
    if (typeof v === 'number') sessionStartUtcNs = v;
  }
  return {
    nsysVersion: exp.get('EXPORT_PRODUCT_VERSION') ?? null,
    exportSchema: exp.get('EXPORT_SCHEMA_VERSION') ?? null,
    sessionStartUtcNs,
    cudaGraphTraceMode: graphMode,
    environment,
    command: command.length ? command.join(' ') : null,
    hostname,
    recorded: recordedStreams(db, s),
  };
}

/** True when the database looks like an nsys export at all (any of the tables every export has). */
export function isNsysExport(s: Schema): boolean {
  return s.has('StringIds') || s.has('META_DATA_EXPORT') || s.has('EXPORT_META_DATA') || s.has('TARGET_INFO_SESSION_START_TIME');
}
