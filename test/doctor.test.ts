/**
 * `nsys-tp doctor` on every real trace: its statements checked against how each was made (the READMEs of
 * ../shared/traces and test/traces) and against plain SQL on the export, never against its own output;
 * a one-rank file of a TP=4 run (split from tp4 as `-o report_%q{RANK}` would give) says 3 ranks missing;
 * the recapture lines it prints are the README's; diagnose's header names the same gaps.
 */
import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Analysis, diagnose, doctor, loadTrace, render, type DoctorResult } from '../index.js';
import { RECIPES } from '../runner/frontend.js';
import { buildDoctorResult } from '../analyzer/results/doctor.js';
import { runCli } from './support/cli.js';
import { splitByRank } from './support/perRank.js';
import { EXTERNAL_TRACES, HAVE_TRACES, REPO, repoTrace, samplePath, sharedTrace, TP_TRACES } from './support/traces.js';

/** How each trace was made, from the READMEs: GPUs, CUDA graph mode, payloads, capture range. */
interface Made {
  gpus: number;
  /** eager: no graphs; node: graphs traced at node level; graph: at graph level (kernels hidden). */
  graphs: 'eager' | 'node' | 'graph';
  /** Collectives with their NCCL payloads in the export (true), without (false), no collectives (null). */
  payloads: boolean | null;
  /** --capture-range=cudaProfilerApi (true), the whole run (false). */
  range: boolean;
  verdict: DoctorResult['verdict'];
}

const SHARED: Record<string, Made> = {
  tp1: { gpus: 1, graphs: 'eager', payloads: null, range: false, verdict: 'complete' },
  tp1graph: { gpus: 1, graphs: 'node', payloads: null, range: false, verdict: 'complete' },
  tp2: { gpus: 2, graphs: 'eager', payloads: false, range: false, verdict: 'gaps' },
  tp2graph: { gpus: 2, graphs: 'node', payloads: false, range: false, verdict: 'gaps' },
  'tp2graph-blobs': { gpus: 2, graphs: 'node', payloads: true, range: false, verdict: 'complete' },
  tp4: { gpus: 4, graphs: 'eager', payloads: false, range: false, verdict: 'gaps' },
  tp4big: { gpus: 4, graphs: 'eager', payloads: false, range: false, verdict: 'gaps' },
  tp4graph: { gpus: 4, graphs: 'node', payloads: false, range: false, verdict: 'gaps' },
  tp4graphg: { gpus: 4, graphs: 'graph', payloads: false, range: false, verdict: 'gaps' },
  tp4nop2p: { gpus: 4, graphs: 'eager', payloads: false, range: false, verdict: 'gaps' },
  tp4overlap: { gpus: 4, graphs: 'eager', payloads: false, range: false, verdict: 'gaps' },
  tp4serial: { gpus: 4, graphs: 'eager', payloads: false, range: false, verdict: 'gaps' },
  tp4sp: { gpus: 4, graphs: 'eager', payloads: false, range: false, verdict: 'gaps' },
  tp4tree: { gpus: 4, graphs: 'eager', payloads: false, range: false, verdict: 'gaps' },
};

/** test/traces: one H200, no NVTX; `-range` captures by cudaProfilerApi; static-whole at graph level; cbgraph's graphs ran (node level). */
const REPO_MADE: Record<string, Made> = {
  'hf-eager-range': { gpus: 1, graphs: 'eager', payloads: null, range: true, verdict: 'complete' },
  'hf-eager-whole': { gpus: 1, graphs: 'eager', payloads: null, range: false, verdict: 'complete' },
  'hf-static-node': { gpus: 1, graphs: 'node', payloads: null, range: true, verdict: 'complete' },
  'hf-static-whole': { gpus: 1, graphs: 'graph', payloads: null, range: false, verdict: 'gaps' },
  'hf-compile-range': { gpus: 1, graphs: 'eager', payloads: null, range: true, verdict: 'complete' },
  'hf-cb-range': { gpus: 1, graphs: 'eager', payloads: null, range: true, verdict: 'complete' },
  'hf-cbgraph-node': { gpus: 1, graphs: 'node', payloads: null, range: true, verdict: 'complete' },
  'hf-mp-whole': { gpus: 1, graphs: 'eager', payloads: null, range: false, verdict: 'complete' },
  // The zoo (zoo.py, one H100): `-range` and the MoE, FP8 and spec captures by cudaProfilerApi; engine-graph at graph level.
  'moe-qwen3-grouped': { gpus: 1, graphs: 'eager', payloads: null, range: true, verdict: 'complete' },
  'moe-qwen3-eager': { gpus: 1, graphs: 'eager', payloads: null, range: true, verdict: 'complete' },
  'moe-mixtral-grouped': { gpus: 1, graphs: 'eager', payloads: null, range: true, verdict: 'complete' },
  'moe-mixtral-eager': { gpus: 1, graphs: 'eager', payloads: null, range: true, verdict: 'complete' },
  'moe-qwen3-whole': { gpus: 1, graphs: 'eager', payloads: null, range: false, verdict: 'complete' },
  'fp8-range': { gpus: 1, graphs: 'eager', payloads: null, range: true, verdict: 'complete' },
  'autotune-range': { gpus: 1, graphs: 'eager', payloads: null, range: true, verdict: 'complete' },
  'spec-range': { gpus: 1, graphs: 'eager', payloads: null, range: true, verdict: 'complete' },
  'engine-node': { gpus: 1, graphs: 'node', payloads: null, range: false, verdict: 'complete' },
  'engine-graph': { gpus: 1, graphs: 'graph', payloads: null, range: false, verdict: 'gaps' },
  'train-whole': { gpus: 1, graphs: 'eager', payloads: null, range: false, verdict: 'complete' },
};

const fact = (r: DoctorResult, id: string) => r.facts.find((f) => f.id === id)!;

/** Plain SQL on the export: rows of a table (0 when it is absent). */
function rows(path: string, table: string): number {
  const db = new Database(path, { readonly: true });
  try {
    const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
    return has ? (db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number) : 0;
  } finally {
    db.close();
  }
}

/** Plain SQL on the export: one number. */
function one(path: string, sql: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

function checkMade(r: DoctorResult, path: string, m: Made): void {
  expect(r.trace.gpus).toHaveLength(m.gpus);
  expect(r.verdict).toBe(m.verdict);
  expect(r.exitCode).toBe({ complete: 0, gaps: 1, unusable: 2 }[m.verdict]);
  const g = fact(r, 'cuda-graphs');
  if (m.graphs === 'graph') {
    expect(g.status).toBe('gap');
    expect(g.statement).toMatch(/graph level: the kernels inside \d+ graph executions are invisible/);
    expect(g.fixes.map((f) => f.flag)).toContain('--cuda-graph-trace=node');
    expect(g.statement).toContain(`${rows(path, 'CUPTI_ACTIVITY_KIND_GRAPH_TRACE').toLocaleString('en-US')} graph executions`);
  } else if (m.graphs === 'node') {
    expect(g.status).toBe('ok');
    const inGraphs = one(path, 'SELECT count(graphNodeId) FROM CUPTI_ACTIVITY_KIND_KERNEL');
    expect(g.statement).toBe(`CUDA graphs used and traced at node level: ${inGraphs.toLocaleString('en-US')} kernels ran inside graphs, each recorded`);
  } else {
    expect(g.status).toBe('info');
    expect(g.statement).toMatch(/^no CUDA graphs launched/);
    expect(one(path, 'SELECT count(graphNodeId) FROM CUPTI_ACTIVITY_KIND_KERNEL') + rows(path, 'CUPTI_ACTIVITY_KIND_GRAPH_TRACE')).toBe(0);
  }
  const p = fact(r, 'nccl-payloads');
  if (m.payloads === null) expect(p.status).toBe('info');
  else if (m.payloads) expect(p.status).toBe('ok');
  else {
    expect(p.status).toBe('gap');
    expect(p.statement).toMatch(/sizes only come from --model/);
    expect(p.fixes).toContainEqual(expect.objectContaining({ where: 'export', flag: '--include-blobs=true' }));
  }
  const range = fact(r, 'capture-range');
  expect(range.statement).toMatch(m.range ? /^cudaProfilerApi/ : /^the whole run/);
  expect(range.statement).toMatch(/no step is cut/);
  // The streams, against the export's own tables.
  expect(fact(r, 'os-runtime').status).toBe(rows(path, 'OSRT_API') > 0 ? 'ok' : 'gap');
  expect(fact(r, 'cuda-api').status).toBe('ok');
  expect(fact(r, 'gpu-metrics').status).toBe('info');
  expect(fact(r, 'gpus-ranks').status).toBe('ok');
}

describe.runIf(HAVE_TRACES)('doctor on ../shared/traces', () => {
  for (const [name, made] of Object.entries(SHARED)) {
    it(`${name}: what the README says of how it was made`, async () => {
      const path = sharedTrace(name);
      const r = await doctor([path]);
      checkMade(r, path, made);
      // Every shared trace: torchrun --nproc_per_node=TP, NVTX step ranges, NCCL's NVTX domain where there are collectives.
      expect(r.world.declared).toBe(made.gpus);
      expect(r.recapture.runtime).toBe('torchrun');
      expect(fact(r, 'steps').statement).toMatch(/^steps from NVTX ranges, confidence high/);
      expect(fact(r, 'nccl-nvtx').status).toBe(made.gpus > 1 ? 'ok' : 'info');
    }, 120_000);
  }
  it('covers every shared trace', () => expect(Object.keys(SHARED).sort()).toEqual([...TP_TRACES].sort()));

  it('external traces: HPC and training runs are not TP captures it can diagnose, or have gaps', async () => {
    const exits: Record<string, number> = {};
    for (const name of EXTERNAL_TRACES) {
      const path = sharedTrace(name);
      const r = await doctor([path]);
      exits[name.replace('external/', '')] = r.exitCode;
      expect(fact(r, 'os-runtime').status).toBe(rows(path, 'OSRT_API') > 0 ? 'ok' : 'gap');
      expect(fact(r, 'gpu-metrics').status).toBe('info');
    }
    // cloverleaf (HPC), saxpy (MPI + 5 kernels), the nsys-ai training run without NCCL: no attention, no collectives.
    expect(exits).toEqual({
      'cloverleaf-cuda-nsys2024.5': 2, 'saxpy-mpi-cuda-nsys-old': 2, 'nsys-ai-h100_2gpu_1s': 2,
      // The 2-GPU run with NCCL send/recv: usable, but no OS runtime and no payloads in those exports.
      'nsys-ai-mfu_2gpu_before': 1, 'nsys-ai-mfu_2gpu_after': 1,
    });
    const mfu = await doctor([sharedTrace('external/nsys-ai-mfu_2gpu_after')]);
    expect(fact(mfu, 'gpus-ranks').statement).toMatch(/send-recv only.*not a tensor-parallel group/);
    expect(fact(mfu, 'nccl-nvtx').status).toBe('ok'); // NCCL's ranges, in a domain the export does not name
    expect(mfu.world.declared).toBe(2); // torchrun --nproc_per_node=2
  }, 300_000);

  describe('per-rank files of one TP=4 run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsys-tp-doctor-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    let files: string[] = [];
    const split = () => (files.length ? files : (files = splitByRank(sharedTrace('tp4'), dir)));

    it('one rank\'s file says 3 ranks missing, and what that costs', async () => {
      const r = await doctor([split()[0]!]);
      expect(r.world).toMatchObject({ declared: 4, found: 1, missing: 3 });
      const g = fact(r, 'gpus-ranks');
      expect(g.status).toBe('gap');
      expect(g.statement).toMatch(/1 GPU in the trace, but the job declares 4 ranks .*: 3 ranks missing/);
      expect(g.rulesNotRun).toEqual(expect.arrayContaining(['collective-wait', 'straggler-rank', 'comm-dominant-step']));
      expect(r.verdict).toBe('gaps');
    }, 120_000);

    it('two of the four files name the two missing ranks', async () => {
      const r = await doctor(split().slice(0, 2));
      expect(r.world).toMatchObject({ declared: 4, found: 2, missing: 2 });
      expect(fact(r, 'rank-files').statement).toBe('2 files of one job; ranks 2, 3 missing');
      const all = await doctor(split());
      expect(all.world.missing).toBe(0);
      expect(fact(all, 'rank-files').status).toBe('ok');
    }, 240_000);
  });
});

describe('doctor on test/traces', () => {
  for (const [name, made] of Object.entries(REPO_MADE)) {
    it(`${name}: what the README says of how it was made`, async () => {
      const path = repoTrace(name);
      const r = await doctor([path]);
      checkMade(r, path, made);
      // The Hugging Face captures emit no NVTX at all: traced (-t cuda,nvtx,osrt), none emitted. (The
      // zoo's MoE and speculative runs carry a few ranges of PyTorch's own.)
      if (name.startsWith('hf-')) {
        expect(rows(path, 'NVTX_EVENTS')).toBe(0);
        expect(fact(r, 'nvtx').statement).toMatch(/^NVTX traced, but the workload emits no ranges/);
      }
      expect(r.recapture.runtime).toBe('python');
    }, 120_000);
  }
});

describe('the world size a job declares, per runtime', () => {
  /** The committed TP=4 sample (4 GPUs with all-reduces) as if another command line or environment had been recorded. */
  const withCommand = (command: string, env: Record<string, string> = {}) => {
    const m = loadTrace(samplePath('tp4graph-decode.sqlite'));
    const files = m.files.map((f) => ({ ...f, meta: { ...f.meta, command, environment: new Map([...f.meta.environment, ...Object.entries(env)]) } }));
    return buildDoctorResult(new Analysis({ ...m, files }));
  };

  it('vLLM --tensor-parallel-size 8 on 4 GPUs: 4 ranks missing, and vLLM\'s recapture (fork-before-exec, profiler range)', () => {
    const r = withCommand('vllm serve meta-llama/Llama-3.3-70B-Instruct --tensor-parallel-size 8');
    expect(r.world).toMatchObject({ declared: 8, found: 4, missing: 4 });
    expect(r.recapture.runtime).toBe('vllm');
    expect(r.recapture.profile).toBe(`VLLM_TORCH_CUDA_PROFILE=1 ${RECIPES.vllm.profile.replace('<command>', 'vllm serve meta-llama/Llama-3.3-70B-Instruct --tensor-parallel-size 8')}`);
    expect(r.recapture.profile).toContain('--trace-fork-before-exec=true');
  });

  it('SGLang --tp 4 and torchrun --nproc-per-node 4: as declared; WORLD_SIZE from the environment', () => {
    const s = withCommand('python3 -m sglang.launch_server --model-path m --tp 4');
    expect(s.world).toMatchObject({ declared: 4, missing: 0 });
    expect(s.recapture.runtime).toBe('sglang');
    expect(withCommand('torchrun --nproc-per-node 4 x.py').world.declared).toBe(4);
    const w = withCommand('python3 worker.py', { WORLD_SIZE: '8' });
    expect(w.world).toMatchObject({ declared: 8, missing: 4 });
    expect(w.world.sources[0]!.evidence).toBe('recorded environment: WORLD_SIZE=8');
    expect(withCommand('python3 worker.py').world.declared).toBeNull();
  });
});

describe('slices of CUDA-graph decode steps (samples/)', () => {
  it('graph replays make no NCCL calls, so no NCCL ranges is said as such; sizes then need the graph capture in the trace', async () => {
    const path = samplePath('tp4graph-decode.sqlite');
    const r = await doctor([path]);
    // By SQL: no NCCL-named NVTX range at all, and every NCCL kernel carries a graph node id.
    expect(one(path, "SELECT count(*) FROM NVTX_EVENTS n LEFT JOIN StringIds s ON s.id = n.textId WHERE n.eventType != 75 AND coalesce(n.text, s.value) LIKE 'nccl%'")).toBe(0); // 75: a domain's creation, not a range
    expect(one(path, "SELECT count(*) FROM CUPTI_ACTIVITY_KIND_KERNEL k JOIN StringIds s ON s.id = k.shortName WHERE s.value LIKE 'nccl%' AND k.graphNodeId IS NULL")).toBe(0);
    expect(fact(r, 'nccl-nvtx')).toMatchObject({ status: 'info' });
    expect(fact(r, 'nccl-nvtx').statement).toMatch(/every collective here is a CUDA graph replay/);
    expect(fact(r, 'nccl-payloads').fixes.map((f) => f.where)).toEqual(['profile', 'export']);
    expect(r.recapture.exportOnly).toBe(false);
  });
  it('graph level: the collectives are hidden, not absent (exit 1, not 2)', async () => {
    const r = await doctor([samplePath('tp4graphg-decode.sqlite')]);
    expect(r.exitCode).toBe(1);
    expect(fact(r, 'gpus-ranks').statement).toMatch(/no collectives visible: they run inside CUDA graphs traced at graph level/);
    expect(fact(r, 'cuda-graphs').status).toBe('gap');
  });
});

describe('a capture that starts inside a step', () => {
  it('says the first step is cut, and the flag that starts the capture on a step boundary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsys-tp-cut-'));
    try {
      const path = join(dir, 'cut.sqlite');
      copyFileSync(samplePath('tp4graph-decode.sqlite'), path);
      // As if the capture began halfway through the first of the three decode steps: its first kernels never recorded.
      const db = new Database(path);
      db.exec('DELETE FROM CUPTI_ACTIVITY_KIND_KERNEL WHERE start < (SELECT min(start) + (max(end) - min(start)) / 6 FROM CUPTI_ACTIVITY_KIND_KERNEL)');
      db.close();
      const whole = fact(await doctor([samplePath('tp4graph-decode.sqlite')]), 'capture-range');
      expect(whole.status).toBe('ok');
      const cut = fact(await doctor([path]), 'capture-range');
      expect(cut.status).toBe('gap');
      expect(cut.statement).toMatch(/it cuts steps: GPU \d "decode 3" \(first: /);
      expect(cut.fixes.map((f) => f.flag)).toContain('--capture-range=cudaProfilerApi --capture-range-end=stop');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('recapture lines and the diagnose header', () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');

  it('every runtime\'s lines are the README\'s, verbatim', () => {
    for (const r of Object.values(RECIPES)) {
      expect(readme).toContain(`\n${r.env ? `${r.env} ` : ''}${r.profile}\n${r.export}\n`);
    }
    expect(RECIPES.vllm.profile).toContain('--trace-fork-before-exec=true');
    expect(RECIPES.vllm.profile).toContain('--capture-range=cudaProfilerApi');
    expect(RECIPES.vllm.env).toBe('VLLM_TORCH_CUDA_PROFILE=1');
  });

  it('the lines doctor prints are the README\'s with the recorded command in place, whole on one line each', async () => {
    const path = repoTrace('hf-static-whole');
    const res = runCli(['doctor', path]);
    expect(res.status).toBe(1);
    const r: DoctorResult = JSON.parse(runCli(['doctor', path, '--format', 'json']).stdout);
    expect(readme).toContain(r.recapture.profileTemplate);
    expect(r.recapture.profile).toBe(r.recapture.profileTemplate.replace('<command>', r.trace.commandLine!));
    const lines = res.stdout.split('\n').map((l) => l.trim());
    expect(lines).toContain(r.recapture.profile);
    expect(lines).toContain(r.recapture.export);
    const md = await render(r, 'md');
    expect(md).toContain(`\n${r.recapture.profile}\n${r.recapture.export}\n`);
  }, 120_000);

  it('exit codes: 0 complete, 1 gaps, 2 not a TP capture', () => {
    expect(runCli(['doctor', repoTrace('hf-eager-range')]).status).toBe(0);
    expect(runCli(['doctor', repoTrace('hf-static-whole'), '--format', 'md']).status).toBe(1);
  }, 120_000);

  it.runIf(HAVE_TRACES)('an HPC trace exits 2', () => {
    const r = runCli(['doctor', sharedTrace('external/cloverleaf-cuda-nsys2024.5')]);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/not a TP inference capture nsys-tp can diagnose/);
  }, 120_000);

  it('diagnose names the same gaps as doctor, from the same check, in one line', async () => {
    const path = repoTrace('hf-static-whole');
    const [d, r] = [await diagnose([path]), await doctor([path])];
    expect(d.capture!.gaps.map((g) => g.id)).toEqual(r.facts.filter((f) => f.status === 'gap').map((f) => f.id));
    const text = await render(d, 'terminal');
    const header = text.split('\n').filter((l) => /Capture gaps/.test(l));
    expect(header).toHaveLength(1);
    expect(text).toMatch(/Capture gaps: graph-level CUDA graph trace \(kernels in graphs invisible\); `nsys-tp doctor`/);
    const clean = await diagnose([repoTrace('hf-eager-range')]);
    expect(clean.capture!.gaps).toEqual([]);
    expect(await render(clean, 'terminal')).not.toMatch(/Capture gaps/);
  }, 120_000);
});
