/**
 * Computed artifacts (Lighthouse's computed artifacts, with the DevTools trace engine's `deps()`): a
 * datum of the analysis (analyzer/data.ts), computed on first use and then shared by every rule, result
 * and renderer that reads it. An artifact declares the data it reads (`deps`) and its compute receives
 * those and nothing else, typed as `Reads<...>`: the compiler refuses a read it did not declare. Each
 * artifact has its own cache, keyed by the analysis object: no string keys that could collide, no casts,
 * and the cache goes when the analysis does. Rules declare their data the same way (rules/requirements.ts).
 */
import type { AnalysisData, DataName, Reads } from './data.js';

/**
 * The data `deps` names, each read from the analysis when first read, then kept: a reader that returns
 * early computes no more than it read.
 */
export function reads<const D extends readonly DataName[]>(source: AnalysisData, deps: D): Reads<D[number]> {
  const out = {} as Record<string, unknown>;
  for (const name of deps) {
    Object.defineProperty(out, name, {
      enumerable: true,
      configurable: true,
      get() {
        const value = source[name];
        Object.defineProperty(out, name, { enumerable: true, value });
        return value;
      },
    });
  }
  return out as Reads<D[number]>;
}

/** An artifact: its value for an analysis (every datum of it at hand), and the data it reads. */
export interface Artifact<D extends readonly DataName[], T> {
  (source: AnalysisData): T;
  readonly deps: D;
}

export function artifact<const D extends readonly DataName[], T>(deps: D, compute: (data: Reads<D[number]>) => T): Artifact<D, T> {
  const cache = new WeakMap<AnalysisData, { value: T }>();
  const of = (source: AnalysisData): T => {
    let hit = cache.get(source);
    if (!hit) cache.set(source, (hit = { value: compute(reads(source, deps)) }));
    return hit.value;
  };
  return Object.assign(of, { deps });
}

/** A function of a key (a phase, a device) computed once per key: an artifact whose datum is per phase. */
export function perKey<K, T>(compute: (key: K) => T): (key: K) => T {
  const cache = new Map<K, { value: T }>();
  return (key) => {
    let hit = cache.get(key);
    if (!hit) cache.set(key, (hit = { value: compute(key) }));
    return hit.value;
  };
}
