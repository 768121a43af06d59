/**
 * Computed artifacts (Lighthouse's): a result derived from an analysis, computed on first use and then
 * shared by every rule, result and renderer that asks for it. Each artifact is its own function with its
 * own cache, keyed by the analysis object: no string keys that could collide, no casts, and the cache goes
 * when the analysis does.
 */
export function artifact<A extends object, T>(compute: (a: A) => T): (a: A) => T {
  const cache = new WeakMap<A, { value: T }>();
  return (a) => {
    let hit = cache.get(a);
    if (!hit) cache.set(a, (hit = { value: compute(a) }));
    return hit.value;
  };
}

/** An artifact with a key (a phase, a device): computed once per analysis and key. */
export function artifactBy<A extends object, K, T>(compute: (a: A, key: K) => T): (a: A, key: K) => T {
  const cache = new WeakMap<A, Map<K, { value: T }>>();
  return (a, key) => {
    let byKey = cache.get(a);
    if (!byKey) cache.set(a, (byKey = new Map()));
    let hit = byKey.get(key);
    if (!hit) byKey.set(key, (hit = { value: compute(a, key) }));
    return hit.value;
  };
}
