// What a command prints. By default, human lines: results on stdout, notes on stderr. With --json
// (replay, proof, verify) stdout carries exactly one JSON document for a script to parse, failures
// included, and every human line goes to stderr.

import { printToStdout } from "../adapters/stdout.js";
import { IoError } from "../domain/errors.js";
import { describeFailure } from "./errors.js";

export interface Output {
  readonly json: boolean;
  /** A result line (PASS/FAIL, a tally): stdout, or stderr under --json. */
  result(line: string): void;
  /** A note for the person at the terminal: always stderr. */
  note(line: string): void;
}

export function outputFor(json: boolean): Output {
  return {
    json,
    result: (line) => (json ? process.stderr.write(line + "\n") : printToStdout(line + "\n")),
    note: (line) => process.stderr.write(line + "\n"),
  };
}

export function writeJson(doc: Readonly<Record<string, unknown>>): void {
  printToStdout(JSON.stringify(doc, null, 2) + "\n");
}

/** writeJson for a failure's document: a stdout that cannot be written is kept (flushStdout reports it), not thrown. */
export function writeJsonUnlessStdoutFailed(doc: Readonly<Record<string, unknown>>): void {
  try {
    writeJson(doc);
  } catch (err) {
    if (!(err instanceof IoError)) throw err;
  }
}

/** What a command body hands back: its exit code and, for --json, its document. */
export interface CommandResult {
  readonly code: number;
  readonly doc: Readonly<Record<string, unknown>>;
}

interface FailureContext {
  readonly files?: Readonly<Record<string, string>>;
  readonly consequence?: string | null;
}

/**
 * Runs a command body that returns its exit code and, under --json, its document (an async body,
 * such as a replay that notices signals, returns the promise of them). A typed failure is told on
 * stderr as usual and, under --json, also as `{"command", "exit_code", "error"}`.
 */
export function runWithOutput(command: string, out: Output, body: () => CommandResult, failureContext?: FailureContext): number;
export function runWithOutput(command: string, out: Output, body: () => Promise<CommandResult>, failureContext?: FailureContext): Promise<number>;
export function runWithOutput(
  command: string,
  out: Output,
  body: () => CommandResult | Promise<CommandResult>,
  failureContext: FailureContext = {},
): number | Promise<number> {
  const failed = (err: unknown): number => {
    const failure = describeFailure(err, failureContext.files, failureContext.consequence);
    for (const line of failure.lines) process.stderr.write(line + "\n");
    // When stdout itself failed, the document cannot be written either; the failure is told above.
    if (out.json) writeJsonUnlessStdoutFailed({ command, exit_code: failure.code, error: failure.message });
    return failure.code;
  };
  const succeeded = (result: CommandResult): number => {
    if (out.json) writeJson({ command, exit_code: result.code, ...result.doc });
    return result.code;
  };
  try {
    const result = body();
    return result instanceof Promise ? result.then(succeeded).catch(failed) : succeeded(result);
  } catch (err) {
    return failed(err);
  }
}
