/**
 * How the terminal report fits where it goes: colour for severities and headings on a terminal (never on
 * a pipe or into a file; NO_COLOR turns it off, FORCE_COLOR on, FORCE_COLOR=0 off), the terminal's width
 * (100 columns on a pipe or into a file; COLUMNS overrides), and --quiet: the findings only.
 */
import type { RenderOptions } from '../index.js';

/** Below this the tables would split into slivers; the renderer lays out 60 columns at least. */
const DEFAULT_WIDTH = 100;

export function colorWanted(toFile: boolean, env: NodeJS.ProcessEnv = process.env, tty = process.stdout.isTTY === true): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false' && !toFile;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return !toFile && tty && env.TERM !== 'dumb';
}

export function widthWanted(toFile: boolean, env: NodeJS.ProcessEnv = process.env, columns = process.stdout.isTTY ? process.stdout.columns : undefined): number {
  const c = Number(env.COLUMNS);
  if (!toFile && env.COLUMNS && Number.isInteger(c) && c > 0) return c;
  return !toFile && columns ? columns : DEFAULT_WIDTH;
}

export function terminalOptions(o: { output?: string; quiet?: boolean }): RenderOptions {
  const toFile = o.output !== undefined;
  return { width: widthWanted(toFile), color: colorWanted(toFile), quiet: o.quiet === true };
}
