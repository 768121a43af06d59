/** The keys tied at the largest count, in key order, with that count (null when empty or all zero): where a report names "the most", every key that has it is named, none chosen by order. */
export function tiedTop<K extends number | string>(entries: Iterable<readonly [K, number]>): { keys: K[]; count: number } | null {
  let best = 0;
  let keys: K[] = [];
  for (const [k, n] of entries) {
    if (n > best) {
      best = n;
      keys = [k];
    } else if (n === best && n > 0) keys.push(k);
  }
  if (best === 0) return null;
  keys.sort((x, y) => (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))));
  return { keys, count: best };
}
