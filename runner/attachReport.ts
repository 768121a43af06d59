/**
 * The benchmark report `attach` writes into: whether it already holds nsys-tp's section (checked before
 * any trace is read, so a wrong report costs no analysis), and its text with the section put in: the
 * `nsysTp` member of a result JSON, patched into the text as it is, or a Markdown section between markers.
 */
import { BadInputError } from '../analyzer/errors.js';
import { ATTACH_KEY } from '../analyzer/results/attach.js';
import type { BenchSection } from '../analyzer/contract/reports.js';
import type { ReportFormat } from '../analyzer/contract/results.js';
import { attachedSection, attachMarkdown, benchMarkdown, SectionError } from '../analyzer/report/benchAttach.js';
import { JsonShapeError, setTopLevelMember, topLevelKeys } from '../analyzer/report/jsonMember.js';

/** A benchmark report to attach to: its text, and whether it is a result JSON or Markdown. */
export interface AttachTarget {
  path: string;
  text: string;
  format: ReportFormat;
}

/** Whether the report already has a section (attaching replaces it); a report of neither form is bad input. */
export function hasSection(target: AttachTarget): boolean {
  if (target.format === 'json') {
    try {
      // Checked, not parsed: a report of tens of megabytes costs no object graph.
      return topLevelKeys(target.text).includes(ATTACH_KEY);
    } catch (e) {
      if (!(e instanceof JsonShapeError)) throw e;
      throw new BadInputError(`${target.path}: not a benchmark result JSON object (${e.message}); for a Markdown report pass --format md`);
    }
  }
  try {
    return attachedSection(target.text) !== null;
  } catch (e) {
    if (!(e instanceof SectionError)) throw e;
    throw new BadInputError(`${target.path}: ${e.message}`);
  }
}

/** The report's text with the section in it, the rest as it was. */
export function withSection(target: AttachTarget, section: BenchSection): string {
  return target.format === 'json' ? setTopLevelMember(target.text, ATTACH_KEY, section) : attachMarkdown(target.text, benchMarkdown(section));
}
