/**
 * nsys-tp's summary of a trace for a benchmark report of the same run: the `nsysTp` member added to a
 * result JSON (such as `vllm bench serve --save-result` writes), or a findings section appended to a
 * Markdown report. Step numbers are those `compare` and `scaling` use: steady steps, each from the first
 * GPU to start to the last to finish; times per class are per step per GPU.
 */
import type { Analysis } from '../analysis.js';
import { steadyProfile } from '../breakdown/steadyProfile.js';
import { tpDegree } from '../roofline/achievement.js';
import { phaseStepTimes } from '../steps/replicaSteps.js';
import { stepSample } from '../compare/stepShift.js';
import { PHASES } from '../steps/types.js';
import { fmtPct, mdEscape } from './format.js';
import { mdTable } from './markdown.js';
import type { DiagnoseResult } from './result.js';

export const ATTACH_KEY = 'nsysTp';
export const MD_BEGIN = '<!-- nsys-tp:begin -->';
export const MD_END = '<!-- nsys-tp:end -->';

export interface BenchPhase {
  steps: number;
  medianStepNs: number;
  p10StepNs: number;
  p90StepNs: number;
  commShare: number;
  exposedCommShare: number;
  idleShare: number;
  /** ns per step per GPU by kernel class and idle. */
  timeNs: Record<string, number>;
}

export interface BenchSection {
  tool: string;
  traces: string[];
  gpus: string;
  tp: number;
  stepDetection: string;
  prefill?: BenchPhase;
  decode?: BenchPhase;
  mixed?: BenchPhase;
  step?: BenchPhase;
  findings: { rule: string; severity: string; message: string; recommendation: string }[];
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

export function benchSection(a: Analysis, r: DiagnoseResult): BenchSection {
  const names = new Map<string, number>();
  for (const g of r.trace.gpus) names.set(g.name, (names.get(g.name) ?? 0) + 1);
  const out: Omit<BenchSection, 'findings'> & Partial<BenchSection> = {
    tool: `nsys-tp ${r.tool.version}`,
    traces: r.trace.paths,
    gpus: [...names].map(([n, c]) => `${c} x ${n}`).join(', '),
    tp: tpDegree(a),
    stepDetection: r.stepDetection.description,
  };
  for (const phase of PHASES) {
    const p = steadyProfile(a, phase);
    const times = phaseStepTimes(a, phase);
    if (!p || times.length === 0) continue;
    const s = stepSample(times);
    out[phase] = {
      steps: s.count, medianStepNs: Math.round(s.medianNs), p10StepNs: Math.round(s.p10Ns), p90StepNs: Math.round(s.p90Ns),
      commShare: r4(p.commShare), exposedCommShare: r4(p.exposedCommShare), idleShare: r4(p.idleShare),
      timeNs: Object.fromEntries(Object.entries(p.classNs).map(([c, ns]) => [c, Math.round(ns)])),
    };
  }
  // Findings last, after the numbers they explain.
  return { ...out, findings: r.findings.map((f) => ({ rule: f.rule, severity: f.severity, message: f.message, recommendation: f.recommendation })) };
}

/** The Markdown section, between markers so that attaching again replaces it. */
export function benchMarkdown(s: BenchSection): string {
  const out = [MD_BEGIN, '## nsys-tp: what the trace shows', ''];
  out.push(`${mdEscape(s.gpus)}, TP=${s.tp}; steps: ${mdEscape(s.stepDetection)}; trace: ${s.traces.map((t) => `\`${mdEscape(t)}\``).join(', ')}.`, '');
  const rows = (['prefill', 'mixed', 'decode', 'step'] as const).flatMap((ph) => {
    const p = s[ph];
    return p
      ? [[ph, String(p.steps), (p.medianStepNs / 1e6).toFixed(2), `${(p.p10StepNs / 1e6).toFixed(2)}–${(p.p90StepNs / 1e6).toFixed(2)}`, fmtPct(p.commShare), fmtPct(p.exposedCommShare), fmtPct(p.idleShare)]]
      : [];
  });
  out.push(...mdTable(['phase', 'steady steps', 'median step (ms)', 'p10–p90 (ms)', 'comm share', 'exposed comm', 'idle'], rows), '');
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
