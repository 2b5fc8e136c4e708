// The two kinds of error. Bad input is expected and reported (typed errors below, each mapped to an
// exit code by the CLI). A broken invariant is a bug: `assert` throws an AssertionFailure that no one
// catches, so the process dies loudly instead of writing artifacts from a corrupt state.

import { JsonNumber } from "./json-text.js";

export type InputSource = "journal" | "broker" | "config" | "cache" | string;

/** A record in an input file is malformed or breaks a rule of the input format (exit 65). */
export class DataError extends Error {
  constructor(
    readonly source: InputSource,
    readonly line: number,
    readonly field: string,
    readonly expected: string,
    readonly got?: string,
  ) {
    super(
      `line ${line}: field "${field}": expected ${expected}` + (got === undefined ? "" : `, got ${got}`),
    );
    this.name = "DataError";
  }

  /** "journal.jsonl:12: field ..." once the shell knows which file the source was. */
  describe(fileName: string): string {
    return describeBadInput(fileName, this);
  }
}

/** The words of a bad-input message: where (file:line, or the whole file), the field, what was expected and what came. */
export function describeBadInput(fileName: string, e: Pick<DataError, "line" | "field" | "expected" | "got">): string {
  const where = e.line > 0 ? `${fileName}:${e.line}` : `${fileName} (whole file)`;
  return `${where}: field "${e.field}": expected ${e.expected}` + (e.got === undefined ? "" : `, got ${e.got}`);
}

/** The configuration or the command line is wrong (exit 2). */
export class ConfigError extends Error {
  constructor(
    message: string,
    /** The config setting the message is about (`limits.daily_loss_cap`, `sessions[1].name`), when
     * it is about one: the loader names the line and column of the file that hold it. */
    readonly field?: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Reading or writing failed below us: disk, permissions, a database that will not open (exit 74). */
export class IoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IoError";
  }
}

export class AssertionFailure extends Error {
  constructor(message: string) {
    super(`invariant violated: ${message}`);
    this.name = "AssertionFailure";
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionFailure(message);
}

/** Renders a value from an input for an error message: short, and safe to print on a terminal. */
export function preview(value: unknown): string {
  let text: string;
  if (value === undefined) text = "nothing";
  else if (typeof value === "string") text = JSON.stringify(value);
  else if (value instanceof JsonNumber) text = value.text;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      // Too deep to print (or a cycle): say what it is. String() of a deep array overflows too.
      text = Array.isArray(value) ? "an array" : typeof value === "object" && value !== null ? "an object" : typeof value;
    }
  }
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}
