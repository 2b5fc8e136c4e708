// Writes a file of lines atomically (a temporary name, then a rename), in slices: a log of millions
// of lines is bigger than the longest string V8 can build, so it is never joined whole.

import { closeSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { IoError } from "../domain/errors.js";

const LINES_PER_WRITE = 65_536;

export function writeLinesAtomically(path: string, lines: readonly string[]): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp`);
  const fd = openSync(tmp, "w");
  try {
    for (let i = 0; i < lines.length; i += LINES_PER_WRITE) {
      writeSync(fd, lines.slice(i, i + LINES_PER_WRITE).join("\n") + "\n");
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Writes a text file atomically (a temporary name beside it, then a rename); a failure is an IoError. */
export function writeTextAtomically(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new IoError(`cannot write ${path}: ${(err as Error).message}`);
  }
}
