/**
 * The attach section as it goes into the user's benchmark report: Markdown between markers (attaching
 * again replaces it); the JSON member is written by jsonMember.ts.
 */
import type { BenchSection } from '../contract/reports.js';
import { fmtPct, mdCode, mdEscape } from './format.js';
import { mdTable } from './formats/markdown.js';
import { PHASE_ORDER } from './documents/common.js';

export const MD_BEGIN = '<!-- nsys-tp:begin -->';
export const MD_END = '<!-- nsys-tp:end -->';

/** The Markdown section, between markers so that attaching again replaces it. */
export function benchMarkdown(s: BenchSection): string {
  const out = [MD_BEGIN, '## nsys-tp: what the trace shows', ''];
  out.push(`${mdEscape(s.gpus)}, TP=${s.tp}; steps: ${mdEscape(s.stepDetection)}; trace: ${s.traces.map(mdCode).join(', ')}.`, '');
  const rows = PHASE_ORDER.flatMap((ph) => {
    const p = s[ph];
    return p
      ? [[ph, String(p.steps), (p.medianStepNs / 1e6).toFixed(2), `${(p.p10StepNs / 1e6).toFixed(2)}–${(p.p90StepNs / 1e6).toFixed(2)}`,
        p.meanGpuStepNs === undefined ? '-' : (p.meanGpuStepNs / 1e6).toFixed(2), fmtPct(p.commShare), fmtPct(p.exposedCommShare), fmtPct(p.idleShare)]]
      : [];
  });
  // Step times are the replica's (first GPU start to last GPU end), their median; the shares are parts of
  // the mean step per GPU, shown beside them so no share is read against the median.
  out.push(...mdTable(['phase', 'steady steps', 'median step (ms)', 'p10–p90 (ms)', 'mean GPU step (ms)', 'comm', 'exposed comm', 'idle'], rows), '');
  out.push('Median step and p10–p90: the steady steps, first GPU start to last GPU end. Comm, exposed comm and idle: shares of the mean GPU step beside them.', '');
  if (s.findings.length === 0) out.push('No findings.');
  for (const f of s.findings) out.push(`- **${f.severity}** ${mdCode(f.rule)}: ${mdEscape(f.message)}  `, `  *What to try:* ${mdEscape(f.recommendation)}`);
  out.push(MD_END);
  return out.join('\n');
}

export class SectionError extends Error {}

/** Where a section attach wrote lies in the report: from its begin marker's line to past its end marker. */
interface Section {
  start: number;
  end: number;
}

/**
 * The section a previous attach wrote: its two markers each on a line of their own, outside code fences,
 * one begin then one end. No markers: null (the section is appended). Markers in any other arrangement (a
 * begin without its end, two begins, an end first) are not a section attach wrote whole: replacing from
 * one to the next would eat the user's text, so it is refused. Markers quoted inside a fence are text.
 */
export function attachedSection(text: string): Section | null {
  const marks: { kind: 'begin' | 'end'; start: number; end: number; line: number }[] = [];
  let fence: string | null = null;
  let at = 0;
  let line = 0;
  while (at <= text.length) {
    const nl = text.indexOf('\n', at);
    const stop = nl < 0 ? text.length : nl;
    const raw = text.slice(at, stop).replace(/\r$/, '');
    line++;
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(raw);
    if (fence) {
      if (f && f[1]![0] === fence[0] && f[1]!.length >= fence.length && raw.trim() === f[1]) fence = null;
    } else if (f) fence = f[1]!;
    else if (raw.trim() === MD_BEGIN || raw.trim() === MD_END) marks.push({ kind: raw.trim() === MD_BEGIN ? 'begin' : 'end', start: at, end: stop, line });
    if (nl < 0) break;
    at = nl + 1;
  }
  if (marks.length === 0) return null;
  const [b, e] = marks;
  if (marks.length === 2 && b!.kind === 'begin' && e!.kind === 'end') return { start: b!.start, end: e!.end };
  const where = marks.map((m) => `${m.kind} on line ${m.line}`).join(', ');
  throw new SectionError(
    `its nsys-tp markers are not one section attach wrote (${where}); attach replaces only a whole section, so it leaves the report as it is: remove the stray marker lines, or the section, and attach again`,
  );
}

/** The report with the section appended, or put in place of the one a previous attach wrote. */
export function attachMarkdown(text: string, section: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const body = section.split('\n').join(eol);
  const old = attachedSection(text);
  if (old) return text.slice(0, old.start) + body + text.slice(old.end);
  if (text.length === 0) return body + eol;
  const gap = text.endsWith(eol + eol) ? '' : text.endsWith(eol) ? eol : eol + eol;
  return text + gap + body + eol;
}
