/**
 * An input problem the user can act on. The CLI prints `message` as one line and exits non-zero;
 * anything else that escapes is a bug and is reported as such.
 */
export class TraceError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'TraceError';
  }
}
