/**
 * The result of `doctor`: what the capture holds and lacks for a TP diagnosis (analyzer/capture/
 * captureCheck.ts), each fact with its evidence, what every gap costs (the rules it keeps from running),
 * and the command lines that capture it right for the runtime the trace shows. Its exit code is part of
 * the result: 0 complete, 1 usable with gaps, 2 not a TP capture nsys-tp can diagnose.
 */
import type { CaptureFact } from '../capture/captureCheck.js';
import { filled, recipeFor } from '../capture/recapture.js';
import type { Reads } from '../data.js';
import type { CaptureGaps, CaptureRuntime, DeclaredSize, DoctorFact, Fix, Lack } from '../contract/reports.js';
import { RULES } from '../../rules/index.js';
import type { Requirement } from '../../rules/requirements.js';
import { TOOL } from '../contract/tool.js';
import type { DoctorResult } from '../contract/results.js';

const REQUIREMENT_OF: Partial<Record<Lack, Requirement>> = { collectives: 'collectives', launches: 'launches' };

/** The rules a lack keeps from running: those that require what it takes away. */
function rulesLacking(lacks: readonly Lack[]): string[] {
  const reqs = lacks.map((l) => REQUIREMENT_OF[l]).filter((r): r is Requirement => r !== undefined);
  return RULES.filter((r) => r.meta.requires.some((q: Requirement) => reqs.includes(q))).map((r) => r.meta.id);
}

export function buildDoctorResult(a: Reads<'captureCheck' | 'runtime' | 'model'>, paths?: string[]): DoctorResult {
  const check = a.captureCheck;
  const { model } = a;
  const shown = paths ?? model.files.map((f) => f.path);
  const first = model.files[0]!.meta;
  const recipe = recipeFor(a);
  const facts = check.facts.map((f) => ({ ...f, rulesNotRun: f.status === 'gap' ? rulesLacking(f.lacks) : [] }));
  const gaps = facts.filter((f) => f.status === 'gap');
  const seen = new Set<string>();
  const fixes = gaps.flatMap((g) => g.fixes).filter((x) => (seen.has(x.flag) ? false : (seen.add(x.flag), true)));
  const exitCode = check.verdict === 'unusable' ? 2 : check.verdict === 'gaps' ? 1 : 0;
  return {
    schemaVersion: 1,
    kind: 'doctor',
    tool: TOOL,
    trace: {
      path: shown[0]!, paths: shown, nsysVersion: first.nsysVersion, exportSchema: first.exportSchema,
      gpus: model.devices.map((d) => ({ deviceId: d.deviceId, name: d.gpu?.name ?? 'unknown GPU' })),
      runtime: a.runtime, commandLine: first.command,
    },
    verdict: check.verdict,
    exitCode,
    verdictReason: check.verdictReason,
    world: { declared: check.declaredRanks, found: check.foundRanks, missing: check.missingRanks, sources: check.declared },
    facts,
    recapture: {
      runtime: recipe.runtime, name: recipe.name, profileTemplate: recipe.env ? `${recipe.env} ${recipe.profile}` : recipe.profile,
      profile: filled(recipe, first.command), export: recipe.export, notes: recipe.notes, fixes,
      exportOnly: gaps.length > 0 && gaps.every((g) => g.fixes.length > 0 && g.fixes.every((x) => x.where === 'export')),
    },
  };
}

export function captureGaps(a: Reads<'captureCheck'>): CaptureGaps {
  const c = a.captureCheck;
  return { verdict: c.verdict, gaps: c.facts.filter((f) => f.status === 'gap').map((f) => ({ id: f.id, short: f.short ?? f.title })) };
}
