/**
 * The attach section as it goes into the user's benchmark report: Markdown between markers (attaching
 * again replaces it); the JSON member is written by jsonMember.ts.
 */
import type { BenchSection } from '../results/attach.js';
import { fmtPct, mdEscape } from './format.js';
import { mdTable } from './formats/markdown.js';

export const MD_BEGIN = '<!-- nsys-tp:begin -->';
export const MD_END = '<!-- nsys-tp:end -->';

/** The Markdown section, between markers so that attaching again replaces it. */
export function benchMarkdown(s: BenchSection): string {
  const out = [MD_BEGIN, '## nsys-tp: what the trace shows', ''];
  out.push(`${mdEscape(s.gpus)}, TP=${s.tp}; steps: ${mdEscape(s.stepDetection)}; trace: ${s.traces.map((t) => `\`${mdEscape(t)}\``).join(', ')}.`, '');
  const rows = (['prefill', 'mixed', 'decode', 'step'] as const).flatMap((ph) => {
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
  for (const f of s.findings) out.push(`- **${f.severity}** \`${f.rule}\`: ${mdEscape(f.message)}  `, `  *What to try:* ${mdEscape(f.recommendation)}`);
  out.push(MD_END);
  return out.join('\n');
}

/** The report with the section appended, or put in place of the one a previous attach wrote. */
export function attachMarkdown(text: string, section: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const body = section.split('\n').join(eol);
  const b = text.indexOf(MD_BEGIN);
  const e = text.indexOf(MD_END, b);
  if (b >= 0 && e > b) return text.slice(0, b) + body + text.slice(e + MD_END.length);
  if (text.length === 0) return body + eol;
  const gap = text.endsWith(eol + eol) ? '' : text.endsWith(eol) ? eol : eol + eol;
  return text + gap + body + eol;
}
