// An output folder (--out DIR) and what lives beside it while a set is written:
//
//   DIR/                               the current set: plain files, the user's own files, and the
//                                      marker .recon-proof that says recon-proof wrote the folder
//   .DIR.recon-proof.lock              the writer that owns DIR now (out-lock.ts)
//   .DIR.recon-proof.staging-<id>/     a set being written (incomplete)
//   .DIR.recon-proof.new/              a complete set, about to be swapped in
//   .DIR.recon-proof.old/              the previous set, moved aside by the swap
//
// The swap (artifacts.ts) renames DIR aside and the new set in. A write killed part way leaves one
// of a few states, each finished or undone by recoverInterruptedWrite, which runs only under the
// lock, before the next write: DIR always ends up holding one complete set, and nothing is left
// beside it. The layout of earlier versions (DIR a symbolic link to .DIR.recon-proof/<n>) is
// recognised and converted by the first write.

import { accessSync, closeSync, constants, existsSync, fsyncSync, lstatSync, openSync, readdirSync, readlinkSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { ConfigError, IoError } from "../domain/errors.js";
import { ARTIFACT_NAMES, REPORT_HTML_NAME, SHARD_GROUPS_NAME, SHARD_MANIFEST_NAME } from "../artifacts/names.js";
import { OutDirLock } from "./out-lock.js";

/** The file in DIR that marks it as recon-proof's (it survives `cp -r` and `tar`). */
export const SET_MARKER = ".recon-proof";
export const SET_MARKER_TEXT =
  "recon-proof output folder: each write replaces the files recon-proof writes here, as one set, and keeps every other file.\n";

/** Every file name the tool writes into DIR: a new set replaces all of them, never carries one over. */
export const OWNED_NAMES: readonly string[] = [...ARTIFACT_NAMES, REPORT_HTML_NAME, SHARD_MANIFEST_NAME, SHARD_GROUPS_NAME, SET_MARKER];

/** The flag that lets a write use a folder recon-proof did not write. */
export const ADOPT_FLAG = "--adopt-out";

/** Where one output folder and the folders of its write live. */
export interface Place {
  /** DIR as the user named it (for messages). */
  readonly given: string;
  readonly dir: string;
  readonly parent: string;
  readonly lock: string;
  /** A new set is written in `${stagingPrefix}<id>`, one id per writer. */
  readonly stagingPrefix: string;
  readonly ready: string;
  readonly aside: string;
  /** The folder of sets of the earlier layout (DIR a link into it). */
  readonly legacy: string;
}

export function placeOf(outDir: string): Place {
  const dir = resolve(outDir);
  const parent = dirname(dir);
  const base = join(parent, `.${basename(dir)}.recon-proof`);
  return { given: outDir, dir, parent, lock: `${base}.lock`, stagingPrefix: `${base}.staging-`, ready: `${base}.new`, aside: `${base}.old`, legacy: base };
}

export function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * What DIR is: missing; a set (a folder recon-proof wrote: it holds the marker, or the earlier
 * layout's folder of sets is beside it); an empty folder; a folder of someone else's files; a link
 * of the earlier layout; any other link; a file.
 */
export type OutKind = "missing" | "set" | "empty" | "foreign" | "legacy-link" | "foreign-link" | "file";

export function kindOf(p: Place): OutKind {
  let st;
  try {
    st = lstatSync(p.dir);
  } catch {
    return "missing";
  }
  if (st.isSymbolicLink()) return legacyLinkText(p) !== null ? "legacy-link" : "foreign-link";
  if (!st.isDirectory()) return "file";
  if (hasMarker(p.dir) || lexists(p.legacy)) return "set";
  return readdirSync(p.dir).length === 0 ? "empty" : "foreign";
}

function hasMarker(dir: string): boolean {
  try {
    return lstatSync(join(dir, SET_MARKER)).isFile();
  } catch {
    return false;
  }
}

/** The text of DIR's link when it is one of the earlier layout (`.DIR.recon-proof/<n>`); else null. */
export function legacyLinkText(p: Place): string | null {
  let text: string;
  try {
    text = readlinkSync(p.dir);
  } catch {
    return null;
  }
  return text.startsWith(`${basename(p.legacy)}/`) && /^\d+$/.test(text.slice(basename(p.legacy).length + 1)) ? text : null;
}

/** The folder whose files are DIR's current set: DIR, or where its earlier-layout link points; null if none. */
export function currentContents(p: Place): string | null {
  const kind = kindOf(p);
  if (kind === "legacy-link") {
    const target = join(p.parent, legacyLinkText(p)!);
    return existsSync(target) ? target : null;
  }
  return kind === "set" || kind === "empty" || kind === "foreign" ? p.dir : null;
}

export interface OutOptions {
  /** Write into a folder recon-proof did not write (its files are kept, but those named like the set's). */
  readonly adopt?: boolean | undefined;
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Refuses output folders the tool must not write: nothing is written, DIR is left as it is. */
export function checkOutDir(outDir: string, options: OutOptions = {}): void {
  const p = placeOf(outDir);
  const cwd = resolve(".");
  if (p.dir === cwd || cwd.startsWith(p.dir + "/") || p.dir === "/") {
    throw new ConfigError(`--out must name a folder of its own, not the current folder or one above it: ${outDir}`);
  }
  const kind = kindOf(p);
  if (kind === "file") throw new ConfigError(`--out names a file, not a folder: ${outDir}`);
  if (kind === "foreign-link") {
    throw new ConfigError(`--out is a symbolic link recon-proof did not make: it is refused, not followed, and left as it is; give the folder it points to: ${outDir}`);
  }
  if (kind === "foreign" && options.adopt !== true) {
    throw new ConfigError(`--out ${outDir} is a folder recon-proof did not write (it holds other files, and no ${SET_MARKER} marker): ` +
      `it is refused, and left as it is, so that none of its files is replaced. Name a new or empty folder, or pass ${ADOPT_FLAG} to write the set into it ` +
      `(its other files are kept; files named like the set's are replaced)`);
  }
  const contents = currentContents(p);
  if (contents !== null && !writable(contents)) {
    throw new IoError(`--out ${outDir} is read-only: nothing was written (make it writable, or choose another folder)`);
  }
  if (existsSync(p.parent) && !writable(p.parent)) {
    throw new IoError(`--out ${outDir}: the folder that holds it, ${p.parent}, is read-only, and a new set is written beside ${basename(p.dir)} before it is swapped in: ` +
      "nothing was written (make that folder writable, or choose another)");
  }
}

/** Moves what the user put into a superseded set (and the current one lacks) into the current one. */
export function moveLeftovers(from: string, to: string, owned: ReadonlySet<string>): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (owned.has(entry.name)) continue;
    const [src, dst] = [join(from, entry.name), join(to, entry.name)];
    if (!lexists(dst)) renameSync(src, dst);
    else if (entry.isDirectory() && lstatSync(dst).isDirectory()) moveLeftovers(src, dst, new Set());
  }
}

/** Removes the earlier layout's folder of sets once DIR holds a set of its own, keeping the user's files from it. */
function retireLegacySets(p: Place, owned: ReadonlySet<string>): void {
  for (const entry of readdirSync(p.legacy, { withFileTypes: true })) {
    // Sets that were current once (and a converted folder) may hold files the user added; staged ones never were.
    if (entry.isDirectory() && /^(\d+|previous)$/.test(entry.name)) moveLeftovers(join(p.legacy, entry.name), p.dir, owned);
  }
  rmSync(p.legacy, { recursive: true, force: true });
}

/**
 * Finishes or undoes a write that died part way (run only by the lock's holder, before it writes):
 * an incomplete set is removed; a complete one whose swap began is put in place (DIR was already
 * aside), one whose swap never began is dropped; a previous set left aside is removed once DIR holds
 * a set, keeping what the user added to it. Told to `note` when DIR changes.
 */
export function recoverInterruptedWrite(p: Place, owned: ReadonlySet<string>, note: (line: string) => void): void {
  if (!existsSync(p.parent)) return;
  for (const name of readdirSync(p.parent)) {
    const path = join(p.parent, name);
    if (path.startsWith(p.stagingPrefix)) rmSync(path, { recursive: true, force: true });
  }
  if (lexists(p.ready)) {
    if (lexists(p.dir)) {
      rmSync(p.ready, { recursive: true, force: true });
    } else {
      renameSync(p.ready, p.dir);
      fsyncDir(p.parent);
      note(`--out ${p.given}: a write was interrupted between the two renames of its swap; the complete set it was writing is now in place`);
    }
  }
  if (lexists(p.aside)) {
    if (lexists(p.dir)) {
      moveLeftovers(p.aside, p.dir, owned);
      rmSync(p.aside, { recursive: true, force: true });
    } else {
      renameSync(p.aside, p.dir); // nothing to swap in: the previous set goes back
    }
  }
  if (lexists(p.legacy)) {
    const previous = join(p.legacy, "previous");
    // An earlier version died converting a real folder: the folder goes back.
    if (!lexists(p.dir) && existsSync(previous)) renameSync(previous, p.dir);
    else if (kindOf(p) === "set" && hasMarker(p.dir)) retireLegacySets(p, owned);
  }
}

/** For a reader that finds no DIR: what happened, when a write was interrupted mid-swap ("" otherwise). */
export function interruptedWriteHint(outDir: string): string {
  const p = placeOf(outDir);
  if (lexists(p.dir) || !lexists(p.ready)) return "";
  return `: a write to it was interrupted between the two renames of its swap, and its complete new set waits beside it in ${basename(p.ready)}; ` +
    `the next recon-proof command that writes it (\`recon-proof report ${outDir}\` is the quickest) puts that set in place`;
}

export function noArtifactsFolder(dir: string): IoError {
  return new IoError(`no artifacts folder at ${dir}${interruptedWriteHint(dir)}`);
}

export function noteOnStderr(line: string): void {
  process.stderr.write(`recon-proof: ${line}\n`);
}

/**
 * Runs `body`, which writes into an existing DIR (`report` adds report.html), as the owner of DIR:
 * under its lock, after an interrupted write was finished. Where the folder holding DIR cannot be
 * written, no writer can swap DIR, and `body` runs as it is.
 */
export function withOutDirLock<T>(outDir: string, command: string, body: () => T, note: (line: string) => void = noteOnStderr): T {
  const p = placeOf(outDir);
  if (!existsSync(p.parent) || !writable(p.parent)) return body();
  const lock = OutDirLock.take(p.lock, outDir, command, note);
  try {
    recoverInterruptedWrite(p, new Set(OWNED_NAMES), note);
    return body();
  } finally {
    lock.release();
  }
}
