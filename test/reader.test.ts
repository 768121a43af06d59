/**
 * The nsys reader's parts (issue 16, 15.1, 18.3): the columnar page reader and its JSON parser, rowid
 * ranges with gaps, narrowing columns, shards that together give exactly the single reader's input, and a
 * trace input made by hand (no nsys ids) that the model builds like any other.
 */
import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../analyzer/model/build.js';
import type { TraceInput } from '../analyzer/model/input.js';
import { ChunkedTable, CHUNK_ROWS, concat } from '../queries/columns.js';
import { ColumnReader, parseIntegers, parseRows } from '../queries/columnar.js';
import { assemble, readShardOf, readTraceInput } from '../queries/nsysTrace.js';
import { forEachPage, PAGE_ROWIDS, rowidSpan, shardOf } from '../queries/scan.js';
import { HAVE_TRACES, REPO, samplePath, sharedTrace } from './support/traces.js';

const parse = (text: string, n: number) => {
  const out = new Float64Array(n);
  return parseIntegers(text, out, n) ? [...out] : null;
};

describe('parseIntegers (json_group_array of integers and NULLs)', () => {
  it('reads integers, negatives and nulls', () => {
    expect(parse('[1,-2,null,0,9007199254740991]', 5)).toEqual([1, -2, NaN, 0, 9007199254740991]);
    expect(parse('[]', 0)).toEqual([]);
    expect(parse('[null]', 1)).toEqual([NaN]);
  });
  it('rounds values beyond 15 digits as a conversion to double does', () => {
    for (const v of ['9223372036854775807', '-9223372036854775808', '12345678901234567', '4611686018427387905']) {
      expect(parse(`[${v}]`, 1)).toEqual([Number(v)]);
    }
  });
  it('refuses anything else: a REAL, text, a wrong count, a malformed array', () => {
    for (const t of ['[1.5]', '[1.0e+300]', '["12"]', '[1,2]', '[1', '1]', '[,]', '[-]', '[nul]', '[1,,2]']) expect(parse(t, 1), t).toBeNull();
    expect(parse('[1,2]', 3)).toBeNull();
  });
  it('agrees with SQLite on every value it writes', () => {
    const db = new Database(':memory:');
    const values = [0, 1, -1, 255, 65536, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, 2 ** 53 + 1, 2n ** 62n + 3n, -(2n ** 63n)];
    db.exec('CREATE TABLE t (v INTEGER)');
    const ins = db.prepare('INSERT INTO t VALUES (?)');
    for (const v of values) ins.run(v);
    ins.run(null);
    const json = db.prepare('SELECT json_group_array(v) FROM t').pluck().get() as string;
    const rows = db.prepare('SELECT v FROM t').pluck().all() as (number | null)[];
    expect(parse(json, rows.length)).toEqual(rows.map((v) => (v === null ? NaN : v)));
    db.close();
  });
});

describe('parseRows (json_group_array of json_array rows)', () => {
  const rows = (text: string, n: number, k: number) => {
    const cols = Array.from({ length: k }, () => new Float64Array(n));
    return parseRows(text, cols, n) ? cols.map((c) => [...c]) : null;
  };
  it('reads rows into columns', () => {
    expect(rows('[[1,-2,null],[4,5,12345678901234567890]]', 2, 3)).toEqual([[1, 4], [-2, 5], [NaN, 12345678901234567890]]);
  });
  it('refuses a row too short or too long, a value that is not an integer, and trailing text', () => {
    for (const t of ['[[1,2],[3]]', '[[1,2],[3,4,5]]', '[[1,2],[3,"4"]]', '[[1,2],[3,4.5]]', '[[1,2],[3,4]]x', '[[1,2],[3,4]', '[[1,2][3,4]]']) {
      expect(rows(t, 2, 2), t).toBeNull();
    }
  });
});

describe('ColumnReader: a page as columns, or as rows where the page holds more than integers', () => {
  const make = () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (a INTEGER, b INTEGER, c TEXT)');
    const ins = db.prepare('INSERT INTO t VALUES (?, ?, ?)');
    for (let i = 1; i <= 100; i++) ins.run(i * 1000, i % 7 ? i : null, `r${i}`);
    return db;
  };
  const reference = (db: Database.Database, lo: number, hi: number) =>
    (db.prepare('SELECT a, b, c FROM t WHERE rowid BETWEEN ? AND ?').raw(true).all(lo, hi) as unknown[][]).map((r) => [
      typeof r[0] === 'number' ? r[0] : NaN, typeof r[1] === 'number' ? r[1] : NaN, typeof r[2] === 'string' ? r[2] : '',
    ]);
  const read = (db: Database.Database, lo: number, hi: number) => {
    const r = new ColumnReader(db, { table: 't', numbers: ['a', 'b'], text: 'CAST(c AS TEXT)' });
    const p = r.read(BigInt(lo), BigInt(hi));
    const rows = p ? Array.from({ length: p.n }, (_x, i) => [p.num[0]![i], p.num[1]![i], p.text![i]]) : [];
    return { rows, fallbacks: r.fallbacks };
  };
  it('integers and NULLs come through the aggregate', () => {
    const db = make();
    const got = read(db, 1, 100);
    expect(got.fallbacks).toBe(0);
    expect(got.rows).toEqual(reference(db, 1, 100));
  });
  it('a REAL, text, a blob or a NUL in the text make the page fall back, with the same values', () => {
    for (const edit of ["UPDATE t SET a = 1.5 WHERE rowid = 3", "UPDATE t SET b = '12abc' WHERE rowid = 4", "UPDATE t SET a = x'3132' WHERE rowid = 5",
      "UPDATE t SET b = '7' WHERE rowid = 6", "UPDATE t SET c = 'x' || char(0) || 'y,\"z' WHERE rowid = 7", "UPDATE t SET c = NULL WHERE rowid = 8"]) {
      const db = make();
      db.exec(edit);
      const got = read(db, 1, 100);
      expect(got.rows, edit).toEqual(reference(db, 1, 100));
    }
  });
  it('an empty range has no page', () => {
    expect(read(make(), 200, 300).rows).toEqual([]);
  });
});

describe('rowid ranges', () => {
  it('shards cover a span exactly, in order, whatever its size and sign', () => {
    for (const [first, last] of [[1n, 10n], [1n, 1n], [-(2n ** 63n), 2n ** 63n - 1n], [-5n, 3n], [1n, 100000007n]] as [bigint, bigint][]) {
      for (const n of [1, 2, 3, 7, 16]) {
        let at = first;
        for (let k = 0; k < n; k++) {
          const s = shardOf({ first, last }, k, n);
          expect(s.first).toBe(at);
          at = s.last + 1n;
        }
        expect(at).toBe(last + 1n);
      }
    }
  });
  it('pages reach every row across gaps beyond 2^62 and below zero, without a page per gap', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (v)');
    const ids = [-(2n ** 63n), -3n, 1n, 2n, 5n, 2n ** 62n, 2n ** 62n + 1n, 2n ** 63n - 1n];
    const ins = db.prepare('INSERT INTO t (rowid, v) VALUES (?, 1)');
    for (const id of ids) ins.run(id);
    const span = rowidSpan(db, 't');
    expect(span).toEqual({ first: -(2n ** 63n), last: 2n ** 63n - 1n });
    const seen: bigint[] = [];
    let pages = 0;
    const q = db.prepare('SELECT rowid FROM t WHERE rowid BETWEEN ? AND ?').safeIntegers(true).pluck();
    forEachPage(db, 't', span, (lo, hi) => {
      pages++;
      const got = q.all(lo, hi) as bigint[];
      seen.push(...got);
      expect(hi - lo + 1n <= PAGE_ROWIDS).toBe(true);
      return got.length > 0;
    });
    expect(seen).toEqual(ids);
    expect(pages).toBeLessThan(20);
  });
});

describe('chunked columns', () => {
  it('widen as values grow, and join readers\' chunks through their maps', () => {
    const t = new ChunkedTable({ i: 'index', e: 'exact', f: 'f64' });
    const n = CHUNK_ROWS + 10;
    const cols = { i: new Float64Array(n), e: new Float64Array(n), f: new Float64Array(n) };
    for (let k = 0; k < n; k++) {
      cols.i[k] = k < 100 ? k : k % 300;
      cols.e[k] = k === n - 1 ? 2 ** 40 : k;
      cols.f[k] = k / 3;
    }
    t.append(cols, 100);
    expect(t.chunks[0]!.i).toBeInstanceOf(Uint8Array);
    t.append({ i: cols.i.subarray(100), e: cols.e.subarray(100), f: cols.f.subarray(100) }, n - 100);
    expect(t.chunks[0]!.i).toBeInstanceOf(Uint16Array);
    expect(t.chunks[0]!.e).toBeInstanceOf(Uint32Array);
    expect(t.chunks[1]!.e).toBeInstanceOf(Float64Array);
    const e = concat([t], 'e');
    expect(e).toBeInstanceOf(Float64Array);
    expect([...e]).toEqual([...cols.e]);
    const i = concat([t], 'i', { ctor: Int32Array, map: () => Int32Array.from({ length: 300 }, (_x, k) => k * 1000) });
    expect([...i]).toEqual([...cols.i].map((v) => v * 1000));
    expect(t.chunks[0]!.i).toBeUndefined();
  });
});

/** A model as plain data: typed arrays as [type, ...values], maps as entry lists. */
const plain = (x: unknown) => JSON.parse(JSON.stringify(x, (_k, v) => (ArrayBuffer.isView(v) ? [v.constructor.name, ...(v as Float64Array)] : v instanceof Map ? [...v] : v)));

describe('shards', () => {
  const files = [
    ...readdirSync(join(REPO, 'samples')).filter((f) => f.endsWith('.sqlite')).map((f) => samplePath(f)),
    ...(HAVE_TRACES ? ['tp4', 'tp2graph-blobs', 'tp4graphg', 'external/saxpy-mpi-cuda-nsys-old'].map((t) => sharedTrace(t)) : []),
  ];
  for (const f of files) {
    it(`${f.replace(REPO + '/', '')}: 1, 2 and 5 shards give the same trace model`, () => {
      const one = plain(buildModel([readTraceInput(f)]));
      for (const n of [2, 5]) {
        const shards = Array.from({ length: n }, (_x, k) => readShardOf(f, k, n));
        expect(plain(buildModel([assemble(f, shards)]))).toEqual(one);
      }
    });
  }
});

describe('the trace input is format-neutral', () => {
  it('a hand-made input (ids of no profiler) builds a model: ops joined to their launches, sorted, on one clock', () => {
    const input: TraceInput = {
      path: 'hand-made', meta: { nsysVersion: null, exportSchema: null, sessionStartUtcNs: 1000, cudaGraphTraceMode: null, environment: new Map(), command: null, hostname: null },
      gpus: [],
      processes: [{ id: 7, pid: 4242, name: 'python' }],
      threads: [{ id: 70, process: 0, name: 'main' }, { id: 71, process: 0, name: 'loader' }],
      deviceIds: [3],
      ops: {
        n: 3, start: Float64Array.of(300, 100, 200), end: Float64Array.of(350, 150, 190), device: Uint8Array.of(0, 0, 0), stream: Uint16Array.of(1, 1, 2),
        kind: Uint8Array.of(0, 0, 1), name: Uint8Array.of(0, 0, 1), bytes: Uint32Array.of(0, 0, 4096), fromGraph: Uint8Array.of(0, 0, 0),
        correlation: Uint32Array.of(12, 10, 11), process: Uint8Array.of(0, 0, 0),
      },
      opNames: [{ short: 'gemm', long: 'gemm<bf16>', kind: 0 }, { short: '[CUDA memcpy HtoD]', long: '[CUDA memcpy HtoD]', kind: 1 }],
      launches: { n: 2, start: Float64Array.of(90, 250), thread: Uint8Array.of(0, 0), correlation: Uint32Array.of(10, 12), api: Uint8Array.of(0, 0) },
      apiNames: ['cudaLaunchKernel'],
      nvtx: { n: 0, start: new Float64Array(0), end: new Float64Array(0), thread: new Uint8Array(0), domain: new Uint8Array(0), domains: [], text: new Uint8Array(0), texts: [] },
      hostCalls: { n: 1, start: Float64Array.of(50), end: Float64Array.of(80), thread: Uint8Array.of(1), name: Uint8Array.of(0), names: ['read'], source: Uint8Array.of(1) },
      ncclCalls: [], ncclInits: [], graphCaptures: [], warnings: [],
    };
    // The same launches listed out of correlation order take the hash join: the same model.
    const shuffled: TraceInput = { ...structuredClone(input), launches: { n: 2, start: Float64Array.of(250, 90), thread: Uint8Array.of(0, 0), correlation: Uint32Array.of(12, 10), api: Uint8Array.of(0, 0) } };
    const m = buildModel([input]);
    expect(plain(buildModel([shuffled]))).toEqual(plain(m));
    expect([...m.ops.start]).toEqual([100, 200, 300]);
    expect([...m.ops.end]).toEqual([150, 200, 350]);
    expect([...m.ops.launchStart]).toEqual([90, NaN, 250]);
    expect([...m.ops.thread]).toEqual([0, -1, 0]);
    expect(m.devices.map((d) => [d.deviceId, d.label])).toEqual([[3, 'GPU 3']]);
    expect(m.threads.map((t) => [t.globalTid, t.name, m.processes[t.process]!.pid])).toEqual([[70, 'main', 4242], [71, 'loader', 4242]]);
    expect(m.warnings).toEqual(['1 GPU operations end before they start; treated as zero-length',
      '1 of 3 GPU operations have no launching API call in the trace (launched before the capture started, or not traced)']);
  });
  it('analyzer/model imports nothing from queries/', () => {
    for (const f of readdirSync(join(REPO, 'analyzer/model'))) {
      const src = readFileSync(join(REPO, 'analyzer/model', f), 'utf8');
      expect(src, f).not.toMatch(/from '\.\.\/\.\.\/queries\//);
    }
  });
});

