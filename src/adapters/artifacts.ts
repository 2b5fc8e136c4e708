// Writes the artifact set atomically: all four files appear together, or the output folder is left
// exactly as it was. The set is written and fsynced in a staging folder beside DIR, then swapped in
// with renames. A crash between the two renames leaves DIR's previous contents in a backup folder,
// which the next write restores before doing anything else.

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { ConfigError, IoError } from "../domain/errors.js";

export const ARTIFACT_NAMES = ["trades.csv", "reconcile-report.json", "summary.txt", "metrics.txt"] as const;
export type ArtifactSet = Readonly<Record<(typeof ARTIFACT_NAMES)[number], string>>;

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

/** Moves the user's own files (anything that is not an artifact) from the old folder into the new one. */
function carryOver(from: string, to: string, extra: ReadonlyMap<string, string>): void {
  for (const entry of readdirSync(from)) {
    const ours = (ARTIFACT_NAMES as readonly string[]).includes(entry) || DERIVED.has(entry) || extra.has(entry);
    if (!ours && !existsSync(join(to, entry))) renameSync(join(from, entry), join(to, entry));
  }
}

/** Finishes or undoes a write that died part way, so DIR holds one complete set. */
export function recoverInterruptedWrite(outDir: string): void {
  const dir = resolve(outDir);
  const { staging, backup } = siblings(dir);
  if (existsSync(backup)) {
    if (existsSync(dir)) {
      carryOver(backup, dir, new Map());
      rmSync(backup, { recursive: true, force: true });
    } else {
      renameSync(backup, dir);
    }
  }
  if (existsSync(staging)) rmSync(staging, { recursive: true, force: true });
}

export function writeArtifactSet(outDir: string, files: ArtifactSet, extra: ReadonlyMap<string, string> = new Map()): void {
  const dir = resolve(outDir);
  const { staging, backup } = siblings(dir);
  try {
    recoverInterruptedWrite(dir);
    mkdirSync(dirname(dir), { recursive: true });
    mkdirSync(staging);
    for (const name of ARTIFACT_NAMES) writeDurably(join(staging, name), files[name]);
    for (const [name, text] of extra) writeDurably(join(staging, name), text);
    const hadDir = existsSync(dir);
    if (hadDir) renameSync(dir, backup);
    renameSync(staging, dir);
    if (hadDir) {
      carryOver(backup, dir, extra);
      rmSync(backup, { recursive: true, force: true });
    }
    fsyncDir(dirname(dir));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new IoError(`cannot write artifacts to ${outDir}: ${(err as Error).message}`);
  }
}
