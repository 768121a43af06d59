/** Which tool and version made a result: every result carries it. The version is package.json's, read once. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import type { toolSchema } from './results.js';

/** The nearest package.json above this file named nsys-tp: the sources' in a checkout, the package's above dist/ when installed. */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'nsys-tp' && typeof pkg.version === 'string') return pkg.version;
    }
    dir = dirname(dir);
  }
  // A package published without its package.json is a bug of nsys-tp, not of the user.
  throw new Error('the package.json of nsys-tp is missing from this installation');
}

export const TOOL_VERSION = packageVersion();

export type Tool = z.infer<typeof toolSchema>;

export const TOOL: Tool = { name: 'nsys-tp', version: TOOL_VERSION };
