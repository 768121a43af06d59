/**
 * The bad-input catalogue, side inputs: --model, --config, benchmark reports, saved results, options,
 * stdin and stdout that are broken or not plain files, on every command that reads them
 * (support/catalogueCase.ts runs each case).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BAD_CONFIGS, BAD_MODELS, BAD_OPTIONS, BAD_REPORT_JSON, BAD_REPORT_MD, BAD_REPORTS, BAD_SAVED_RESULTS, savedDiagnosis, BAD_STDIN, STDIN_FILES, sideFiles, type Made } from './support/broken.js';
import { ATTACH_COMMANDS, CONFIG_COMMANDS, MODEL_COMMANDS, RENDER_COMMANDS, SAVED_COMMANDS, STDIN_COMMANDS, STDOUT_COMMANDS, optionCommands, pool, runCliAsync, cleanExit } from './support/catalogue.js';
import { CONCURRENCY, fileCase, runCase, tallyText } from './support/catalogueCase.js';
import { textFile } from './support/fixtures.js';
import { REPO } from './support/traces.js';

/** Pipes wait this long in the side-input cases (a FIFO nobody writes to is refused after it). */
const PIPE_ENV = { NSYS_TP_PIPE_TIMEOUT: '1' };
const LLAMA = JSON.stringify({ hidden_size: 8192, intermediate_size: 28672, num_attention_heads: 64, num_key_value_heads: 8, num_hidden_layers: 80, vocab_size: 128256, torch_dtype: 'bfloat16' });

describe('side inputs that are not plain files: --model', () => {
  for (const f of sideFiles(LLAMA, /more than 4 MiB/)) it(f.name, () => runCase(f, MODEL_COMMANDS, { env: PIPE_ENV }));
});

describe('side inputs that are not plain files: --config', () => {
  for (const f of sideFiles('{"kernelClasses": [{"class": "gemm", "pattern": "^nvjet_"}]}', /more than 4 MiB/)) it(f.name, () => runCase(f, CONFIG_COMMANDS, { env: PIPE_ENV }));
});

describe('benchmark results attach may not rewrite', () => {
  for (const f of BAD_REPORTS) it(f.name, () => runCase(f, ATTACH_COMMANDS, { env: PIPE_ENV }));
  for (const f of BAD_REPORT_JSON) it(f.name, () => runCase(f, ATTACH_COMMANDS.slice(0, 1)));
  for (const f of BAD_REPORT_MD) it(`Markdown: ${f.name}`, () => runCase(f, ATTACH_COMMANDS.slice(1)));
});

describe('side inputs that are not plain files: render (issue 23, item 7: read with the limits compare uses)', () => {
  const files = () => sideFiles(JSON.stringify(savedDiagnosis()), /more than 256 MiB/).filter((f) => !/5 MB/.test(f.name));
  for (const f of files()) it(f.name, () => runCase(f.expect === 'error' && /null/.test(f.name) ? { ...f, message: /not a JSON result/ } : f, RENDER_COMMANDS, { env: PIPE_ENV }));
});

describe('saved results with impossible values (issue 23, item 6)', () => {
  for (const f of BAD_SAVED_RESULTS) it(f.name, () => runCase(f, SAVED_COMMANDS));
});

describe('bad options', () => {
  for (const b of BAD_OPTIONS) {
    it(b.name, () => runCase({ name: b.name, expect: 'error', message: b.message, make: (d) => ({ path: b.config ? textFile(d, 'nsys-tp.json', b.config) : join(d, 'none') }) }, optionCommands(b.args)));
  }
});

describe('stdin that is not text (opened as stdin)', () => {
  for (const f of STDIN_FILES) it(f.name, () => runCase(f, STDIN_COMMANDS, { stdin: 'path' }));
});

describe('stdout that cannot take the output', () => {
  const good = (): Made => ({ path: join(REPO, 'samples', 'tp4graph-decode.sqlite') });
  it('stdout is /dev/full: one line, exit 2', async () => {
    const runs = await pool(STDOUT_COMMANDS.map((row) => () => runCliAsync(row.args(good().path), { stdout: 'full' })), CONCURRENCY);
    const problems = runs.flatMap((r, i) => [...cleanExit(r), ...(r.status === 2 && /stdout: cannot write \(ENOSPC/.test(r.stderr) ? [] : [`exit ${r.status}: ${r.stderr}`])].map((p) => `${STDOUT_COMMANDS[i]!.command}: ${p}`));
    expect(problems, problems.join('\n')).toEqual([]);
  });
  it('stdout is a pipe its reader closed (| head -c 0): ends quietly, exit 0', async () => {
    const runs = await pool(STDOUT_COMMANDS.map((row) => () => runCliAsync(row.args(good().path), { stdout: 'closed' })), CONCURRENCY);
    const problems = runs.flatMap((r, i) => [...cleanExit(r), ...(r.status === 0 && r.stderr === '' ? [] : [`exit ${r.status}: ${r.stderr}`])].map((p) => `${STDOUT_COMMANDS[i]!.command}: ${p}`));
    expect(problems, problems.join('\n')).toEqual([]);
  });
});

describe('bad model configs (--model)', () => {
  for (const f of BAD_MODELS) it(f.name, () => runCase(fileCase(f), MODEL_COMMANDS));
});

describe('bad nsys-tp configs (--config)', () => {
  for (const f of BAD_CONFIGS) it(f.name, () => runCase(fileCase(f), CONFIG_COMMANDS));
});

describe('bad stdin', () => {
  for (const f of BAD_STDIN) it(f.name, () => runCase(fileCase(f), STDIN_COMMANDS, { stdin: 'bytes' }));
});

afterAll(() => {
  console.log(tallyText());
});
