/**
 * The doctor report as a document: the verdict, one row per fact (status, what the trace shows), then
 * each gap with its evidence, cost and the rules it keeps from running, then the command lines that
 * capture it right for the trace's runtime, and the evidence of every fact.
 */
import type { DoctorResult } from '../../contract/results.js';
import { heading, para, type Block, type Doc } from '../document.js';

const MARK: Record<string, string> = { ok: 'ok', gap: 'MISSING', info: 'note' };

/** The recapture command lines, as the README documents them: one per line. */
export function recaptureLines(r: DoctorResult): string[] {
  return [r.recapture.profile, r.recapture.export];
}

export function doctorDoc(r: DoctorResult): Doc {
  const gaps = r.facts.filter((f) => f.status === 'gap');
  const blocks: Block[] = [
    heading(2, 'What the capture holds', `${r.facts.filter((f) => f.status === 'ok').length} ok, ${r.facts.filter((f) => f.status === 'gap').length} missing, ${r.facts.filter((f) => f.status === 'info').length} notes`),
    { kind: 'list', items: r.facts.map((f) => `${MARK[f.status]} · ${f.title}: ${f.statement}`) },
  ];
  if (gaps.length) {
    blocks.push(heading(2, 'What is missing, and what it costs', `${gaps.length} gap${gaps.length === 1 ? '' : 's'}`));
    for (const g of gaps) {
      const items = [
        `costs: ${g.cost ?? '-'}`,
        ...(g.rulesNotRun.length ? [`rules that cannot run: ${g.rulesNotRun.join(', ')}`] : []),
        `evidence: ${g.evidence}`,
        ...g.fixes.map((x) => `fix (${x.where === 'workload' ? 'in the workload' : `nsys ${x.where}`}): ${x.flag} (${x.note})`),
      ];
      blocks.push(heading(3, `${g.title}: ${g.statement}`), { kind: 'list', items });
    }
  }
  const rc = r.recapture;
  blocks.push(
    heading(2, `Capture it right (${rc.name})`, rc.exportOnly ? 'every gap closes by exporting the same report again' : undefined),
    { kind: 'code', lines: recaptureLines(r) },
    ...rc.notes.map((n) => para(n, 'muted')),
  );
  blocks.push(para(`${r.trace.commandLine ? 'The command is the one the trace recorded. ' : 'The trace records no command line: put yours for <command>. '}The README's "Recapturing a trace" section has these lines for every runtime.`, 'muted'));
  blocks.push({
    kind: 'section', title: 'Evidence', detail: true, open: false,
    blocks: [{ kind: 'list', items: r.facts.map((f) => `${f.title}: ${f.evidence}`) }],
  });
  const gpuNames = new Map<string, number>();
  for (const g of r.trace.gpus) gpuNames.set(g.name, (gpuNames.get(g.name) ?? 0) + 1);
  return {
    title: `nsys-tp ${r.tool.version} doctor · ${r.trace.paths.join(', ')}`,
    meta: [
      para(`Nsight Systems ${r.trace.nsysVersion ?? '?'} (export schema ${r.trace.exportSchema ?? '?'}) · ${[...gpuNames].map(([n, c]) => `${c} × ${n}`).join(', ')} · runtime ${r.trace.runtime.name}`),
      para(`Verdict: ${r.verdict} (exit ${r.exitCode}): ${r.verdictReason}`, r.verdict === 'complete' ? undefined : 'warning'),
    ],
    blocks,
  };
}
