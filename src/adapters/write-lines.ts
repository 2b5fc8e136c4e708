// Writing files whole: writeFully finishes a short write (or fails), and writeLinesAtomically
// writes a file of lines atomically (a temporary name, then a rename), in slices: a log of
// millions of lines is bigger than the longest string V8 can build, so it is never joined whole.

import { closeSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { IoError } from "../domain/errors.js";

/** fs.writeSync's shape: returns how many bytes it wrote, which may be fewer than asked. */
export type WriteFn = (fd: number, buffer: Buffer, offset: number, length: number) => number;

export const writeBytes: WriteFn = (fd, buffer, offset, length) => writeSync(fd, buffer, offset, length);

/**
 * Writes all of `text`. A write may write less than asked (a nearly full disk, a file size limit):
 * the rest is written again until it is all out, and a write that makes no progress is an error,
 * so a file is never committed cut short.
 */
export function writeFully(fd: number, text: string | Buffer, write: WriteFn = writeBytes): void {
  const bytes = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  for (let at = 0; at < bytes.length;) {
    const n = write(fd, bytes, at, bytes.length - at);
    if (n <= 0) throw new Error(`no space left: ${bytes.length - at} of ${bytes.length} bytes could not be written`);
    at += n;
  }
}

const LINES_PER_WRITE = 65_536;

export function writeLinesAtomically(path: string, lines: readonly string[]): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp`);
  const fd = openSync(tmp, "w");
  try {
    for (let i = 0; i < lines.length; i += LINES_PER_WRITE) {
      writeFully(fd, lines.slice(i, i + LINES_PER_WRITE).join("\n") + "\n");
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
