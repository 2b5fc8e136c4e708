// Writes the artifact set atomically: all four files appear together, or the output folder is left
// exactly as it was. The set is written and fsynced in a staging folder beside DIR, then swapped in
// with renames. A crash between the two renames leaves DIR's previous contents in a backup folder,
// which the next write restores before doing anything else.

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { assert, ConfigError, IoError } from "../domain/errors.js";
import { ARTIFACT_NAMES, TRADES_CSV } from "../report/artifact-names.js";


/** Files derived from an artifact set that a new set makes stale. */
const DERIVED = new Set(["report.html"]);

function siblings(dir: string): { staging: string; backup: string } {
  const parent = dirname(dir);
  const name = basename(dir);
  return { staging: join(parent, `.${name}.recon-proof-staging`), backup: join(parent, `.${name}.recon-proof-previous`) };
}

function writeDurably(path: string, text: string): void {
  const fd = openSync(path, "w");
  try {
    writeSync(fd, text);
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

/** Refuses output folders whose replacement would take the user's other files with it. */
export function checkOutDir(outDir: string): void {
  const dir = resolve(outDir);
  if (dir === resolve(".") || resolve(".").startsWith(dir + "/") || dir === "/") {
    throw new ConfigError(`--out must name a folder of its own, not the current folder or one above it: ${outDir}`);
  }
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new ConfigError(`--out names a file, not a folder: ${outDir}`);
}

/** Moves the user's own files (anything that is not ours) from the old folder into the new one. */
function carryOver(from: string, to: string, owned: readonly string[]): void {
  for (const entry of readdirSync(from)) {
    const ours = owned.includes(entry) || DERIVED.has(entry);
    if (!ours && !existsSync(join(to, entry))) renameSync(join(from, entry), join(to, entry));
  }
}

/** Finishes or undoes a write that died part way, so DIR holds one complete set. */
export function recoverInterruptedWrite(outDir: string, owned: readonly string[] = ARTIFACT_NAMES): void {
  const dir = resolve(outDir);
  const { staging, backup } = siblings(dir);
  if (existsSync(backup)) {
    if (existsSync(dir)) {
      carryOver(backup, dir, owned);
      rmSync(backup, { recursive: true, force: true });
    } else {
      renameSync(backup, dir);
    }
  }
  if (existsSync(staging)) rmSync(staging, { recursive: true, force: true });
}

/** The files of one set: one streamed as it grows, the rest written whole at commit. */
export interface SetLayout {
  readonly names: readonly string[];
  readonly streamed: string;
}

export const ARTIFACT_SET: SetLayout = { names: ARTIFACT_NAMES, streamed: TRADES_CSV };

/**
 * Writes one artifact set. trades.csv streams into the staging folder as the replay reconciles
 * fills (so a long replay never holds its trades in memory); the other three are written at
 * commit, then the folder is swapped in. abort() leaves DIR exactly as it was. A shard's set
 * (groups.jsonl streamed, shard.json) is written the same way.
 */
export class ArtifactSetWriter {
  private readonly dir: string;
  private readonly staging: string;
  private readonly backup: string;
  private streamFd: number | null;

  constructor(outDir: string, header: string, private readonly layout: SetLayout = ARTIFACT_SET) {
    this.dir = resolve(outDir);
    ({ staging: this.staging, backup: this.backup } = siblings(this.dir));
    try {
      recoverInterruptedWrite(this.dir, layout.names);
      mkdirSync(dirname(this.dir), { recursive: true });
      mkdirSync(this.staging);
      this.streamFd = openSync(join(this.staging, layout.streamed), "w");
      writeSync(this.streamFd, header);
    } catch (err) {
      throw new IoError(`cannot write artifacts to ${outDir}: ${(err as Error).message}`);
    }
  }

  appendStreamed(text: string): void {
    if (this.streamFd === null) throw new Error("invariant: the streamed file appended after the set was closed");
    if (text !== "") writeSync(this.streamFd, text);
  }

  /** Writes the whole files (every name of the layout but the streamed one) and swaps the set in. */
  commit(files: Readonly<Record<string, string>>, extra: ReadonlyMap<string, string> = new Map()): void {
    const owned = [...this.layout.names, ...extra.keys()];
    const whole = this.layout.names.filter((name) => name !== this.layout.streamed);
    for (const name of whole) assert(files[name] !== undefined, `${name} is rendered before commit`);
    try {
      this.closeStream(true);
      for (const name of whole) writeDurably(join(this.staging, name), files[name]!);
      for (const [name, text] of extra) writeDurably(join(this.staging, name), text);
      const hadDir = existsSync(this.dir);
      if (hadDir) renameSync(this.dir, this.backup);
      renameSync(this.staging, this.dir);
      if (hadDir) {
        carryOver(this.backup, this.dir, owned);
        rmSync(this.backup, { recursive: true, force: true });
      }
      fsyncDir(dirname(this.dir));
    } catch (err) {
      throw new IoError(`cannot write artifacts to ${this.dir}: ${(err as Error).message}`);
    }
  }

  /** The replay failed: nothing of this set remains, and DIR is as it was. */
  abort(): void {
    this.closeStream(false);
    rmSync(this.staging, { recursive: true, force: true });
  }

  private closeStream(durably: boolean): void {
    if (this.streamFd === null) return;
    if (durably) fsyncSync(this.streamFd);
    closeSync(this.streamFd);
    this.streamFd = null;
  }
}
