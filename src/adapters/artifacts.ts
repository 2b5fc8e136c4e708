// Writes an artifact set atomically into --out DIR, a real folder of plain files: at every instant
// DIR holds the complete previous set or the complete new one (with the user's own files in both),
// or, for the moment between the two renames of a swap, nothing, with the complete new set beside
// it, which the next write puts in place. The layout of DIR and of what lives beside it while a set
// is written is described in out-dir.ts.
//
// A writer owns DIR for the whole write: it takes DIR's lock (out-lock.ts) before anything else,
// finishes or undoes a write that died part way, then writes the new set, fsynced, in a staging
// folder of its own beside DIR, with the user's files hard-linked (or, where links cannot be made,
// copied) into it from the current set. A real folder cannot be replaced by another in one step
// (rename(2) will not replace a non-empty folder), so the swap is two renames: DIR aside, the new
// set in; then the previous set is removed, after anything the user put into it meanwhile is
// moved across. A failure after the swap is only a warning: the new set is in.
//
// What the tool owns in DIR: the files of the set, report.html (a new set drops it: it describes
// the old one), a shard's shard.json and groups.jsonl, and the marker .recon-proof. Everything else
// is the user's and is carried into every new set.

import { randomBytes } from "node:crypto";
import {
  chmodSync, closeSync, copyFileSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, renameSync, rmSync,
  statSync, symlinkSync, unlinkSync,
} from "node:fs";
import { join } from "node:path";
import { assert, ConfigError, IoError } from "../domain/errors.js";
import { ARTIFACT_NAMES, TRADES_CSV } from "../artifacts/names.js";
import { faultPoint } from "./fault-points.js";
import {
  checkOutDir, currentContents, fsyncDir, legacyLinkText, lexists, noteOnStderr, type OutOptions, OWNED_NAMES, type Place, placeOf,
  recoverInterruptedWrite, SET_MARKER, SET_MARKER_TEXT,
} from "./out-dir.js";
import { OutDirLock } from "./out-lock.js";
import { type WriteFn, writeBytes, writeFully } from "./write-lines.js";

export { checkOutDir } from "./out-dir.js";

function writeDurably(path: string, text: string, write: WriteFn): void {
  const fd = openSync(path, "w");
  try {
    writeFully(fd, text, write);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Errors a hard link meets where links cannot be made (another file system, no link support, link limits). */
const NO_LINK_CODES = new Set(["EPERM", "EXDEV", "ENOTSUP", "EOPNOTSUPP", "EMLINK", "ENOSYS"]);

function linkOrCopy(from: string, to: string): void {
  try {
    linkSync(from, to); // a symbolic link is linked as itself
  } catch (err) {
    if (!NO_LINK_CODES.has((err as NodeJS.ErrnoException).code ?? "")) throw err;
    if (lstatSync(from).isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else copyFileSync(from, to);
  }
}

/** Carries the user's files (everything not in `owned`) from the current set into the new one. */
function carryUserFiles(from: string, to: string, owned: ReadonlySet<string>): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (!owned.has(entry.name)) mirror(join(from, entry.name), join(to, entry.name), entry.isDirectory());
  }
}

function mirror(from: string, to: string, isDir: boolean): void {
  if (!isDir) {
    linkOrCopy(from, to);
    return;
  }
  mkdirSync(to);
  for (const entry of readdirSync(from, { withFileTypes: true })) mirror(join(from, entry.name), join(to, entry.name), entry.isDirectory());
  chmodSync(to, statSync(from).mode & 0o7777); // after its entries: a read-only folder of the user's is filled first
}

/** The files of one set: one streamed as it grows, the rest written whole at commit. */
export interface SetLayout {
  readonly names: readonly string[];
  readonly streamed: string;
}

export const ARTIFACT_SET: SetLayout = { names: ARTIFACT_NAMES, streamed: TRADES_CSV };

/** Where the set's write has got to: what abort() must undo. */
type Stage = "staging" | "ready" | "aside" | "unlinked" | "swapped" | "done";

export interface WriterOptions extends OutOptions {
  /** The command named in DIR's lock while it writes (for a second writer's refusal). */
  readonly command?: string | undefined;
  /** Where a recovered lock or a finished interrupted write is told (default stderr). */
  readonly note?: ((line: string) => void) | undefined;
}

/**
 * Writes one artifact set. trades.csv streams into the new set's folder as the replay reconciles
 * fills (so a long replay never holds its trades in memory); the other three are written at
 * commit, then the set is swapped in. abort() leaves DIR exactly as it was. A shard's set
 * (groups.jsonl streamed, shard.json) is written the same way. DIR is locked from the constructor
 * to commit() or abort().
 */
export class ArtifactSetWriter {
  private readonly place: Place;
  private readonly owned: ReadonlySet<string>;
  private readonly note: (line: string) => void;
  private readonly staging: string;
  private readonly lock: OutDirLock;
  private streamFd: number | null = null;
  private stage: Stage = "staging";
  /** DIR's link of the earlier layout, removed by the swap (restored by abort()). */
  private linkText: string | null = null;

  constructor(private readonly outDir: string, header: string, private readonly layout: SetLayout = ARTIFACT_SET,
    private readonly write: WriteFn = writeBytes, options: WriterOptions = {}) {
    this.place = placeOf(outDir);
    this.owned = new Set([...OWNED_NAMES, ...layout.names]);
    this.note = options.note ?? noteOnStderr;
    this.staging = `${this.place.stagingPrefix}${process.pid}-${randomBytes(4).toString("hex")}`;
    try {
      mkdirSync(this.place.parent, { recursive: true });
      this.lock = OutDirLock.take(this.place.lock, outDir, options.command ?? "write", this.note);
    } catch (err) {
      throw this.failure(err);
    }
    try {
      recoverInterruptedWrite(this.place, this.owned, this.note);
      checkOutDir(outDir, options); // again, now that DIR is this writer's
      mkdirSync(this.staging);
      this.streamFd = openSync(join(this.staging, layout.streamed), "w");
      writeFully(this.streamFd, header, this.write);
    } catch (err) {
      this.abort();
      throw this.failure(err);
    }
  }

  /** A typed error passes as it is; anything else from below is an I/O error. */
  private failure(err: unknown): Error {
    if (err instanceof IoError || err instanceof ConfigError) return err;
    return new IoError(`cannot write artifacts to ${this.outDir}: ${(err as Error).message}`);
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
    try {
      this.closeStream(true);
      for (const name of whole) writeDurably(join(this.staging, name), files[name]!, this.write);
      for (const [name, text] of extra) writeDurably(join(this.staging, name), text, this.write);
      writeDurably(join(this.staging, SET_MARKER), SET_MARKER_TEXT, this.write);
      const current = currentContents(this.place);
      if (current !== null) {
        carryUserFiles(current, this.staging, new Set([...this.owned, ...extra.keys()]));
        chmodSync(this.staging, statSync(current).mode & 0o7777);
      }
      fsyncDir(this.staging);
      this.swapIn();
    } catch (err) {
      throw this.failure(err);
    }
    return this.cleanUpAfterSwap();
  }

  /** The complete, fsynced set goes in: DIR aside (or the earlier layout's link removed), the set renamed to DIR. */
  private swapIn(): void {
    const p = this.place;
    this.lock.check(this.outDir);
    renameSync(this.staging, p.ready);
    this.stage = "ready";
    fsyncDir(p.parent);
    faultPoint("commit-written");
    this.linkText = legacyLinkText(p);
    if (this.linkText !== null) {
      unlinkSync(p.dir);
      this.stage = "unlinked";
    } else if (lexists(p.dir)) {
      renameSync(p.dir, p.aside);
      this.stage = "aside";
    }
    faultPoint("commit-swapping");
    renameSync(p.ready, p.dir);
    this.stage = "swapped";
    fsyncDir(p.parent);
  }

  /** The new set is in: what fails from here is a warning, never "nothing written". */
  private cleanUpAfterSwap(): string[] {
    try {
      faultPoint("commit-swapped");
      recoverInterruptedWrite(this.place, this.owned, this.note); // removes the previous set, keeping what the user added
      faultPoint("commit-done");
      return [];
    } catch (err) {
      return [`the artifacts are written to ${this.outDir}, but the previous set could not be removed (${(err as Error).message}); the next write tries again`];
    } finally {
      this.stage = "done";
      this.lock.release();
    }
  }

  /** The write failed before the swap: nothing of this set remains, DIR is as it was, and its lock is released. */
  abort(): void {
    this.closeStream(false);
    try {
      if (this.stage !== "swapped" && this.stage !== "done") this.undo();
    } catch {
      // Left for the next writer to finish or undo (recoverInterruptedWrite).
    } finally {
      this.lock.release();
    }
  }

  private undo(): void {
    const p = this.place;
    if (this.stage === "staging") {
      rmSync(this.staging, { recursive: true, force: true });
      return;
    }
    if (!this.lock.holds()) return; // the folders beside DIR are another writer's now: not touched
    if (this.stage === "aside") renameSync(p.aside, p.dir);
    if (this.stage === "unlinked") symlinkSync(this.linkText!, p.dir);
    rmSync(p.ready, { recursive: true, force: true });
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
