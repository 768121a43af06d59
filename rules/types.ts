/**
 * The rule contract (ESLint's meta + messages, Lighthouse's audits): a rule is one file whose `meta` says
 * what it checks, which options it takes (typed, validated by the engine), the data it reads (a trace
 * rule's `deps`, whose missing ones are why it does not run) and the templates of what it says; its
 * `check` receives the declared data and returns reports: a message id, the ids and numbers the template
 * is filled from, and the evidence behind it. The engine applies the severity, renders the templates
 * (rules/messageFormat.ts) and lists the rules it could not run. Rules import analyses, never report code
 * (docs/architecture.md).
 */
import type { Analysis } from '../analyzer/analysis.js';
import type { ModelShape, TpPlanRow } from '../analyzer/contract/plan.js';
import type { ScalingRow } from '../analyzer/contract/scaling.js';
import type { Severity } from '../analyzer/severity.js';
import { requiredData, requirementsOf, type DataName, type RequiredData, type Requirement } from './requirements.js';
import type { Finding, RuleNotRun, SupersededFinding, TimelineLocation } from '../analyzer/contract/findings.js';
import type { Messages, Text } from './messageFormat.js';

export type { TimelineLocation, Messages, Text };

export { SEVERITY_ORDER, type Severity } from '../analyzer/severity.js';

/**
 * One option: its kind decides what values it takes. A ratio is a fraction of a whole (0.2, never 20), a
 * duration is in ns, a size in bytes, a count a whole number.
 */
export type OptionSpec =
  | { type: 'ratio'; default: number; description: string }
  | { type: 'factor'; default: number; description: string }
  | { type: 'duration'; default: number; description: string }
  | { type: 'bytes'; default: number; description: string }
  | { type: 'count'; default: number; description: string };

export type OptionSchema = Record<string, OptionSpec>;

/** The values a rule's check receives: every option, the user's value or the default. */
export type OptionValues<S extends OptionSchema> = { readonly [K in keyof S]: number };

export interface RuleMeta<S extends OptionSchema, M extends string> {
  id: string;
  severity: Severity;
  title: string;
  description: string;
  options: S;
  /**
   * What the rule needs; without it the engine does not run the rule and says why (rules/requirements.ts).
   * A trace rule does not write it: it is the requirements among the data its `deps` declare.
   */
  requires: readonly Requirement[];
  /** A trace rule's declared data (rules/requirements.ts), what its check may read. */
  deps?: readonly DataName[];
  /**
   * What the rule can say (its findings' messages), advise (their recommendations) and call a place
   * (its locations), as templates with placeholders (rules/messageFormat.ts) that the engine fills from
   * the reported data: a rule writes no sentence in its check.
   */
  messages: Messages<M>;
}

/** A place on the timeline as a check reports it: what is there is a message of the rule, filled by the engine. */
export type RuleLocation = Omit<TimelineLocation, 'what'> & { what: Text };

/** What a check reports; the engine turns it into a Finding. */
export interface RuleReport<Id extends string, D> {
  /** The message (what was measured and what it means) and the recommendation (what to try). */
  messageId: Id;
  fixId: Id;
  /** Ids, names and numbers the templates are filled from; a part said in words is a nested message ({messageId, data}). */
  data: D;
  /** The numbers behind the message, for tools and for people who want more: device ids, steps, ns. */
  evidence: Record<string, unknown>;
  /** Time the fix could save per step (ns), where computable; findings with more impact sort first. */
  impactNs?: number;
  /**
   * What the finding costs as a share of the time it is about (its phase's step, or the run): the
   * measured cost that sets its place in the list, and for rules with a cost threshold its severity.
   */
  costShare?: number;
  /**
   * This report's severity, when it is less than the rule's (meta.severity is the most the rule reports):
   * a guess is at most info, a finding below its rule's cost threshold is info.
   */
  severity?: Severity;
  /**
   * The rule whose finding explains this one better (a fabric that is measured slow explains serialized
   * communication): the finding is kept in the outcome's `superseded` list, not shown as a finding.
   */
  supersededBy?: string;
  /** Where on the capture's timeline to look (GPU, stream, session-clock ns): the places the message names. */
  locations?: RuleLocation[];
}

/**
 * A rule over one input: an analysed trace, a TP plan, or traces at several TP degrees. M is every id of
 * its messages (findings', fixes', places' and the parts they include); Id, the ones a report names, must be among them.
 */
export interface RuleOf<I, S extends OptionSchema = OptionSchema, Id extends M = any, D = never, M extends string = string> {
  meta: RuleMeta<S, M>;
  check(input: I, options: OptionValues<S>): RuleReport<Id, D>[];
}

/** A rule on an analysed trace, run by diagnose and every command that diagnoses. */
export type Rule<S extends OptionSchema = any, Id extends string = any, D = any> = RuleOf<Analysis, S, Id, D>;

/**
 * A trace rule as written: its meta declares the data it reads (`deps`), its check receives those, typed
 * (RequiredData, the DevTools trace engine's pattern), and its requirements follow from them.
 */
export interface TraceRuleDef<S extends OptionSchema, M extends string, Id extends M, D, Deps extends readonly DataName[]> {
  meta: Omit<RuleMeta<S, M>, 'requires' | 'deps'> & { deps: Deps };
  check(data: RequiredData<Deps>, options: OptionValues<S>): RuleReport<Id, D>[];
}

/** Typed trace rule definition: the check is given what `deps` names, read from the analysis the engine runs it on. */
export function defineTraceRule<S extends OptionSchema, M extends string, Id extends M, D, const Deps extends readonly DataName[]>(
  rule: TraceRuleDef<S, M, Id, D, Deps>,
): RuleOf<Analysis, S, Id, D, M> {
  const { deps } = rule.meta;
  return { meta: { ...rule.meta, requires: requirementsOf(deps) }, check: (a, o) => rule.check(requiredData(a, deps), o) };
}

/** A plan check on a model at one TP degree: run by `plan` for each TP and by diagnose for the trace's TP. */
export interface PlanInput {
  model: ModelShape;
  plan: TpPlanRow;
  /** With a trace (diagnose): whether it runs FP8 GEMMs; absent when planning without one. */
  traceRunsFp8?: boolean;
}
export type PlanRule<S extends OptionSchema = any, Id extends string = any, D = any> = RuleOf<PlanInput, S, Id, D>;

/** A rule across traces of one model at several TP degrees (`scaling`): rows sorted by TP. */
export type ScalingRule<S extends OptionSchema = any, Id extends string = any, D = any> = RuleOf<readonly ScalingRow[], S, Id, D>;

/** Typed rule definition: infers the option, message and data types from the object itself. */
export function defineRule<I, S extends OptionSchema, M extends string, Id extends M, D>(rule: RuleOf<I, S, Id, D, M>): RuleOf<I, S, Id, D, M> {
  return rule;
}

/** What running a set of rules gave. */
export interface RuleOutcome {
  findings: Finding[];
  notRun: RuleNotRun[];
  /** Findings a more telling finding of another rule explains (not shown as findings; compare reads them). */
  superseded?: SupersededFinding[];
}
