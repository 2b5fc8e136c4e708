// Writes an artifact set atomically: at every instant DIR holds the complete previous set or the
// complete new one, with the user's own files in both.
//
// A real folder cannot be replaced by another in one step (rename(2) will not replace a non-empty
// folder), so DIR is a symbolic link to the current set, a folder kept beside it:
//
//   DIR -> .DIR.recon-proof/7          the current set (and the user's files)
//   .DIR.recon-proof/8.staging/        the next set while it is written
//
// A new set is written and fsynced in its own folder, the user's files are hard-linked into it
// (both sets hold them, so neither is ever without them), and one rename of a new link over DIR
// swaps it in. The previous set's folder is then removed; anything the user put into it meanwhile
// is moved across first. A failure after the swap is only a warning: the new set is in.
//
// What the tool owns in DIR: the four artifacts, report.html (a new set drops it: it describes the
// old one) and a shard's shard.json and groups.jsonl. Everything else is the user's and is carried
// into every new set.
//
// DIR as a real folder (made by hand, or written by an earlier version) is converted by its first
// write. That swap takes two renames (the folder aside into .DIR.recon-proof/previous, the link in)
// and is the one moment DIR can be missing: a kill between them is undone by the next write, which
// puts the folder back before anything else.

import {
  accessSync, closeSync, constants, existsSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync,
  readdirSync, readlinkSync, renameSync, rmdirSync, rmSync, statSync, symlinkSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { assert, ConfigError, IoError } from "../domain/errors.js";
import { ARTIFACT_NAMES, REPORT_HTML_NAME, TRADES_CSV } from "../report/artifact-names.js";
import { SHARD_GROUPS_NAME, SHARD_MANIFEST_NAME } from "../report/shard-codec.js";
import { faultPoint } from "./fault-points.js";
import { type WriteFn, writeBytes, writeFully } from "./write-lines.js";

/** Every file name the tool writes into DIR: a new set replaces all of them, never carries one over. */
const OWNED_NAMES: readonly string[] = [...ARTIFACT_NAMES, REPORT_HTML_NAME, SHARD_MANIFEST_NAME, SHARD_GROUPS_NAME];

function writeDurably(path: string, text: string, write: WriteFn): void {
  const fd = openSync(path, "w");
  try {
    writeFully(fd, text, write);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Where one output folder and its sets live. */
interface Place {
  readonly dir: string;
  readonly parent: string;
  /** Folder of the sets, beside DIR. */
  readonly sets: string;
  /** The text of a link from DIR's parent to set `n`. */
  readonly target: (n: number) => string;
  /** A new link, before it is renamed over DIR. */
  readonly link: string;
  /** A real folder DIR being converted (see the top of this file). */
  readonly previous: string;
}

function placeOf(outDir: string): Place {
  const dir = resolve(outDir);
  const setsName = `.${basename(dir)}.recon-proof`;
  const sets = join(dirname(dir), setsName);
  return { dir, parent: dirname(dir), sets, target: (n) => `${setsName}/${n}`, link: join(sets, "link"), previous: join(sets, "previous") };
}

type OutKind = "missing" | "ours" | "folder" | "foreign-link" | "file";

function kindOf(p: Place): OutKind {
  let st;
  try {
    st = lstatSync(p.dir);
  } catch {
    return "missing";
  }
  if (st.isSymbolicLink()) return currentSet(p) === null ? "foreign-link" : "ours";
  return st.isDirectory() ? "folder" : "file";
}

/** The set folder DIR links to, when DIR is a link this tool made; else null. */
function currentSet(p: Place): string | null {
  let target: string;
  try {
    target = readlinkSync(p.dir);
  } catch {
    return null;
  }
  const m = /^(.*)\/(\d+)$/.exec(target);
  return m !== null && target === p.target(Number(m[2])) ? join(p.parent, target) : null;
}

/** Refuses output folders the tool must not write: nothing is written, DIR is left as it is. */
export function checkOutDir(outDir: string): void {
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
  const contents = kind === "ours" ? currentSet(p) : kind === "folder" ? p.dir : null;
  if (contents !== null && existsSync(contents)) {
    try {
      accessSync(contents, constants.W_OK);
    } catch {
      throw new IoError(`--out ${outDir} is read-only: nothing was written (make it writable, or choose another folder)`);
    }
  }
}

/** Hard-links the user's files (everything not in `owned`) from one set folder into another. */
function linkUserFiles(from: string, to: string, owned: ReadonlySet<string>): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (!owned.has(entry.name)) mirror(join(from, entry.name), join(to, entry.name), entry.isDirectory());
  }
}

function mirror(from: string, to: string, isDir: boolean): void {
  if (!isDir) {
    linkSync(from, to); // a symbolic link is linked as itself
    return;
  }
  mkdirSync(to, { mode: statSync(from).mode & 0o7777 });
  for (const entry of readdirSync(from, { withFileTypes: true })) mirror(join(from, entry.name), join(to, entry.name), entry.isDirectory());
}

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Moves what the user put into a superseded set folder (and the new set lacks) into the current one. */
function moveLeftovers(from: string, to: string, owned: ReadonlySet<string>): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (owned.has(entry.name)) continue;
    const [src, dst] = [join(from, entry.name), join(to, entry.name)];
    if (!lexists(dst)) renameSync(src, dst);
    else if (entry.isDirectory() && lstatSync(dst).isDirectory()) moveLeftovers(src, dst, new Set());
  }
}

/** Removes a superseded set folder, keeping what the user put into it. */
function retire(set: string, current: string | null, owned: ReadonlySet<string>): void {
  if (current !== null && existsSync(current) && existsSync(set)) moveLeftovers(set, current, owned);
  rmSync(set, { recursive: true, force: true });
}

/** Finishes or undoes a write that died part way, so DIR holds one complete set and nothing is left over. */
export function recoverInterruptedWrite(outDir: string, owned: ReadonlySet<string> = new Set(OWNED_NAMES)): void {
  const p = placeOf(outDir);
  if (!existsSync(p.sets)) return;
  if (existsSync(p.previous)) {
    const kind = kindOf(p);
    // A conversion died between its two renames: put the folder back.
    if (kind === "missing") renameSync(p.previous, p.dir);
    else if (kind === "ours") retire(p.previous, currentSet(p), owned);
  }
  rmSync(p.link, { force: true });
  const current = currentSet(p);
  const currentNumber = current === null ? 0 : Number(basename(current));
  for (const name of readdirSync(p.sets)) {
    const path = join(p.sets, name);
    if (path === current || path === p.previous) continue;
    // A set that was current once may hold files the user added late; a staged one never was.
    const wasCurrent = /^\d+$/.test(name) && Number(name) < currentNumber;
    retire(path, wasCurrent ? current : null, owned);
  }
  if (readdirSync(p.sets).length === 0) rmdirSync(p.sets);
}

function nextSetNumber(p: Place): number {
  const numbers = readdirSync(p.sets).map((n) => /^(\d+)(\.staging)?$/.exec(n)).filter((m) => m !== null).map((m) => Number(m[1]));
  return Math.max(0, ...numbers) + 1;
}

/** The files of one set: one streamed as it grows, the rest written whole at commit. */
export interface SetLayout {
  readonly names: readonly string[];
  readonly streamed: string;
}

export const ARTIFACT_SET: SetLayout = { names: ARTIFACT_NAMES, streamed: TRADES_CSV };

/**
 * Writes one artifact set. trades.csv streams into the new set's folder as the replay reconciles
 * fills (so a long replay never holds its trades in memory); the other three are written at
 * commit, then the set is swapped in. abort() leaves DIR exactly as it was. A shard's set
 * (groups.jsonl streamed, shard.json) is written the same way.
 */
export class ArtifactSetWriter {
  private readonly place: Place;
  private readonly owned: ReadonlySet<string>;
  private readonly number: number;
  private readonly staging: string;
  private streamFd: number | null;
  private swapped = false;

  constructor(private readonly outDir: string, header: string, private readonly layout: SetLayout = ARTIFACT_SET,
    private readonly write: WriteFn = writeBytes) {
    this.place = placeOf(outDir);
    this.owned = new Set([...OWNED_NAMES, ...layout.names]);
    try {
      recoverInterruptedWrite(outDir, this.owned);
      mkdirSync(this.place.sets, { recursive: true });
      this.number = nextSetNumber(this.place);
      this.staging = join(this.place.sets, `${this.number}.staging`);
      mkdirSync(this.staging);
      this.streamFd = openSync(join(this.staging, layout.streamed), "w");
      writeFully(this.streamFd, header, this.write);
    } catch (err) {
      this.streamFd = null;
      this.abort();
      throw new IoError(`cannot write artifacts to ${outDir}: ${(err as Error).message}`);
    }
  }

  appendStreamed(text: string): void {
    if (this.streamFd === null) throw new Error("invariant: the streamed file appended after the set was closed");
    if (text === "") return;
    try {
      writeFully(this.streamFd, text, this.write);
    } catch (err) {
      throw new IoError(`cannot write artifacts to ${this.outDir}: ${(err as Error).message}`);
    }
  }

  /**
   * Writes the whole files (every name of the layout but the streamed one) and swaps the set in.
   * Throws IoError when that fails (DIR is then as it was, once abort() has run); returns the
   * warnings of what failed after the swap (the new set is in place all the same).
   */
  commit(files: Readonly<Record<string, string>>, extra: ReadonlyMap<string, string> = new Map()): string[] {
    const whole = this.layout.names.filter((name) => name !== this.layout.streamed);
    for (const name of whole) assert(files[name] !== undefined, `${name} is rendered before commit`);
    const p = this.place;
    const final = join(p.sets, String(this.number));
    let previous: string | null;
    try {
      this.closeStream(true);
      for (const name of whole) writeDurably(join(this.staging, name), files[name]!, this.write);
      for (const [name, text] of extra) writeDurably(join(this.staging, name), text, this.write);
      const kind = kindOf(p);
      previous = kind === "ours" ? currentSet(p) : kind === "folder" ? p.dir : null;
      if (previous !== null && existsSync(previous)) linkUserFiles(previous, this.staging, new Set([...this.owned, ...extra.keys()]));
      fsyncDir(this.staging);
      renameSync(this.staging, final);
      fsyncDir(p.sets);
      faultPoint("commit-written");
      symlinkSync(p.target(this.number), p.link);
      if (kind === "folder") {
        renameSync(p.dir, p.previous);
        previous = p.previous;
      }
      faultPoint("commit-swapping");
      renameSync(p.link, p.dir);
      this.swapped = true;
      fsyncDir(p.parent);
    } catch (err) {
      throw new IoError(`cannot write artifacts to ${this.outDir}: ${(err as Error).message}`);
    }
    return this.cleanUpAfterSwap(previous, final);
  }

  /** The new set is in: what fails from here is a warning, never "nothing written". */
  private cleanUpAfterSwap(previous: string | null, final: string): string[] {
    try {
      faultPoint("commit-swapped");
      if (previous !== null) retire(previous, final, this.owned);
      faultPoint("commit-done");
      return [];
    } catch (err) {
      return [`the artifacts are written to ${this.outDir}, but the previous set could not be removed (${(err as Error).message}); the next write tries again`];
    }
  }

  /** The replay failed before the swap: nothing of this set remains, and DIR is as it was. */
  abort(): void {
    this.closeStream(false);
    if (this.swapped) return;
    try {
      rmSync(join(this.place.sets, `${this.number}.staging`), { recursive: true, force: true });
      rmSync(join(this.place.sets, String(this.number)), { recursive: true, force: true });
      rmSync(this.place.link, { force: true });
      if (existsSync(this.place.sets) && readdirSync(this.place.sets).length === 0) rmdirSync(this.place.sets);
    } catch {
      // Left for the next write to clean up (recoverInterruptedWrite); DIR itself was never touched.
    }
  }

  private closeStream(durably: boolean): void {
    if (this.streamFd === null) return;
    const fd = this.streamFd;
    this.streamFd = null;
    try {
      if (durably) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
