/** What attach did, as a document of one line (the CLI shows it on stderr; the report file holds the section). */
import type { AttachResult } from '../../contract/results.js';
import type { Doc } from '../document.js';

export function attachDoc(r: AttachResult): Doc {
  return {
    title: `nsys-tp: ${r.replaced ? 'replaced the nsys-tp section of' : 'added an nsys-tp section to'} ${r.report} (${r.findings.length} finding(s))`,
    meta: [],
    blocks: [],
  };
}
