/**
 * Applies the class table to kernel names. Classification is per distinct name, not per kernel.
 */
import { BadInputError } from '../errors.js';
import { parseNcclKernel, type NcclKernelInfo } from './nccl.js';
import { DEFAULT_CLASS_TABLE, type ClassRow, type CommOp } from './kernelClasses.js';
import { KERNEL_CLASSES, type KernelClass } from '../contract/vocabulary.js';
import { kernelNameView } from './kernelName.js';

export interface Classification {
  class: KernelClass;
  /** The collective a communication kernel performs. */
  op: CommOp | null;
  nccl: NcclKernelInfo | null;
  /** Which table row matched (its note or pattern), for `classify --explain`-style output and tests. */
  row: string | null;
}

export interface Classifier {
  classify(short: string, demangled?: string): Classification;
}

export function validateClassRows(rows: unknown): ClassRow[] {
  if (!Array.isArray(rows)) throw new BadInputError('kernelClasses must be an array of {class, pattern}');
  return rows.map((r, i) => {
    if (typeof r !== 'object' || r === null) throw new BadInputError(`kernelClasses[${i}] is not an object`);
    const row = r as Record<string, unknown>;
    if (!KERNEL_CLASSES.includes(row.class as KernelClass)) throw new BadInputError(`kernelClasses[${i}].class must be one of ${KERNEL_CLASSES.join(', ')}`);
    if (typeof row.pattern !== 'string') throw new BadInputError(`kernelClasses[${i}].pattern must be a string`);
    try {
      new RegExp(row.pattern, typeof row.flags === 'string' ? row.flags : '');
    } catch (e) {
      throw new BadInputError(`kernelClasses[${i}].pattern is not a valid regular expression: ${(e as Error).message}`);
    }
    if (row.on !== undefined && row.on !== 'demangled') throw new BadInputError(`kernelClasses[${i}].on must be "demangled" or absent`);
    return row as unknown as ClassRow;
  });
}

export function createClassifier(extraRows: readonly ClassRow[] = []): Classifier {
  const rows = [...extraRows, ...DEFAULT_CLASS_TABLE].map((r) => ({ row: r, re: new RegExp(r.pattern, r.flags ?? '') }));
  const cache = new Map<string, Classification>();
  return {
    classify(short: string, demangled = short): Classification {
      const key = short + '\u0000' + demangled;
      const hit = cache.get(key);
      if (hit) return hit;
      const view = kernelNameView(short, demangled);
      const texts = [view.short, view.qualified, view.inner].filter(Boolean);
      let result: Classification = { class: 'other', op: null, nccl: null, row: null };
      for (const { row, re } of rows) {
        if (row.on === 'demangled' ? !re.test(view.demangled) : !texts.some((t) => re.test(t))) continue;
        if (row.class === 'communication') {
          const nccl = row.op === 'nccl' ? parseNcclKernel(view.short) ?? parseNcclKernel(view.qualified) : null;
          const op: CommOp = nccl ? nccl.op : row.op && row.op !== 'nccl' ? row.op : 'unknown';
          result = { class: 'communication', op, nccl, row: row.note ?? row.pattern };
        } else {
          result = { class: row.class, op: null, nccl: null, row: row.note ?? row.pattern };
        }
        break;
      }
      cache.set(key, result);
      return result;
    },
  };
}
