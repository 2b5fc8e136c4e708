// What a command prints. By default, human lines: results on stdout, notes on stderr. With --json
// (replay, proof, verify) stdout carries exactly one JSON document for a script to parse, failures
// included, and every human line goes to stderr.

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
    result: (line) => (json ? process.stderr : process.stdout).write(line + "\n"),
    note: (line) => process.stderr.write(line + "\n"),
  };
}

export function writeJson(doc: Readonly<Record<string, unknown>>): void {
  process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
}

type Outcome = { readonly code: number; readonly doc: Readonly<Record<string, unknown>> };
type FailureContext = { files?: Readonly<Record<string, string>>; consequence?: string | null };

/** A typed failure told on stderr and, under --json, as `{"command", "exit_code", "error"}`; its exit code. */
function failed(command: string, out: Output, err: unknown, context: FailureContext): number {
  const failure = describeFailure(err, context.files, context.consequence);
  for (const line of failure.lines) process.stderr.write(line + "\n");
  if (out.json) writeJson({ command, exit_code: failure.code, error: failure.message });
  return failure.code;
}

function succeeded(command: string, out: Output, result: Outcome): number {
  if (out.json) writeJson({ command, exit_code: result.code, ...result.doc });
  return result.code;
}

/**
 * Runs a command body that returns its exit code and, under --json, its document. A typed failure
 * is told on stderr as usual and, under --json, also as `{"command", "exit_code", "error"}`.
 */
export function runWithOutput(command: string, out: Output, body: () => Outcome, failureContext: FailureContext = {}): number {
  let result: Outcome;
  try {
    result = body();
  } catch (err) {
    return failed(command, out, err, failureContext);
  }
  return succeeded(command, out, result);
}

/** The same for a body that takes its time (worker threads). */
export async function runWithOutputAsync(command: string, out: Output, body: () => Promise<Outcome>, failureContext: FailureContext = {}): Promise<number> {
  let result: Outcome;
  try {
    result = await body();
  } catch (err) {
    return failed(command, out, err, failureContext);
  }
  return succeeded(command, out, result);
}
