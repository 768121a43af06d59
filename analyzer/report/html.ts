/**
 * `diagnose --format html`: one self-contained page (inline CSS, inline SVG charts, no script, nothing
 * fetched: a Content-Security-Policy forbids it), with the tables of the Markdown report, the per-layer
 * tables and the charts. Every string that comes from the trace is HTML-escaped.
 */
import { fmtNs, htmlEscape, termSafe } from './format.js';
import type { Chart } from './charts/reportCharts.js';
import type { LayerResult } from './layerResult.js';
import { LAYER_HEADER, LAYER_WINDOWS, layerHeadline, layerTable, outlierText } from './layerTable.js';
import { phaseRows } from './phaseRows.js';
import type { DiagnoseResult } from './result.js';

const PHASES = ['prefill', 'mixed', 'decode', 'step'] as const;

/** Markup escaped, control characters (terminal escapes in NVTX names) dropped. */
const esc = (s: string) => htmlEscape(termSafe(s));
/** Findings mark commands and flags with backticks, Markdown style: code spans here, after escaping. */
const prose = (s: string) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');
const TITLES = { prefill: 'Prefill', mixed: 'Mixed (prefill and decode in one step)', decode: 'Decode', step: 'Steps' } as const;

const CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1d1d1f;
  margin: 0 auto; padding: 24px 32px 48px; max-width: 1180px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; } .meta { color: #555; margin: 2px 0; }
table { border-collapse: collapse; margin: 8px 0 4px; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
th { background: #f6f6f6; font-weight: 600; } th:first-child, td:first-child { text-align: left; }
tr.frame td { color: #666; font-style: italic; } tr.total td { border-top: 1px solid #999; font-weight: 600; }
.finding { border-left: 4px solid #999; padding: 6px 12px; margin: 10px 0; background: #fafafa; }
.finding.warning { border-color: #e8a33d; } .finding.error { border-color: #d9534f; } .finding.info { border-color: #5b9bd5; }
.finding .rule { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
.finding .try { color: #333; margin-top: 4px; } .warn { color: #8a5a00; }
figure { margin: 16px 0; overflow-x: auto; } figure svg { max-width: 100%; height: auto; }
details { margin: 6px 0; } summary { cursor: pointer; font-weight: 600; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; background: #f3f3f3; padding: 0 3px; }
`;

function tableHtml(header: string[], rows: string[][], rowClass: (i: number) => string = () => ''): string {
  const head = `<tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r, i) => `<tr${rowClass(i) ? ` class="${rowClass(i)}"` : ''}>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function phaseTable(r: DiagnoseResult, phase: (typeof PHASES)[number]): string {
  const t = phaseRows(r, phase);
  return t ? `<h3>${TITLES[phase]}</h3>\n${tableHtml(['', ...t.devices.map((d) => d.label)], t.rows)}` : '';
}

/** Charts come from vega's SVG renderer, which escapes text; refuse anything that could run or load. */
function chartHtml(c: Chart | undefined): string {
  if (!c) return '';
  if (/<script|<foreignObject|<iframe|\son[a-z]+\s*=|(href|src)\s*=\s*["']?\s*(javascript|https?):/i.test(c.svg)) {
    return `<p class="warn">chart "${esc(c.title)}" left out: its SVG holds active content</p>`;
  }
  return `<figure aria-label="${esc(c.title)}">${c.svg}</figure>`;
}

export function renderHtml(r: DiagnoseResult, layers: LayerResult, charts: Chart[]): string {
  const chart = (name: string) => chartHtml(charts.find((c) => c.name === name));
  const out: string[] = [];
  const title = `nsys-tp: ${r.trace.paths.join(', ')}`;
  out.push('<!doctype html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">', `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`, '</head>', '<body>');
  out.push(`<h1>nsys-tp diagnosis</h1>`);
  out.push(`<p class="meta">${r.trace.paths.map((p) => `<code>${esc(p)}</code>`).join(', ')}</p>`);
  const gpuNames = [...new Set(r.trace.gpus.map((g) => g.name))];
  out.push(`<p class="meta">Nsight Systems ${esc(r.trace.nsysVersion ?? '?')}, export schema ${esc(r.trace.exportSchema ?? '?')} · ` +
    `${r.trace.gpus.length} GPU(s): ${esc(gpuNames.join(', '))} · nsys-tp ${esc(r.tool.version)}</p>`);
  out.push(`<p class="meta">Steps: ${esc(r.stepDetection.description)}.</p>`);
  for (const w of r.warnings) out.push(`<p class="warn">warning: ${esc(w)}</p>`);

  out.push('<h2>Findings</h2>');
  if (r.findings.length === 0) out.push('<p>None.</p>');
  for (const f of r.findings) {
    out.push(`<div class="finding ${esc(f.severity)}"><div><strong>${esc(f.severity)}</strong> <span class="rule">${esc(f.rule)}</span>: ${prose(f.message)}</div>` +
      `<div class="try"><em>What to try:</em> ${prose(f.recommendation)}</div></div>`);
  }

  out.push('<h2>Where the time goes</h2>');
  for (const p of PHASES) out.push(phaseTable(r, p));
  out.push(chart('classes'));
  out.push(chart('timeline'));
  if (r.collectives.count > 0) {
    out.push(`<p>${r.collectives.count} collective instances: transfer ${esc(fmtNs(r.collectives.transferNs))}, waiting ${esc(fmtNs(r.collectives.waitNs))}.</p>`);
  }

  out.push('<h2>Layers</h2>');
  const methods = Object.values(layers.methods);
  out.push(methods.length ? methods.map((m) => `<p>Layers from ${esc(m)}.</p>`).join('\n') + `\n<p>${esc(LAYER_WINDOWS)}</p>` : '<p>No layers found.</p>');
  for (const phase of PHASES) {
    const ps = layers.phases.filter((p) => p.phase === phase);
    if (ps.length === 0) continue;
    out.push(`<h3>${TITLES[phase]}</h3>`);
    out.push(chart(`layers-${phase}`));
    ps.forEach((p, i) => {
      const head = `${p.label}: ${layerHeadline(p)}`;
      if (p.layers === 0) {
        out.push(`<p>${esc(head)}</p>`);
        return;
      }
      const t = layerTable(p);
      const o = outlierText(p);
      const last = t.rows.length - 1;
      out.push(`<details${i === 0 ? ' open' : ''}><summary>${esc(head)}</summary>`);
      out.push(`<p class="meta">Times in ${esc(t.unit)} per step.</p>`);
      out.push(tableHtml(LAYER_HEADER, t.rows, (k) => (k === last ? 'total' : k === 0 || k === last - 1 ? 'frame' : '')));
      if (o) out.push(`<p>Outlier layers: ${esc(o)}.</p>`);
      out.push('</details>');
    });
  }
  out.push('</body>', '</html>');
  return out.join('\n') + '\n';
}
