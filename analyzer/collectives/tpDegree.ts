/** The TP degree a trace shows: the ranks taking part in its tensor-parallel collectives, else 1. */
import { artifact } from '../artifact.js';

export const tpDegree = artifact(['collectives'], (a): number => {
  const kinds = a.collectives.kinds.filter((k) => k.op === 'all-reduce' || k.op === 'reduce-scatter' || k.op === 'all-gather');
  return kinds.length ? Math.max(...kinds.map((k) => k.devices.length)) : 1;
});
