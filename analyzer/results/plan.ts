/** The result of `plan`: a model at each TP degree asked for (analyzer/plan/tpPlan.ts), with the plan checks. */
import type { ModelShape, TpPlanRow } from '../contract/plan.js';
import { tpPlan, type PlanOptions } from '../plan/tpPlan.js';
import { runPlanRules, sortFindings, type RunOptions } from '../../rules/engine.js';
import { PLAN_RULES } from '../../rules/index.js';
import type { Finding } from '../contract/findings.js';
import { TOOL } from '../contract/tool.js';
import type { PlanResult } from '../contract/results.js';


export function buildPlanResult(model: ModelShape, o: PlanOptions, rules: RunOptions = {}): PlanResult {
  const plans = tpPlan(model, o);
  const findings = sortFindings(plans.flatMap((plan) => runPlanRules({ model, plan }, PLAN_RULES, rules).findings));
  return { schemaVersion: 1, kind: 'plan', tool: TOOL, model, gpu: o.gpu.name, batch: o.batch, context: o.context, memoryUtilization: o.memoryUtilization, plans, findings };
}
