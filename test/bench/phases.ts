/**
 * Where diagnose's time goes, phase by phase, read in one thread (no worker) so that phases add up to the
 * work done: `node phases.js FILE` prints JSON {readMs, modelMs, analysesMs, reportMs}. The benchmark
 * reports it to say what, beyond SQLite's reading, the ratio to the bare scan is made of.
 */
import { buildModel, diagnoseModel, readTraceInput, render } from '../../index.js';

let t = performance.now();
const lap = () => {
  const d = performance.now() - t;
  t = performance.now();
  return Math.round(d);
};
const raw = readTraceInput(process.argv[2]!);
const readMs = lap();
const model = buildModel([raw]);
const modelMs = lap();
const { result } = diagnoseModel(model);
const analysesMs = lap();
await render(result, 'json');
const reportMs = lap();
process.stdout.write(JSON.stringify({ readMs, modelMs, analysesMs, reportMs }) + '\n');
