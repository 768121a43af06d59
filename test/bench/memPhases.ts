/**
 * Where diagnose's peak memory is reached: the process's RSS sampled every 5 ms by a thread of its own while
 * diagnose's phases run as the CLI runs them (the reading with its worker threads, the trace model, the
 * analyses, each rule, the result, its JSON text), the greatest RSS seen during each phase. `node memPhases.js FILE`
 * prints JSON {phases: [[name, bytes]...]}. The benchmark reports it beside the peak of the CLI itself.
 */
import { Worker } from 'node:worker_threads';
import { Analysis, buildModel, render, RULES, runRules } from '../../index.js';
import { buildDiagnoseResult } from '../../analyzer/results/diagnose.js';
import { sortFindings } from '../../rules/engine.js';
import { readTraceInputs } from '../../queries/parallelRead.js';

const SAMPLER = `
const { workerData } = require('node:worker_threads');
const phase = new Int32Array(workerData, 0, 1);
const max = new Float64Array(workerData, 8, 255);
setInterval(() => {
  const r = process.memoryUsage.rss();
  const i = Atomics.load(phase, 0);
  if (r > max[i]) max[i] = r;
}, 5);`;

const shared = new SharedArrayBuffer(8 * 256);
const phase = new Int32Array(shared, 0, 1);
const max = new Float64Array(shared, 8, 255);
const sampler = new Worker(SAMPLER, { eval: true, workerData: shared });
const names: string[] = [];
const enter = (name: string) => {
  // The phase ending is measured once more here: a short one may see no sample.
  if (names.length) max[names.length - 1] = Math.max(max[names.length - 1]!, process.memoryUsage.rss());
  names.push(name);
  Atomics.store(phase, 0, names.length - 1);
};
const settle = () => new Promise((r) => setTimeout(r, 50));

await settle();
enter('read');
const inputs = await readTraceInputs(process.argv.slice(2));
enter('trace model');
const model = buildModel(inputs);
enter('analyses');
const analysis = new Analysis(model);
for (const k of ['steady', 'opStep', 'timeline', 'hostCalls', 'collectives', 'messageSizes', 'collectiveSummary'] as const) void analysis[k];
const outcomes = [];
for (const rule of RULES) {
  enter(`rule ${rule.meta.id}`);
  outcomes.push(runRules(analysis, [rule]));
}
enter('result');
const result = buildDiagnoseResult(analysis, { findings: sortFindings(outcomes.flatMap((o) => o.findings)), notRun: outcomes.flatMap((o) => o.notRun) });
enter('JSON');
const text = await render(result, 'json');
enter('end');
void text.length;
await settle();
process.stdout.write(JSON.stringify({ phases: names.slice(0, -1).map((n, i) => [n, max[i]!]) }) + '\n');
await sampler.terminate();
