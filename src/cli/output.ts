// What a command prints. By default, human lines: results on stdout, notes on stderr. With --json
// (replay, proof, verify, explain, minimize) stdout carries exactly one JSON document for a script
// to parse, failures included, and every human line goes to stderr. Each document is built as the
// type json-docs.ts checks, which schemas/cli-json.schema.json is rendered from.

import { printToStdout } from "../adapters/stdout.js";
import { IoError } from "../domain/errors.js";
import { type DocBody, failureDoc, type FailureDoc, type JsonCommand, type JsonDocs } from "./json-docs.js";
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

export function writeJson(doc: JsonDocs[JsonCommand] | FailureDoc): void {
  printToStdout(JSON.stringify(doc, null, 2) + "\n");
}

/** writeJson for a failure's document: a stdout that cannot be written is kept (flushStdout reports it), not thrown. */
export function writeJsonUnlessStdoutFailed(doc: FailureDoc): void {
  try {
    writeJson(doc);
  } catch (err) {
    if (!(err instanceof IoError)) throw err;
  }
}

/** What a command body hands back: its exit code and, for --json, its document. */
export interface CommandResult<C extends JsonCommand> {
  readonly code: number;
  readonly doc: DocBody<C>;
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
export function runWithOutput<C extends JsonCommand>(command: C, out: Output, body: () => CommandResult<C>, failureContext?: FailureContext): number;
export function runWithOutput<C extends JsonCommand>(command: C, out: Output, body: () => Promise<CommandResult<C>>, failureContext?: FailureContext): Promise<number>;
export function runWithOutput<C extends JsonCommand>(
  command: C,
  out: Output,
  body: () => CommandResult<C> | Promise<CommandResult<C>>,
  failureContext: FailureContext = {},
): number | Promise<number> {
  const failed = (err: unknown): number => {
    const failure = describeFailure(err, failureContext.files, failureContext.consequence);
    for (const line of failure.lines) process.stderr.write(line + "\n");
    // When stdout itself failed, the document cannot be written either; the failure is told above.
    if (out.json) writeJsonUnlessStdoutFailed(failureDoc(command, failure.code, failure.message));
    return failure.code;
  };
  const succeeded = (result: CommandResult<C>): number => {
    // The head and the body, each typed; TypeScript cannot follow a spread of a generic body.
    if (out.json) writeJson({ command, exit_code: result.code, ...result.doc } as unknown as JsonDocs[C]);
    return result.code;
  };
  try {
    const result = body();
    return result instanceof Promise ? result.then(succeeded).catch(failed) : succeeded(result);
  } catch (err) {
    return failed(err);
  }
}
