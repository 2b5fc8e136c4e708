// Maps the typed errors of src/domain/errors.ts to messages and exit codes (CONTRACT §2).

import { basename } from "node:path";
import { ConfigError, DataError, IoError } from "../domain/errors.js";
import { EXIT } from "./exit-codes.js";

export const EXIT_CODES_HELP = `
Exit codes:
  0   healthy (or proof passed)
  1   a proof criterion failed
  2   usage or config error
  3   artifacts written, but the kill switch is engaged: manual intervention required
  65  bad input data (the message names file:line, the field and what was expected);
      no artifacts are written and an existing output folder is left untouched
  74  I/O or persistence error`;

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

/** Prints a typed error and returns its exit code; anything else (a bug, a failed assertion) is rethrown. */
export function reportFailure(
  err: unknown,
  files: Readonly<Record<string, string>> = {},
  /** What a data error left undone, told to the user (e.g. "no artifacts were written"); null for nothing. */
  consequence: string | null = "no artifacts were written",
): number {
  if (err instanceof DataError) {
    const file = files[err.source] ?? err.source;
    process.stderr.write(`recon-proof: bad input: ${err.describe(basename(file))}\n`);
    if (consequence !== null) process.stderr.write(`  ${consequence}.\n`);
    return EXIT.dataError;
  }
  if (err instanceof ConfigError) {
    process.stderr.write(`recon-proof: ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof IoError) {
    process.stderr.write(`recon-proof: ${err.message}\n`);
    return EXIT.ioError;
  }
  // A bug or a broken invariant, not bad input: crash loudly with the stack.
  throw err;
}
