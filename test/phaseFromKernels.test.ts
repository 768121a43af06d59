/**
 * Prefill / decode / mixed from the kernels alone (analyzer/steps/phaseFromKernels.ts), on hand-made steps:
 * the real captures (test/traces, rhythm.test.ts) have no engine that runs separate prompt and decode
 * attention kernels in one step, so `mixed` is checked here.
 */
import { describe, expect, it } from 'vitest';
import { CLASS_INDEX } from '../analyzer/classify/opClasses.js';
import { OpKind, type TraceModel } from '../analyzer/model/types.js';
import { phasesFromKernels, type PhaseInput } from '../analyzer/steps/phaseFromKernels.js';

/** Steps as lists of [class, name, duration ms]; ops laid end to end on one device. */
function build(steps: [keyof typeof CLASS_INDEX, number, number][][]) {
  const flat = steps.flat();
  const n = flat.length;
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const name = new Int32Array(n);
  const kind = new Uint8Array(n).fill(OpKind.kernel);
  const opClass = new Uint8Array(n);
  let t = 0;
  flat.forEach(([c, nm, ms], i) => {
    start[i] = t;
    end[i] = t += ms * 1e6;
    name[i] = nm;
    opClass[i] = CLASS_INDEX[c];
  });
  const model = { ops: { n, start, end, name, kind } } as unknown as TraceModel;
  let at = 0;
  const inputs: PhaseInput[] = steps.map((s) => {
    const ops = Uint32Array.from(s.map((_, k) => at + k));
    at += s.length;
    return { device: 0, ops, visible: true, complete: true };
  });
  return phasesFromKernels(model, opClass, inputs);
}

const DECODE_ATT = 1;
const PROMPT_ATT = 2;
const decode: [keyof typeof CLASS_INDEX, number, number][] = [['gemm', 0, 2], ['attention', DECODE_ATT, 0.1], ['gemm', 0, 2]];
const prompt: [keyof typeof CLASS_INDEX, number, number][] = [['gemm', 0, 10], ['attention', PROMPT_ATT, 1], ['gemm', 0, 10]];
const mixed: [keyof typeof CLASS_INDEX, number, number][] = [['gemm', 0, 10], ['attention', PROMPT_ATT, 1], ['attention', DECODE_ATT, 0.1], ['gemm', 0, 10]];

describe('phases from the kernels', () => {
  it('decode below the GEMM-time jump, prefill above it, mixed when a step runs both attention variants', () => {
    expect(build([prompt, decode, decode, decode, mixed, decode, prompt])).toEqual(['prefill', 'decode', 'decode', 'decode', 'mixed', 'decode', 'prefill']);
  });
  it('a repeating forward with no jump is decode; a lone step says nothing', () => {
    expect(build([decode, decode, decode])).toEqual(['decode', 'decode', 'decode']);
    expect(build([prompt])).toEqual(['step']);
  });
  it('a step just above the decode steps\' GEMM time runs some prompt tokens (a last prompt chunk)', () => {
    const chunk: [keyof typeof CLASS_INDEX, number, number][] = [['gemm', 0, 2.8], ['attention', DECODE_ATT, 0.1], ['gemm', 0, 2.8]];
    expect(build([prompt, prompt, chunk, decode, decode, decode])).toEqual(['prefill', 'prefill', 'prefill', 'decode', 'decode', 'decode']);
  });
});
