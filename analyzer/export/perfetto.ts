/**
 * The trace as Chrome trace-event JSON (the "JSON Object Format" the Perfetto UI and chrome://tracing
 * open, offline): one process per GPU, on the capture's clock (µs, as the format counts, from the same
 * session-clock ns the reports print in seconds), with tracks for the steps, the layers (attention and
 * MLP blocks inside), the collectives (each rank's kernel split into waiting, then transfer), the
 * findings (a marker at each place a finding names), and the kernels per CUDA stream, each with its class
 * as category and colour.
 */
import { KERNEL_CLASSES, type KernelClass } from '../contract/vocabulary.js';
import type { Reads } from '../data.js';
import { OpKind } from '../model/types.js';
import type { Finding } from '../contract/findings.js';
import { TOOL } from '../contract/tool.js';
import { UsageError } from '../errors.js';
import { ellipsize } from '../text/units.js';

/** What `export --format` writes: the trace-event JSON Perfetto opens. */
export const EXPORT_FORMATS = ['perfetto'] as const;

/** One trace event, as the format defines the fields nsys-tp writes. */
export interface TraceEvent {
  name: string;
  ph: 'X' | 'i' | 'M';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  /** Instant events: scope (thread). */
  s?: 't';
  /** A colour name of the trace viewer's reserved palette. */
  cname?: string;
  args?: Record<string, unknown>;
}

export interface PerfettoTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ns';
  otherData: Record<string, string>;
}

/** Colours from the trace viewer's reserved names, one per class (chrome://tracing honours them). */
export const CLASS_CNAME: Record<KernelClass, string> = {
  gemm: 'rail_load', attention: 'rail_animation', communication: 'terrible', norm: 'olive', elementwise: 'good', memory: 'yellow', moe: 'rail_idle', other: 'grey',
};

/** Fixed tracks of each GPU (tids); kernel tracks follow from STREAM_TID, lanes when kernels overlap. */
const TRACKS = { steps: 1, layers: 2, collectives: 3, findings: 4 } as const;
const STREAM_TID = 1000;

const us = (ns: number) => Math.round(ns) / 1000;

/** Greedy lanes: intervals (sorted by start) that overlap without nesting go to the next lane, so every track nests. */
class Lanes {
  private ends: number[] = [];
  take(start: number, end: number): number {
    let k = this.ends.findIndex((e) => e <= start);
    if (k < 0) k = this.ends.push(end) - 1;
    else this.ends[k] = end;
    return k;
  }
}

/**
 * GPU ops past which the JSON would not fit in one string (V8 caps a string at 512 MiB; an event is about
 * 150 bytes) nor load in the Perfetto UI's memory: a window (--from / --to) is asked for instead.
 */
export const MAX_EXPORTED_OPS = 2_500_000;
/** Demangled names past this are shortened in the arguments (template-heavy kernels run to kilobytes). */
const LONG_NAME = 400;

/** `window`: session-clock ns; only what overlaps it is written (steps, collectives, ops, markers). */
export function buildPerfettoTrace(a: Reads<'model' | 'stepSet' | 'steady' | 'layers' | 'collectives' | 'classes'>, findings: readonly Finding[], names: readonly string[], window: { from?: number; to?: number } = {}): PerfettoTrace {
  const { model } = a;
  const { ops } = model;
  const lo = window.from ?? -Infinity;
  const hi = window.to ?? Infinity;
  const inside = (s: number, e: number) => e >= lo && s <= hi;
  let count = 0;
  for (let i = 0; i < ops.n; i++) if (inside(ops.start[i]!, ops.end[i]!)) count++;
  if (count > MAX_EXPORTED_OPS) {
    throw new UsageError(`${count.toLocaleString('en-US')} GPU ops to export: more than the ${MAX_EXPORTED_OPS.toLocaleString('en-US')} a trace-event JSON can carry and the Perfetto UI can load; export a window with --from and --to (seconds on the capture clock; nsys-tp steps shows where each step starts)`);
  }
  const ev: TraceEvent[] = [];
  const pid = (device: number) => device + 1;
  const threadNames = new Map<string, string>();
  const thread = (p: number, tid: number, name: string, sort: number) => {
    const key = `${p}:${tid}`;
    if (threadNames.has(key)) return;
    threadNames.set(key, name);
    ev.push({ name: 'thread_name', ph: 'M', pid: p, tid, args: { name } });
    ev.push({ name: 'thread_sort_index', ph: 'M', pid: p, tid, args: { sort_index: sort } });
  };
  for (const d of model.devices) {
    ev.push({ name: 'process_name', ph: 'M', pid: pid(d.index), tid: 0, args: { name: `${d.label}${d.gpu?.name ? ` · ${d.gpu.name}` : ''}` } });
    ev.push({ name: 'process_sort_index', ph: 'M', pid: pid(d.index), tid: 0, args: { sort_index: d.index } });
    thread(pid(d.index), TRACKS.steps, 'steps', 1);
  }
  // Steps, and the layers inside them.
  const { breakdowns } = a.layers;
  for (const s of a.stepSet.steps) {
    if (!inside(s.start, s.end)) continue;
    const p = pid(s.device);
    const steady = a.steady[s.index] === 1;
    ev.push({ name: s.name, ph: 'X', pid: p, tid: TRACKS.steps, ts: us(s.start), dur: us(s.end) - us(s.start), cat: `step,${s.phase}`,
      cname: steady ? 'generic_work' : 'bad', args: { phase: s.phase, steady, ordinal: s.ordinal } });
    const lb = breakdowns[s.index];
    if (!lb || lb.layers.length === 0) continue;
    thread(p, TRACKS.layers, 'layers (attention | MLP)', 2);
    for (const l of lb.layers) {
      ev.push({ name: l.name, ph: 'X', pid: p, tid: TRACKS.layers, ts: us(l.attention.startNs), dur: us(l.mlp.endNs) - us(l.attention.startNs), cat: 'layer', cname: 'thread_state_runnable' });
      for (const [part, w] of [['attention', l.attention], ['mlp', l.mlp]] as const) {
        if (w.spanNs > 0) ev.push({ name: part, ph: 'X', pid: p, tid: TRACKS.layers, ts: us(w.startNs), dur: us(w.endNs) - us(w.startNs), cat: 'layer' });
      }
    }
  }
  // Collectives: each rank's kernel, waiting first (the rank is early), then the transfer (the data moving).
  const c = a.collectives;
  const collectiveLanes = model.devices.map(() => new Lanes());
  const collective: { i: number; o: number }[] = [];
  for (let i = 0; i < c.n; i++) for (let d = 0; d < c.nDevices; d++) {
    const o = c.ops[i * c.nDevices + d]!;
    if (o >= 0 && inside(ops.start[o]!, ops.end[o]!)) collective.push({ i, o });
  }
  collective.sort((x, y) => ops.start[x.o]! - ops.start[y.o]!);
  for (const { i, o } of collective) {
    const d = ops.device[o]!;
    const p = pid(d);
    const lane = collectiveLanes[d]!.take(ops.start[o]!, ops.end[o]!);
    const tid = TRACKS.collectives + lane * 10_000;
    thread(p, tid, lane === 0 ? 'collectives (waiting | transfer)' : `collectives (waiting | transfer) ${lane + 1}`, 3);
    const start = us(ops.start[o]!);
    const end = us(ops.end[o]!);
    const transferStart = Math.max(start, us(ops.end[o]! - c.transferNs[i]!));
    const kind = c.kinds[c.kind[i]!]!;
    const last = c.lastArriver[i] === d;
    ev.push({ name: kind.op, ph: 'X', pid: p, tid, ts: start, dur: end - start, cat: 'collective', cname: 'terrible',
      args: { instance: c.ordinal[i], kind: kind.key, kernel: kind.kernel, transferNs: c.transferNs[i], skewNs: c.skewNs[i], lastToArrive: last } });
    if (transferStart > start) ev.push({ name: 'waiting', ph: 'X', pid: p, tid, ts: start, dur: transferStart - start, cat: 'collective,waiting', cname: 'bad' });
    ev.push({ name: 'transfer', ph: 'X', pid: p, tid, ts: transferStart, dur: end - transferStart, cat: 'collective,transfer', cname: 'terrible' });
  }
  // Findings: a marker at the start of each place a finding names, with the stretch it covers.
  const byLabel = new Map(model.devices.map((d) => [d.label, d.index]));
  for (const f of findings) {
    for (const l of f.locations ?? []) {
      const d = byLabel.get(l.label);
      if (d === undefined || !inside(l.startNs, l.endNs)) continue;
      thread(pid(d), TRACKS.findings, 'findings', 0);
      ev.push({ name: `${f.severity} ${f.rule}`, ph: 'i', s: 't', pid: pid(d), tid: TRACKS.findings, ts: us(l.startNs), cat: `finding,${f.severity}`,
        args: { what: l.what, untilUs: us(l.endNs), stream: l.stream, message: f.message } });
    }
  }
  // Kernels and copies, per stream (lanes only where a stream's ops overlap, which nsys does not record).
  const laneOf = new Map<string, Lanes>();
  for (let i = 0; i < ops.n; i++) {
    if (!inside(ops.start[i]!, ops.end[i]!)) continue;
    const d = ops.device[i]!;
    const stream = ops.stream[i]!;
    const key = `${d}:${stream}`;
    let lanes = laneOf.get(key);
    if (!lanes) laneOf.set(key, (lanes = new Lanes()));
    const lane = lanes.take(ops.start[i]!, ops.end[i]!);
    const tid = STREAM_TID + stream + lane * 1_000_000;
    const p = pid(d);
    thread(p, tid, lane === 0 ? `stream ${stream}` : `stream ${stream} (overlap ${lane})`, 10 + stream);
    const cls = KERNEL_CLASSES[a.classes.opClass[i]!]!;
    const n = model.opNames[ops.name[i]!]!;
    const graph = ops.kind[i] === OpKind.graph;
    ev.push({
      name: n.short, ph: 'X', pid: p, tid, ts: us(ops.start[i]!), dur: us(ops.end[i]!) - us(ops.start[i]!), cat: graph ? 'graph' : cls, cname: CLASS_CNAME[cls],
      args: { class: graph ? 'graph (kernels not traced)' : cls, stream, ...(n.long !== n.short ? { name: ellipsize(n.long, LONG_NAME) } : {}), ...(ops.fromGraph[i] === 1 ? { graphReplay: true } : {}) },
    });
  }
  return {
    traceEvents: ev,
    displayTimeUnit: 'ns',
    otherData: { tool: `${TOOL.name} ${TOOL.version}`, traces: names.join(', '), clock: 'the capture\'s session clock, as Nsight Systems shows it', steps: a.stepSet.description },
  };
}

/** The trace as JSON text: one event per line, so a big trace is written without one huge indented string. */
export function perfettoJson(t: PerfettoTrace): string {
  const parts = ['{"displayTimeUnit":"ns","otherData":', JSON.stringify(t.otherData), ',"traceEvents":[\n'];
  t.traceEvents.forEach((e, k) => parts.push(JSON.stringify(e), k < t.traceEvents.length - 1 ? ',\n' : '\n'));
  parts.push(']}\n');
  return parts.join('');
}
