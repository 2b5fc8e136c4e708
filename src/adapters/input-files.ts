// The files and folders a command reads, opened with one message for each way that fails: what the
// input is, its path as given, what is wrong and what to do. Every such failure is an I/O error
// (exit 74), as each command's --help says; a raw "ENOENT: no such file or directory, open ..." or
// an EISDIR at the first read is never what the user sees.

import { interruptedWriteHint, noArtifactsFolder } from "./out-dir.js";
import { accessSync, closeSync, constants, existsSync, fstatSync, openSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { IoError } from "../domain/errors.js";

/** What went wrong opening a path, and the likely fix, from the error's code. */
function problemOf(err: unknown, kind: "file" | "folder"): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return `no such ${kind} (check the path; a relative path starts from the folder the command runs in)`;
    case "ENOTDIR":
      return kind === "folder" ? "it is a file, not a folder (name the folder)" : "a part of the path is a file, not a folder (check the path)";
    case "EISDIR":
      return "it is a folder, not a file (name the file in it)";
    case "EACCES":
    case "EPERM":
      return `permission denied (give the user running recon-proof read access to the ${kind}${kind === "file" ? " and its folders" : ""}, or run as a user who has it)`;
    case "ELOOP":
      return "too many symbolic links (a link that points at itself?)";
    default:
      return (err as Error).message;
  }
}

/** How messages name the replay's two logs (and any other source by its own name). */
export function inputName(source: string): string {
  return source === "broker" ? "broker log" : source;
}

/** The one message for an input that cannot be read: `what` names the input ("journal", "config file"). */
export function unreadableInput(what: string, path: string, err: unknown, kind: "file" | "folder" = "file"): IoError {
  return new IoError(`cannot read the ${what} ${path}: ${problemOf(err, kind)}`);
}

const IS_A_FOLDER = Object.assign(new Error("is a folder"), { code: "EISDIR" });
const NOT_A_FOLDER = Object.assign(new Error("not a folder"), { code: "ENOTDIR" });

/**
 * Opens an input file for reading. A folder is refused here: opening one succeeds, and only the
 * first read would fail.
 */
export function openInputFile(path: string, what: string): number {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    throw unreadableInput(what, path, err);
  }
  if (fstatSync(fd).isDirectory()) {
    closeSync(fd);
    throw unreadableInput(what, path, IS_A_FOLDER);
  }
  return fd;
}

/** Fails now, with the message above, when an input file cannot be opened (before any work starts). */
export function checkInputFile(path: string, what: string): void {
  closeSync(openInputFile(path, what));
}

/** A whole input file's bytes (for small files: a config, an expect file, a manifest). */
export function readInputFile(path: string, what: string): Buffer {
  const fd = openInputFile(path, what);
  try {
    return readFileSync(fd);
  } catch (err) {
    throw unreadableInput(what, path, err);
  } finally {
    closeSync(fd);
  }
}

/**
 * A file a folder given to a command should hold (an artifact, a shard manifest). The folder is
 * checked first; a file missing from it is said with `fix`, what makes the folder hold it.
 */
export function readFileInFolder(dir: string, name: string, what: string, fix: string): Buffer {
  checkInputFolder(dir, what);
  const path = join(dir, name);
  if (!existsSync(path)) throw new IoError(`${name} is missing from ${dir} (${fix})`);
  return readInputFile(path, name);
}

/** The fix for an artifact missing from a folder. */
export function writeArtifactsFirst(dir: string): string {
  return `write the artifacts with \`recon-proof replay --out ${dir}\` first`;
}

/**
 * Fails unless `dir` is a folder of artifacts that can be listed; a folder missing because a write
 * was interrupted mid-swap says where its complete set waits.
 */
export function checkArtifactsFolder(dir: string): void {
  if (interruptedWriteHint(dir) !== "") throw noArtifactsFolder(dir);
  checkInputFolder(dir, "artifacts folder");
}

/** Fails, with the message above, unless `path` is a folder that can be listed. */
export function checkInputFolder(path: string, what: string): void {
  try {
    if (!statSync(path).isDirectory()) throw NOT_A_FOLDER;
    accessSync(path, constants.R_OK | constants.X_OK);
  } catch (err) {
    throw unreadableInput(what, path, err, "folder");
  }
}
