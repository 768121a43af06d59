/**
 * A strict checker of the Trace Event Format (the "JSON Object Format" of Google's Trace Event Format
 * document, which the Perfetto UI and chrome://tracing import): what nsys-tp's export must be for a viewer
 * to show every event where it belongs. Stricter than the viewers, which drop what they cannot place.
 */

const PHASES = new Set(['X', 'B', 'E', 'i', 'I', 'M', 'C', 'b', 'n', 'e', 's', 't', 'f', 'P', 'O', 'N', 'D']);
const METADATA = new Set(['process_name', 'process_labels', 'process_sort_index', 'thread_name', 'thread_sort_index']);
/** The trace viewer's reserved colour names (catapult's color_scheme). */
const CNAMES = new Set([
  'thread_state_uninterruptible', 'thread_state_iowait', 'thread_state_running', 'thread_state_runnable', 'thread_state_sleeping',
  'thread_state_unknown', 'background_memory_dump', 'light_memory_dump', 'detailed_memory_dump', 'vsync_highlight_color', 'generic_work',
  'good', 'bad', 'terrible', 'black', 'grey', 'white', 'yellow', 'olive', 'rail_response', 'rail_animation', 'rail_idle', 'rail_load',
  'startup', 'heap_dump_stack_frame', 'heap_dump_object_type', 'heap_dump_child_node_highlight', 'cq_build_running', 'cq_build_passed',
  'cq_build_failed', 'cq_build_abandoned', 'cq_build_attempt_runnig', 'cq_build_attempt_passed', 'cq_build_attempt_failed',
]);
const TOP_KEYS = new Set(['traceEvents', 'displayTimeUnit', 'otherData', 'systemTraceEvents', 'stackFrames', 'samples', 'metadata']);
/** Floating-point slack in µs when checking that slices nest (the viewers round to ns). */
const EPS = 1e-6;

const isInt = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x);
const isNum = (x: unknown) => typeof x === 'number' && Number.isFinite(x);

export interface TraceCheck {
  errors: string[];
  events: number;
  /** Slices (X) per category prefix, and per (pid, thread name). */
  byCat: Map<string, number>;
  threads: Map<string, string>;
  processes: Map<number, string>;
}

export function checkTraceEvents(text: string): TraceCheck {
  const errors: string[] = [];
  const err = (m: string) => {
    if (errors.length < 50) errors.push(m);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { errors: [`not JSON: ${(e as Error).message}`], events: 0, byCat: new Map(), threads: new Map(), processes: new Map() };
  }
  const byCat = new Map<string, number>();
  const threads = new Map<string, string>();
  const processes = new Map<number, string>();
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { errors: ['the top level must be an object (JSON Object Format)'], events: 0, byCat, threads, processes };
  const o = doc as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!TOP_KEYS.has(k)) err(`unknown top-level key ${k}`);
  if (!Array.isArray(o.traceEvents)) err('traceEvents must be an array');
  if (o.displayTimeUnit !== undefined && o.displayTimeUnit !== 'ms' && o.displayTimeUnit !== 'ns') err(`displayTimeUnit must be "ms" or "ns", not ${String(o.displayTimeUnit)}`);
  if (o.otherData !== undefined && (typeof o.otherData !== 'object' || o.otherData === null || Array.isArray(o.otherData))) err('otherData must be an object');
  const events = (Array.isArray(o.traceEvents) ? o.traceEvents : []) as Record<string, unknown>[];
  const slices = new Map<string, { ts: number; end: number; k: number }[]>();
  const used = new Set<string>();
  events.forEach((e, k) => {
    const at = `event ${k}`;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return err(`${at}: not an object`);
    if (typeof e.name !== 'string') err(`${at}: name must be a string`);
    if (typeof e.ph !== 'string' || !PHASES.has(e.ph)) return err(`${at}: unknown ph ${String(e.ph)}`);
    if (!isInt(e.pid)) err(`${at}: pid must be an integer`);
    if (!isInt(e.tid)) err(`${at}: tid must be an integer`);
    if (e.cat !== undefined && typeof e.cat !== 'string') err(`${at}: cat must be a string`);
    if (e.cname !== undefined && !CNAMES.has(e.cname as string)) err(`${at}: cname ${String(e.cname)} is not a reserved colour name`);
    if (e.args !== undefined && (typeof e.args !== 'object' || e.args === null || Array.isArray(e.args))) err(`${at}: args must be an object`);
    const key = `${String(e.pid)}:${String(e.tid)}`;
    if (e.ph === 'M') {
      if (!METADATA.has(e.name as string)) return err(`${at}: unknown metadata event ${String(e.name)}`);
      const args = (e.args ?? {}) as Record<string, unknown>;
      if (/_name$/.test(e.name as string) && typeof args.name !== 'string') err(`${at}: ${String(e.name)} needs args.name`);
      if (/_sort_index$/.test(e.name as string) && !isInt(args.sort_index)) err(`${at}: ${String(e.name)} needs an integer args.sort_index`);
      if (e.name === 'thread_name') threads.set(key, args.name as string);
      if (e.name === 'process_name') processes.set(e.pid as number, args.name as string);
      return;
    }
    if (!isNum(e.ts) || (e.ts as number) < 0) err(`${at}: ts must be a number of µs at least 0`);
    used.add(key);
    if (e.ph === 'X') {
      if (!isNum(e.dur) || (e.dur as number) < 0) return err(`${at}: a complete event needs dur ≥ 0`);
      const list = slices.get(key) ?? [];
      list.push({ ts: e.ts as number, end: (e.ts as number) + (e.dur as number), k });
      slices.set(key, list);
      const cat = ((e.cat as string | undefined) ?? '').split(',')[0]!;
      byCat.set(cat, (byCat.get(cat) ?? 0) + 1);
    } else if (e.ph === 'i' || e.ph === 'I') {
      if (e.s !== undefined && e.s !== 'g' && e.s !== 'p' && e.s !== 't') err(`${at}: instant scope must be g, p or t`);
      byCat.set(`instant:${((e.cat as string | undefined) ?? '').split(',')[0]}`, (byCat.get(`instant:${((e.cat as string | undefined) ?? '').split(',')[0]}`) ?? 0) + 1);
    }
  });
  // Every track that holds events is named, and its process too.
  for (const key of used) {
    if (!threads.has(key)) err(`track ${key} has events but no thread_name`);
    if (!processes.has(Number(key.split(':')[0]))) err(`process ${key.split(':')[0]} has events but no process_name`);
  }
  // Complete events on one track nest: each starts after the enclosing one ends, or ends inside it.
  for (const [key, list] of slices) {
    list.sort((x, y) => x.ts - y.ts || y.end - x.end);
    const stack: { ts: number; end: number; k: number }[] = [];
    for (const s of list) {
      while (stack.length && stack[stack.length - 1]!.end <= s.ts + EPS) stack.pop();
      const parent = stack[stack.length - 1];
      if (parent && s.end > parent.end + EPS) err(`track ${key}: event ${s.k} [${s.ts}, ${s.end}] overlaps event ${parent.k} [${parent.ts}, ${parent.end}] without nesting`);
      stack.push(s);
    }
  }
  return { errors, events: events.length, byCat, threads, processes };
}
