/**
 * `nsys-tp attach`: adds the trace's summary and findings to a benchmark report of the same run, in place.
 * The report is read and checked before the trace is analysed, and rewritten atomically (temp file +
 * rename, keeping its permissions, through a symlink to its target): on any error it is left as it was.
 */
import { realpathSync, statSync } from 'node:fs';
import { readSideInput } from './sideInput.js';
import { attachMarkdown, ATTACH_KEY, benchMarkdown, benchSection } from '../analyzer/report/benchAttach.js';
import { JsonShapeError, parseJsonObject, setTopLevelMember } from '../analyzer/report/jsonMember.js';
import type { Workload } from '../analyzer/collectives/messageSize.js';
import type { GpuSpec } from '../analyzer/hardware/gpuSpecs.js';
import { TraceError } from '../queries/errors.js';
import type { Finding } from '../rules/types.js';
import { diagnoseFiles, type DiagnosisOptions } from './diagnosis.js';
import { refuseInputs, writeFileAtomic } from './output.js';

export interface AttachSummary {
  path: string;
  findings: Finding[];
  replaced: boolean;
}

/** Benchmark results with per-request details run to tens of megabytes; this leaves room. */
const MAX_REPORT_BYTES = 512 * 2 ** 20;

function readReport(path: string): { real: string; text: string; mode: number } {
  let real: string;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' });
    // Rewritten in place: a pipe or a device would be read, then replaced by a file.
    if (!st.isFile()) throw new TraceError(`${path}: not a regular file (a pipe or a device); attach rewrites the report in place, so it takes a regular file`);
    real = realpathSync(path);
  } catch (e) {
    if (e instanceof TraceError) throw e;
    throw new TraceError(`${path}: cannot read the report (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const bytes = readSideInput(real, { what: `${path}: the report`, maxBytes: MAX_REPORT_BYTES, regularOnly: true });
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) throw new TraceError(`${path}: not UTF-8 text; a benchmark report is expected`);
  return { real, text, mode: statSync(real).mode & 0o7777 };
}

export async function attachToReport(report: string, traces: string[], format: 'json' | 'md', opts: DiagnosisOptions, workload: Workload | undefined, gpu: GpuSpec | undefined): Promise<AttachSummary> {
  const sameFile = (t: string) => {
    try {
      return realpathSync(t) === realpathSync(report);
    } catch {
      return false;
    }
  };
  if (traces.some(sameFile)) throw new TraceError(`${report}: refusing to overwrite an input trace (the report comes first, then the traces)`);
  refuseInputs(report, traces);
  const { real, text, mode } = readReport(report);
  let replaced = false;
  if (format === 'json') {
    try {
      replaced = ATTACH_KEY in parseJsonObject(text);
    } catch (e) {
      const why = e instanceof JsonShapeError || e instanceof SyntaxError ? (e as Error).message : String(e);
      throw new TraceError(`${report}: not a benchmark result JSON object (${why.split('\n')[0]}); for a Markdown report pass --format md`);
    }
  }
  const { analysis, result } = await diagnoseFiles(traces, opts, workload, gpu);
  const section = benchSection(analysis, result);
  const out = format === 'json' ? setTopLevelMember(text, ATTACH_KEY, section) : attachMarkdown(text, benchMarkdown(section));
  if (format === 'md') replaced = text.includes('<!-- nsys-tp:begin -->');
  writeFileAtomic(real, out, traces, mode);
  return { path: report, findings: result.findings, replaced };
}
