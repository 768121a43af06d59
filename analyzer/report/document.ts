/**
 * A report as format-neutral blocks: headings, paragraphs, tables of preformatted cells, findings,
 * charts, sections. Each kind of result has one document builder (documents/), where every number is
 * spelled once; each format (formats/) lays the blocks out its way. So the terminal, Markdown and HTML
 * show the same numbers with the same rounding, and a new format is one file.
 */
import type { Severity } from '../severity.js';

export interface Heading {
  kind: 'heading';
  /** 1: the report; 2: a part of it (a phase, the collectives); 3: a part of a part. */
  level: 1 | 2 | 3;
  text: string;
  /** What the part holds, in one line: `18 steps per GPU, 16 steady · step time 77.17 ms`. */
  detail?: string;
}

export interface Para {
  kind: 'para';
  /** May hold `code` spans (backticks). */
  text: string;
  tone?: 'muted' | 'warning';
}

export interface List {
  kind: 'list';
  items: string[];
}

export interface Row {
  cells: string[];
  /** group: a label row for the rows below it; sub: a part of the row above; frame / total: around a breakdown. */
  style?: 'group' | 'sub' | 'frame' | 'total';
}

export interface Table {
  kind: 'table';
  title?: string;
  head: string[];
  rows: Row[];
  /** Leading columns that name the row (left-aligned, and repeated when a narrow format splits the table). */
  labelColumns?: number;
  note?: string;
}

export interface FindingItem {
  severity: Severity;
  rule: string;
  /** Where the finding is about, when it is (`decode`, `GPU 3`). */
  where?: string;
  message: string;
  recommendation?: string;
  /** Where on the capture's timeline to look, spelled (`12.413215–12.495555 s · GPU 0, stream 7 · what`). */
  locations?: string[];
  /** In a comparison: added (+), resolved (−), in both (=). */
  mark?: '+' | '−' | '=';
}

export interface Findings {
  kind: 'findings';
  title: string;
  /** What the list holds, when more than a count says (`1 added, 2 resolved`). */
  detail?: string;
  items: FindingItem[];
  /** Said when there are none. */
  none: string;
}

export interface Chart {
  kind: 'chart';
  /** The chart's name in the result's charts (charts/reportCharts.ts). */
  name: string;
}

export interface Section {
  kind: 'section';
  title: string;
  blocks: Block[];
  /** Long detail: documents show it folded; the terminal leaves it to its own command (`layers`). */
  detail?: boolean;
  open?: boolean;
  /** Lay the blocks out side by side where the page is wide enough (HTML); in order elsewhere. No title is shown. */
  columns?: boolean;
}

/** Command lines to copy: never wrapped, shown verbatim (a shell code block). */
export interface Code {
  kind: 'code';
  lines: string[];
}

export type Block = Heading | Para | List | Code | Table | Findings | Chart | Section;

export interface Doc {
  /** The report's title and the lines under it (trace, GPUs, how steps were found, warnings). */
  title: string;
  meta: Para[];
  blocks: Block[];
}

export const heading = (level: Heading['level'], text: string, detail?: string): Heading => (detail === undefined ? { kind: 'heading', level, text } : { kind: 'heading', level, text, detail });
export const para = (text: string, tone?: Para['tone']): Para => (tone ? { kind: 'para', text, tone } : { kind: 'para', text });
export const row = (cells: string[], style?: Row['style']): Row => (style ? { cells, style } : { cells });
