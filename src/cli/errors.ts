// Maps the typed errors of src/domain/errors.ts to messages and exit codes (docs/reference/exit-codes.md),
// and says each command's own exit codes in its help.

import { badInput } from "../api/errors.js";
import { ConfigError, DataError, IoError } from "../domain/errors.js";
import { EXIT } from "../runtime/exit-codes.js";
import { Interrupted } from "../runtime/signals.js";

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit-codes block of a command's --help: only the codes that command can return, in its own words. */
export function exitCodesHelp(codes: ReadonlyArray<readonly [ExitCode, string]>): string {
  const lines = codes.map(([code, meaning]) => `  ${String(code).padEnd(4)}${meaning.replace(/\n/g, "\n      ")}`);
  return `\nExit codes:\n${lines.join("\n")}`;
}

/** Meanings shared by several commands. */
export const EXIT_MEANING = {
  usage: "usage or config error (a bad option, a missing or malformed config)",
  badInput: "bad input data: the message names file:line, the field and what was expected;\nnothing is written and an existing output folder is left untouched",
  io: "I/O error: a file or folder cannot be read or written",
} as const;

/** What a command's action hands back: its exit code, or the promise of one (replay, proof). */
export type SetExit = (code: number | Promise<number>) => void;

/**
 * Runs a command's body and returns its exit code; a thrown typed error becomes its own exit code
 * through `onError` (reportFailure unless the command needs to name its files). An async body's
 * rejection is handled the same way.
 */
export function exitCodeOf(body: () => number | Promise<number>, onError: (err: unknown) => number = (err) => reportFailure(err)): number | Promise<number> {
  try {
    const code = body();
    return typeof code === "number" ? code : code.catch(onError);
  } catch (err) {
    return onError(err);
  }
}

/** Tells the user what went wrong after the work was done (the outputs are complete all the same). */
export function printWarnings(warnings: readonly string[]): void {
  for (const w of warnings) process.stderr.write(`recon-proof: warning: ${w}\n`);
}

export interface Failure {
  readonly code: number;
  /** What went wrong, in one line (the JSON output's "error"). */
  readonly message: string;
  /** Lines for stderr: the message, then what the failure left undone. */
  readonly lines: readonly string[];
}

/** A typed error as an exit code and words; anything else (a bug, a failed assertion) is rethrown. */
export function describeFailure(
  err: unknown,
  files: Readonly<Record<string, string>> = {},
  /** What a data error left undone, told to the user (e.g. "no artifacts were written"); null for nothing. */
  consequence: string | null = "no artifacts were written",
): Failure {
  if (err instanceof DataError) {
    const { message } = badInput(err, files);
    return { code: EXIT.dataError, message, lines: [`recon-proof: ${message}`, ...(consequence === null ? [] : [`  ${consequence}.`])] };
  }
  if (err instanceof ConfigError) {
    // A config error found while replaying (an instrument the config does not describe) names the file too.
    const config = files["config"];
    const message = config === undefined ? err.message : err.message.replace(/^config: /, `config ${config}: `);
    return { code: EXIT.usage, message, lines: [`recon-proof: ${message}`] };
  }
  if (err instanceof IoError) return { code: EXIT.ioError, message: err.message, lines: [`recon-proof: ${err.message}`] };
  if (err instanceof Interrupted) return { code: err.exitCode, message: err.message, lines: [`recon-proof: ${err.message}`] };
  // A bug or a broken invariant, not bad input: crash loudly with the stack.
  throw err;
}

/** Prints a typed error on stderr and returns its exit code. */
export function reportFailure(
  err: unknown,
  files: Readonly<Record<string, string>> = {},
  consequence: string | null = "no artifacts were written",
): number {
  const failure = describeFailure(err, files, consequence);
  for (const line of failure.lines) process.stderr.write(line + "\n");
  return failure.code;
}
