/**
 * Where a step's time goes, with communication split in two: the data moving (each collective's
 * transfer) and waiting for the other ranks. Waiting is not a cost of the TP degree or of the fabric but
 * of ranks arriving apart, so every table, chart and judgement that names "what takes the time" reads
 * these parts, never the communication total alone.
 */
import { TIME_PARTS, type KernelClass, type TimePart } from '../contract/vocabulary.js';

/** The parts from time per class (communication included) and communication's transfer / waiting split. */
export function timeParts(classNs: Record<KernelClass | 'idle', number>, transferNs: number, waitNs: number): Record<TimePart, number> {
  const out = {} as Record<TimePart, number>;
  for (const p of TIME_PARTS) out[p] = p === 'comm transfer' ? transferNs : p === 'comm waiting' ? waitNs : classNs[p];
  return out;
}
