/**
 * The HTML format: a document as one self-contained page (inline CSS, inline SVG charts, no script,
 * nothing fetched: a Content-Security-Policy forbids it), long detail folded in <details>. Every string
 * that comes from a trace is escaped; charts come from vega's SVG renderer and are refused if they hold
 * anything that could run or load.
 */
import type { Chart as ChartSvg } from '../charts/reportCharts.js';
import type { Block, Doc, FindingItem, Table } from '../document.js';
import { htmlEscape, termSafe } from '../format.js';

/** Markup escaped, control characters (terminal escapes in NVTX names) dropped. */
const esc = (s: string) => htmlEscape(termSafe(s));
/** The tool's sentences mark commands and flags with backticks: code spans here, after escaping. */
const prose = (s: string) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');

const CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1d1d1f;
  margin: 0 auto; padding: 24px 32px 48px; max-width: 1180px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; } .meta { color: #555; margin: 2px 0; } .detail { color: #555; margin: 0 0 8px; }
table { border-collapse: collapse; margin: 8px 0 4px; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
th { background: #f6f6f6; font-weight: 600; } th.label, td.label { text-align: left; }
tr.group td { font-style: italic; color: #444; } tr.sub td.label { padding-left: 26px; color: #444; }
tr.frame td { color: #666; font-style: italic; } tr.total td { border-top: 1px solid #999; font-weight: 600; }
.note { color: #555; font-size: 13px; margin: 2px 0 12px; }
.finding { border-left: 4px solid #999; padding: 6px 12px; margin: 10px 0; background: #fafafa; }
.finding.warning { border-color: #e8a33d; } .finding.error { border-color: #d9534f; } .finding.info { border-color: #5b9bd5; }
.finding .rule { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
.finding .try { color: #333; margin-top: 4px; } .finding .at { color: #555; font-size: 13px; font-variant-numeric: tabular-nums; } .warn { color: #8a5a00; }
figure { margin: 16px 0; overflow-x: auto; } figure svg { max-width: 100%; height: auto; }
.columns { display: flex; flex-wrap: wrap; gap: 8px 40px; align-items: flex-start; }
details { margin: 6px 0; } summary { cursor: pointer; font-weight: 600; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; background: #f3f3f3; padding: 0 3px; }
`;

function table(t: Table): string {
  const labels = t.labelColumns ?? 1;
  const cls = (i: number) => (i < labels ? ' class="label"' : '');
  const head = `<tr>${t.head.map((h, i) => `<th${cls(i)}>${esc(h)}</th>`).join('')}</tr>`;
  const body = t.rows
    .map((r) => `<tr${r.style ? ` class="${r.style}"` : ''}>${r.cells.map((c, i) => `<td${cls(i)}>${esc(c)}</td>`).join('')}</tr>`)
    .join('\n');
  const caption = t.title ? `<caption>${prose(t.title)}</caption>\n` : '';
  return `<table>\n${caption}<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>` + (t.note ? `\n<p class="note">${prose(t.note)}</p>` : '');
}

function finding(f: FindingItem): string {
  const where = f.where ? ` (${esc(f.where)})` : '';
  const mark = f.mark ? `${esc(f.mark)} ` : '';
  return `<div class="finding ${esc(f.severity)}"><div>${mark}<strong>${esc(f.severity)}</strong> <span class="rule">${esc(f.rule)}</span>${where}: ${prose(f.message)}</div>` +
    (f.locations ?? []).map((l) => `<div class="at">at ${esc(l)}</div>`).join('') +
    (f.recommendation ? `<div class="try"><em>What to try:</em> ${prose(f.recommendation)}</div>` : '') + '</div>';
}

/** Charts come from vega's SVG renderer, which escapes text; refuse anything that could run or load. */
function chart(c: ChartSvg | undefined): string {
  if (!c) return '';
  if (/<script|<foreignObject|<iframe|\son[a-z]+\s*=|(href|src)\s*=\s*["']?\s*(javascript|https?):/i.test(c.svg)) {
    return `<p class="warn">chart "${esc(c.title)}" left out: its SVG holds active content</p>`;
  }
  return `<figure aria-label="${esc(c.title)}">${c.svg}</figure>`;
}

function block(b: Block, charts: readonly ChartSvg[]): string {
  switch (b.kind) {
    case 'heading':
      return `<h${b.level}>${prose(b.text)}</h${b.level}>` + (b.detail ? `\n<p class="detail">${prose(b.detail)}</p>` : '');
    case 'para':
      return `<p${b.tone === 'warning' ? ' class="warn"' : b.tone === 'muted' ? ' class="note"' : ''}>${b.tone === 'warning' ? 'warning: ' : ''}${prose(b.text)}</p>`;
    case 'code':
      return `<pre style="overflow-x: auto; background: #f3f3f3; padding: 6px 8px"><code>${b.lines.map(esc).join('\n')}</code></pre>`;
    case 'list':
      return `<ul>\n${b.items.map((x) => `<li>${prose(x)}</li>`).join('\n')}\n</ul>`;
    case 'table':
      return table(b);
    case 'findings':
      return [`<h2>${esc(b.title)}</h2>`, ...(b.detail ? [`<p class="detail">${prose(b.detail)}</p>`] : []), ...(b.items.length ? b.items.map(finding) : [`<p>${prose(b.none)}</p>`])].join('\n');
    case 'chart':
      return chart(charts.find((c) => c.name === b.name));
    case 'section':
      if (b.columns) return ['<div class="columns">', ...b.blocks.map((x) => `<div>${block(x, charts)}</div>`), '</div>'].join('\n');
      return b.detail
        ? [`<details${b.open ? ' open' : ''}><summary>${prose(b.title)}</summary>`, ...b.blocks.map((x) => block(x, charts)), '</details>'].join('\n')
        : [`<h3>${prose(b.title)}</h3>`, ...b.blocks.map((x) => block(x, charts))].join('\n');
  }
}

export function renderHtmlDoc(doc: Doc, charts: readonly ChartSvg[] = []): string {
  const out = [
    '<!doctype html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">', `<title>${esc(doc.title)}</title>`,
    `<style>${CSS}</style>`, '</head>', '<body>',
    `<h1>${esc(doc.title)}</h1>`,
    ...doc.meta.map((m) => `<p class="${m.tone === 'warning' ? 'warn' : 'meta'}">${m.tone === 'warning' ? 'warning: ' : ''}${prose(m.text)}</p>`),
    ...doc.blocks.map((b) => block(b, charts)),
    '</body>', '</html>',
  ];
  return out.filter((l) => l !== '').join('\n') + '\n';
}
