/**
 * The result of `attach`: nsys-tp's summary of a trace for a benchmark report of the same run (the
 * `nsysTp` member of a result JSON such as `vllm bench serve --save-result` writes, or a Markdown
 * section). Step numbers are those compare and scaling use: steady steps, each from the first GPU to
 * start to the last to finish; times per class are per step per GPU.
 */
import { stepSample } from '../across/compare/stepShift.js';
import { gpuText } from '../summary/traceSummary.js';
import type { TraceSummary } from '../contract/summary.js';
import type { Finding } from '../contract/findings.js';
import { TOOL } from '../contract/tool.js';
import type { AttachResult, ReportFormat } from '../contract/results.js';
import type { BenchSection } from '../contract/reports.js';

export const ATTACH_KEY = 'nsysTp';

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

export function benchSection(s: TraceSummary): BenchSection {
  const out: Omit<BenchSection, 'findings'> & Partial<BenchSection> = {
    tool: `nsys-tp ${TOOL.version}`,
    traces: s.paths,
    gpus: gpuText(s, 'x'),
    tp: s.tp,
    stepDetection: s.stepDetection,
  };
  for (const p of s.phases) {
    const st = stepSample(p.stepTimesNs);
    out[p.phase] = {
      steps: st.count, medianStepNs: Math.round(st.medianNs), p10StepNs: Math.round(st.p10Ns), p90StepNs: Math.round(st.p90Ns),
      meanGpuStepNs: Math.round(p.spanNs),
      commShare: r4(p.commShare), exposedCommShare: r4(p.exposedCommShare), idleShare: r4(p.idleShare),
      timeNs: Object.fromEntries(Object.entries(p.classNs).map(([c, ns]) => [c, Math.round(ns)])),
    };
  }
  // Findings last, after the numbers they explain.
  return { ...out, findings: s.findings.map((f) => ({ rule: f.rule, severity: f.severity, message: f.message, recommendation: f.recommendation })) };
}

export function buildAttachResult(report: string, format: ReportFormat, replaced: boolean, summary: TraceSummary, findings: Finding[]): AttachResult {
  return { schemaVersion: 1, kind: 'attach', tool: TOOL, report, format, replaced, section: benchSection(summary), findings };
}
