/**
 * The Markdown format: a document as GitHub-flavoured Markdown for pull requests and benchmark reports:
 * pipe tables, findings as a list, long detail folded in <details>. Every string is escaped.
 */
import type { Block, Doc, FindingItem, Table } from '../document.js';
import { mdCode, mdEscape, termSafe } from '../format.js';

/**
 * Text as Markdown text: everything escaped, backticks too. The tool's sentences mark commands with
 * backticks, but they also quote trace strings, which can hold backticks of their own; telling the two
 * apart is not worth a way in for the trace.
 */
export const mdText = mdEscape;

export function mdTable(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function table(t: Table): string[] {
  const rows = t.rows.map((r) => r.cells.map((c, i) => (i === 0 && r.style === 'sub' ? `· ${mdEscape(c)}` : i === 0 && r.style === 'group' ? `*${mdEscape(c)}*` : mdEscape(c))));
  const width = Math.max(t.head.length, ...t.rows.map((r) => r.cells.length));
  const pad = (cells: string[]) => [...cells, ...Array(Math.max(0, width - cells.length)).fill('')];
  return [
    ...(t.title ? [`**${mdText(t.title)}**`, ''] : []),
    ...mdTable(pad(t.head.map(mdEscape)), rows.map(pad)),
    ...(t.note ? ['', `*${mdText(t.note)}*`] : []),
  ];
}

function finding(f: FindingItem): string[] {
  const where = f.where ? ` (${mdEscape(f.where)})` : '';
  const mark = f.mark ? `${f.mark} ` : '';
  return [
    `- ${mark}**${f.severity}** ${mdCode(f.rule)}${where}: ${mdText(f.message)}  `,
    ...(f.locations ?? []).map((l) => `  at ${mdText(l)}  `),
    ...(f.recommendation ? [`  *What to try:* ${mdText(f.recommendation)}`] : [])];
}

function block(b: Block): string[] {
  switch (b.kind) {
    case 'heading':
      return ['', `${'#'.repeat(b.level)} ${mdText(b.text)}`, ...(b.detail ? ['', mdText(b.detail)] : [])];
    case 'para':
      return ['', b.tone === 'warning' ? `> warning: ${mdText(b.text)}` : mdText(b.text)];
    case 'list':
      return ['', ...b.items.map((x) => `- ${mdText(x)}`)];
    case 'code': {
      // A fence longer than any run of backticks inside, so no line from a trace can close it.
      const run = Math.max(2, ...b.lines.map((x) => Math.max(0, ...(x.match(/`+/g) ?? []).map((m) => m.length))));
      const fence = '`'.repeat(run + 1);
      return ['', `${fence}sh`, ...b.lines.map((x) => termSafe(x)), fence];
    }
    case 'table':
      return ['', ...table(b)];
    case 'findings':
      return ['', `## ${mdText(b.title)}`, ...(b.detail ? ['', mdText(b.detail)] : []), '', ...(b.items.length ? b.items.flatMap(finding) : [mdText(b.none)])];
    case 'chart':
      return [];
    case 'section':
      if (b.columns) return b.blocks.flatMap(block);
      return b.detail
        ? ['', `<details${b.open ? ' open' : ''}><summary>${mdEscape(b.title)}</summary>`, ...b.blocks.flatMap(block), '', '</details>']
        : ['', `### ${mdText(b.title)}`, ...b.blocks.flatMap(block)];
  }
}

export function renderMarkdownDoc(doc: Doc): string {
  const out = [`# ${mdText(doc.title)}`, ''];
  for (const m of doc.meta) out.push(...(m.tone === 'warning' ? ['', `> warning: ${mdText(m.text)}`, ''] : [`${mdText(m.text)}  `]));
  for (const b of doc.blocks) out.push(...block(b));
  return out.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}
