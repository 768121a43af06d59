/** `--chart DIR`: the charts of a result, written as SVG files. */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Chart } from '../index.js';
import { writeErrorText, writeFileAtomic } from './output.js';
import { BadInputError } from '../index.js';

/** Writes each chart as DIR/<name>.svg; returns the paths written. */
export function writeCharts(dir: string, charts: Chart[], inputs: string[]): string[] {
  // One level only: Node 20's recursive mkdir never returns under /proc, and a mistyped parent is
  // better reported than created.
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new BadInputError(`${dir}: not a folder (--chart takes a folder for the SVG files)`);
  } else {
    try {
      mkdirSync(dir);
    } catch (e) {
      throw new BadInputError(`${dir}: cannot create the chart folder (${writeErrorText(e)})`);
    }
  }
  return charts.map((c) => {
    const path = join(dir, `${c.name}.svg`);
    writeFileAtomic(path, c.svg, inputs);
    return path;
  });
}
