/**
 * The reader's name for a bad input: the export cannot be analysed (analyzer/errors.ts has the taxonomy).
 */
export { BadInputError as TraceError } from '../analyzer/errors.js';
