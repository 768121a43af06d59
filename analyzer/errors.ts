/**
 * What can go wrong, as callers need to tell it apart (docs/architecture.md, "Errors"): the user's input
 * cannot be used (a trace, a config, a model file), the tool was called wrongly (options, arguments), or
 * the tool itself failed. The CLI prints the first two as one line and exits 2; anything that is not an
 * NsysTpError is a bug in nsys-tp (exit 3). Library callers branch on the class.
 */
export abstract class NsysTpError extends Error {
  abstract readonly kind: 'bad-input' | 'usage';
  /**
   * Set when a file could not be reached (missing, or not readable): the name it was given as. A face that
   * serves others (the MCP server) words both alike, so its errors do not tell which files exist.
   */
  unreachable?: string;
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

/** A file or value the user gave cannot be analysed: not an export, damaged, unreadable, inconsistent. */
export class BadInputError extends NsysTpError {
  readonly kind = 'bad-input' as const;
  override readonly name = 'BadInputError';
}

/** The call itself is wrong: an unknown option, a value of the wrong kind, options that contradict. */
export class UsageError extends NsysTpError {
  readonly kind = 'usage' as const;
  override readonly name = 'UsageError';
}
