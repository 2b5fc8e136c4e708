// Standard output, checked. Redirected to a file (`import ... > broker.jsonl`), stdout is a file
// like any other: a nearly full disk writes short and then fails (ENOSPC), a failing one gives EIO.
// Node's own stdout stream ignores a short write to a file (the output ends cut mid-line, exit 0)
// and turns a failed one into an unhandled 'error' (a stack trace), so to a file every write goes
// through writeFully and a failure is an IoError naming the file. To a pipe or a terminal the
// stream is kept (a pipe may not take a blocking write); a reader that went away (`| head`) is not
// an error there: what is still printed goes nowhere, quietly. Any other failure of the stream is
// kept and reported when the command ends (flushStdout).

import { fstatSync, readlinkSync } from "node:fs";
import { isatty } from "node:tty";
import { IoError } from "../domain/errors.js";
import { ioReason, writeFully } from "./write-lines.js";

const STDOUT_FD = 1;

type Kind = "file" | "stream";

let kind: Kind | null = null;
/** The first failure to write stdout; every later write is skipped (what follows would be cut anyway). */
let failure: IoError | null = null;
/** The reader of the pipe went away: nothing more is printed, and that is not an error. */
let readerGone = false;

function stdoutKind(): Kind {
  if (kind !== null) return kind;
  try {
    const st = fstatSync(STDOUT_FD);
    kind = st.isFIFO() || st.isSocket() || isatty(STDOUT_FD) ? "stream" : "file";
  } catch {
    kind = "stream"; // no stdout at all: Node's stream copes with that
  }
  return kind;
}

/** What stdout is, for a message: the file it was redirected to, where the system says. */
function stdoutName(): string {
  try {
    return `stdout (${readlinkSync(`/proc/self/fd/${STDOUT_FD}`)})`;
  } catch {
    return "stdout";
  }
}

function failed(err: unknown): IoError {
  failure ??= new IoError(`cannot write ${stdoutName()}: ${ioReason(err)}; what was written there is incomplete`);
  return failure;
}

/** Writes `text` to stdout; to a file, a failed write throws IoError (and later writes are skipped). */
export function printToStdout(text: string): void {
  if (failure !== null || readerGone || text === "") return;
  if (stdoutKind() === "stream") {
    process.stdout.write(text);
    return;
  }
  try {
    writeFully(STDOUT_FD, text);
  } catch (err) {
    throw failed(err);
  }
}

/** Writes lines to stdout, each followed by a line feed, in slices (never one string of them all). */
export function printLinesToStdout(lines: readonly string[], linesPerWrite = 65_536): void {
  for (let i = 0; i < lines.length; i += linesPerWrite) printToStdout(lines.slice(i, i + linesPerWrite).join("\n") + "\n");
}

/**
 * Watches Node's stdout stream for errors (set up once, at start): a closed pipe (EPIPE) ends
 * printing quietly; any other failure is kept for flushStdout. Without a handler either would be an
 * unhandled 'error' event: a stack trace and exit 1.
 */
export function watchStdout(): void {
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") readerGone = true;
    else failed(err);
  });
}

/**
 * The final flush: waits until everything printed is handed to the system, and returns the failure
 * of any write to stdout (null when all went out, or when the reader went away).
 */
export async function flushStdout(): Promise<IoError | null> {
  if (stdoutKind() === "stream" && !readerGone && failure === null && process.stdout.writableLength > 0) {
    await new Promise<void>((resolve) => {
      const done = () => {
        process.stdout.off("drain", done);
        process.stdout.off("error", done);
        resolve();
      };
      process.stdout.on("drain", done);
      process.stdout.on("error", done);
    });
  }
  // An error of the last write is emitted on a later turn of the event loop.
  await new Promise<void>((resolve) => setImmediate(resolve));
  return failure;
}
