/**
 * A finding as every result and format carries it (rules/engine.ts makes them from the rules' reports),
 * where on the capture's timeline it points (analyzer/timeline/locations.ts), and the rules that did not
 * run or were superseded.
 */
import { z } from 'zod';
import { SEVERITIES } from '../severity.js';
import { arr, num, obj, oneOf, record, str } from './checks.js';

/**
 * Where on the capture's timeline a finding points: a GPU, a stream when the place is one op, and a
 * stretch of the session clock (ns, the clock the export's timestamps are on and the Nsight Systems GUI
 * shows in seconds), so a reader can zoom there.
 */
export const timelineLocationSchema = obj({
  deviceId: num,
  /** How reports name the GPU (`GPU 3`, `r1:GPU 0`). */
  label: str,
  /** The CUDA stream id as nsys shows it; null when the place is not one stream (an idle GPU, a host call). */
  stream: num.nullable(),
  startNs: num,
  endNs: num,
  /** What is there, in a few words: `idle gap before ncclDevKernel_...`, `typical decode step "decode 7"`. */
  what: str,
});
export type TimelineLocation = z.infer<typeof timelineLocationSchema>;

const findingShape = {
  rule: str,
  severity: oneOf(SEVERITIES),
  title: str,
  messageId: str,
  /** One or two sentences: what was measured and what it means. */
  message: str,
  /** What to try. */
  recommendation: str,
  /** The values the message was made from (ns, bytes, fractions, names), by the names its template uses; nested messages as their text. */
  data: record(z.unknown()),
  evidence: record(z.unknown()),
  impactNs: num.optional(),
  /** Its cost as a share of the step (or run) it is about, where measured: the list is ordered by it within a severity. */
  costShare: num.optional(),
  /** Where on the capture's timeline to look, most telling first; empty when the finding is about no place (a plan check). */
  locations: arr(timelineLocationSchema),
};
/** A finding as every result and format carries it (the JSON contract's fields, and the message's id and data). */
export const findingSchema = obj(findingShape);
export type Finding = z.infer<typeof findingSchema>;

/** A rule the engine did not run, and why (a missing input such as --model), so every format can say so. */
export const ruleNotRunSchema = obj({ rule: str, title: str, reason: str });
export type RuleNotRun = z.infer<typeof ruleNotRunSchema>;

/** A finding another rule's explains better: kept so a comparison can say it was superseded, not resolved. */
export const supersededFindingSchema = obj({ ...findingShape, supersededBy: str });
export type SupersededFinding = z.infer<typeof supersededFindingSchema>;
