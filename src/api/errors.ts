// The errors the library throws: the same three kinds the command line turns into exit codes, with
// the parts of each message as fields, so a caller can act on them without parsing text.

import { basename } from "node:path";
import { ConfigError, DataError, describeBadInput, IoError } from "../domain/errors.js";

export { ConfigError, IoError };

/** The parts of a bad-input message. */
export interface BadInputParts {
  /** The file's name: a path's base name for a line of it, the path as given for the whole file. */
  readonly file: string;
  /** 1-based; 0 when the problem is the whole file's. */
  readonly line: number;
  readonly field: string;
  readonly expected: string;
  /** What the input held instead, when there is something to show. */
  readonly got?: string | undefined;
}

/**
 * Bad input data (the command line's exit 65): the file, the line, the field and what was expected
 * there. The message is the command line's, word for word.
 */
export class BadInputError extends Error implements BadInputParts {
  /** The command line's exit code for this error. */
  readonly exitCode = 65;
  readonly file: string;
  readonly line: number;
  readonly field: string;
  readonly expected: string;
  readonly got: string | undefined;

  constructor(
    parts: BadInputParts,
    /** The message's words after "bad input: ", when the error that found the problem words its place itself. */
    described: string = describeBadInput(parts.file, parts),
  ) {
    super(`bad input: ${described}`);
    this.name = "BadInputError";
    ({ file: this.file, line: this.line, field: this.field, expected: this.expected, got: this.got } = parts);
  }
}

/**
 * A data error as the user sees it: the file it is about is named by what the caller gave for that
 * input (`files`: "journal" -> the path or name given), else by the source's own name.
 */
export function badInput(err: DataError, files: Readonly<Record<string, string>>): BadInputError {
  const file = files[err.source] ?? err.source;
  // file:line names a line by the file's name; a whole-file problem (an empty log) by its path.
  const name = err.line > 0 ? basename(file) : file;
  return new BadInputError({ file: name, line: err.line, field: err.field, expected: err.expected, got: err.got }, err.describe(name));
}
