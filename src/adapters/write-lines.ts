// Writing files whole and checked: writeFully finishes a short write (or fails), and the atomic
// writers put a file (or several files together) in place by a temporary name and a rename, after
// every write and the final flush (fsync, close) succeeded. A failure is an IoError naming the file,
// and no temporary file is left behind. A log of millions of lines is bigger than the longest
// string V8 can build, so it is written in slices, never joined whole.

import { closeSync, copyFileSync, fsyncSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { IoError } from "../domain/errors.js";
import { writeRoom } from "./fault-points.js";

/** fs.writeSync's shape: returns how many bytes it wrote, which may be fewer than asked. */
export type WriteFn = (fd: number, buffer: Buffer, offset: number, length: number) => number;

/** fs.writeSync, through the test-only full-disk fault (RECON_PROOF_TEST_FAULT=write@N:ENOSPC). */
export const writeBytes: WriteFn = (fd, buffer, offset, length) => writeSync(fd, buffer, offset, writeRoom(length));

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

/**
 * Why an operating-system call failed, in words with its code: "no space left on device (ENOSPC)"
 * rather than Node's "ENOSPC: no space left on device, write '/tmp/.x.tmp'" (which names the
 * temporary file, not the one the user asked for).
 */
export function ioReason(err: unknown): string {
  const { code, message } = err as { code?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : String(err);
  if (typeof code !== "string") return text;
  const m = new RegExp(`^${code}: ([^,]*)`).exec(text);
  return `${m === null ? text : m[1]!} (${code})`;
}

const LINES_PER_WRITE = 65_536;

/** A file's contents: its text, or its lines (each written with a line feed after it). */
export type FileContents = string | readonly string[];

function writeContents(fd: number, contents: FileContents): void {
  if (typeof contents === "string") {
    writeFully(fd, contents);
    return;
  }
  for (let i = 0; i < contents.length; i += LINES_PER_WRITE) {
    writeFully(fd, contents.slice(i, i + LINES_PER_WRITE).join("\n") + "\n");
  }
}

/** A temporary name beside `path`, this process's own: two writers of one file never share one. */
const tempNameOf = (path: string): string => join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);

/** Writes `contents` under the temporary name of `path`, flushed to disk and closed. */
function stage(path: string, contents: FileContents): void {
  const fd = openSync(tempNameOf(path), "w");
  try {
    writeContents(fd, contents);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes several files into `dir` together: every one is written and flushed under a temporary
 * name first, and only then are they renamed into place, so a full disk leaves none of them
 * changed (and no temporary file behind). A failure is an IoError naming the file.
 */
export function writeFilesAtomically(dir: string, files: ReadonlyArray<readonly [name: string, contents: FileContents]>): void {
  let path = dir;
  try {
    for (const [name, contents] of files) {
      path = join(dir, name);
      stage(path, contents);
    }
    for (const [name] of files) {
      path = join(dir, name);
      renameSync(tempNameOf(path), path);
    }
  } catch (err) {
    for (const [name] of files) rmSync(tempNameOf(join(dir, name)), { force: true });
    throw new IoError(`cannot write ${path}: ${ioReason(err)}`);
  }
}

/** Writes a file of lines atomically (see writeFilesAtomically). */
export function writeLinesAtomically(path: string, lines: readonly string[]): void {
  writeFilesAtomically(dirname(path), [[basename(path), lines]]);
}

/** Writes a text file atomically (see writeFilesAtomically). */
export function writeTextAtomically(path: string, text: string): void {
  writeFilesAtomically(dirname(path), [[basename(path), text]]);
}

/** Creates a folder (and its parents) if missing; a failure is an IoError naming it. */
export function makeFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new IoError(`cannot create the folder ${dir}: ${ioReason(err)}`);
  }
}

/** A new private folder under the system's temporary folder; a failure (a full disk) is an IoError. */
export function makeScratchFolder(prefix: string): string {
  try {
    return mkdtempSync(join(tmpdir(), prefix));
  } catch (err) {
    throw new IoError(`cannot create a scratch folder in ${tmpdir()}: ${ioReason(err)}`);
  }
}

/** Copies a file into a folder (a scratch copy); a failure is an IoError naming both. */
export function copyInto(file: string, dir: string): string {
  const copy = join(dir, basename(file));
  try {
    copyFileSync(file, copy);
  } catch (err) {
    rmSync(copy, { force: true });
    throw new IoError(`cannot copy ${file} to ${dir}: ${ioReason(err)}`);
  }
  return copy;
}
