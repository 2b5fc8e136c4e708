// Shared pieces of the fault-injection suite (test/faults/): small valid inputs to break one way at
// a time.

import { spawn, spawnSync } from "node:child_process";
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statfsSync, writeFileSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { loadConfig } from "../../src/adapters/inputs.js";
import { ConfigError, DataError } from "../../src/domain/errors.js";
import { CLI, type CliResult, readArtifacts, replayScenario, tempDir } from "../helpers/cli.js";
import { B, J } from "../helpers/replay.js";

/** A journal that starts flat at 07:00 UTC. */
export const FLAT_JOURNAL_START = [J.snapshot("07:00:00")];
/** A broker log that starts flat at 06:59 UTC. */
export const FLAT_BROKER_START = [B.snapshot("06:59:00")];

/** The DataError `fn` throws (anything else thrown, or nothing, fails the test). */
export function dataErrorOf(fn: () => unknown): DataError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DataError) return err;
    throw err;
  }
  throw new Error("expected a DataError");
}

/** A config file holding `bytes`, in a folder of its own. */
export function configFile(bytes: string | Buffer): string {
  const path = join(tempDir(), "config.json");
  writeFileSync(path, bytes);
  return path;
}

/** The ConfigError loading the config at `path` throws (anything else fails the test). */
export function configErrorOf(path: string): ConfigError {
  try {
    loadConfig(path);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

/**
 * Runs the CLI as a user other than root when the tests run as root (root ignores file modes, so a
 * read-only folder is only read-only to someone else); otherwise as the current user. The folders
 * it touches must be open to that user.
 */
export function runCliAsOtherUser(args: readonly string[]): CliResult {
  const asRoot = process.getuid?.() === 0;
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8", env: process.env, ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const NOBODY = 65534;

/** The artifacts each named scenario replays to, computed once (lazily) for comparisons. */
export function setExpectedByScenario(names: readonly string[]): () => Record<string, Record<string, string>> {
  let sets: Record<string, Record<string, string>> | null = null;
  return () => {
    sets ??= Object.fromEntries(names.map((name) => {
      const out = join(tempDir(), name);
      replayScenario(name, out);
      return [name, readArtifacts(out)];
    }));
    return sets;
  };
}

/** Resolves once process `pid` is stopped (SIGSTOP), read from /proc: a condition, not a delay. */
export async function stopped(pid: number): Promise<void> {
  for (;;) {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("T")) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ROOT_ONLY = "the suite is not running as root (mounting a file system needs root)";

/** A new, empty tmpfs of `kib` KiB (root only), or why there is none; unmount it with unmountTmpfs. */
export function mountTmpfs(kib: number, options = ""): { dir: string } | { skip: string } {
  if (process.getuid?.() !== 0) return { skip: ROOT_ONLY };
  const dir = tempDir("recon-proof-tmpfs-");
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${kib}k,mode=1777${options}`, "tmpfs", dir], { encoding: "utf8" });
  if (r.status !== 0) return { skip: `mount -t tmpfs failed: ${(r.stderr || String(r.error)).trim()}` };
  return { dir };
}

export function unmountTmpfs(dir: string): void {
  spawnSync("umount", [dir]);
}

/** Fills the file system holding `dir` until at most `leaveBytes` are free; returns the filler file. */
export function fillDisk(dir: string, leaveBytes = 0): string {
  const filler = join(dir, ".filler");
  const fd = openSync(filler, "w");
  try {
    const free = () => { const s = statfsSync(dir); return s.bavail * s.bsize; };
    const chunk = Buffer.alloc(4096);
    while (free() > leaveBytes) {
      try {
        writeSync(fd, chunk, 0, Math.min(chunk.length, free() - leaveBytes));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOSPC") break;
        throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
  return filler;
}

/**
 * A folder that cannot be written, holding what `populate` put there: for root (whom file modes do
 * not stop) a tmpfs remounted read-only, else a folder with mode 555. `release` makes it go away or
 * writable again. Null (with the reason printed) when root cannot mount.
 */
export function readOnlyFolder(populate: (dir: string) => void): { dir: string; release: () => void } | null {
  if (process.getuid?.() !== 0) {
    const dir = join(tempDir(), "read-only");
    mkdirSync(dir);
    populate(dir);
    chmodSync(dir, 0o555);
    return { dir, release: () => chmodSync(dir, 0o755) };
  }
  const mounted = mountTmpfs(4096);
  if ("skip" in mounted) {
    process.stderr.write(`skipped: a read-only folder needs a read-only mount as root, and ${mounted.skip}\n`);
    return null;
  }
  populate(mounted.dir);
  const r = spawnSync("mount", ["-o", "remount,ro", mounted.dir], { encoding: "utf8" });
  if (r.status !== 0) {
    unmountTmpfs(mounted.dir);
    process.stderr.write(`skipped: mount -o remount,ro failed: ${r.stderr.trim()}\n`);
    return null;
  }
  return { dir: mounted.dir, release: () => unmountTmpfs(mounted.dir) };
}

/**
 * Another process holding SQLite's lock on `db`: it runs `sql` (e.g. "BEGIN EXCLUSIVE; SELECT 1")
 * and keeps the transaction open until released, or for `releaseAfterMs` (a test that runs the CLI
 * synchronously cannot release it meanwhile).
 */
export async function holdSqliteLock(db: string, sql: string, releaseAfterMs?: number): Promise<{ pid: number; release: () => Promise<void> }> {
  const sqlite = createRequire(import.meta.url).resolve("better-sqlite3");
  const script = `const db = new (require(${JSON.stringify(sqlite)}))(${JSON.stringify(db)}); db.exec(${JSON.stringify(sql)});
    const release = () => { if (db.open) { db.exec("ROLLBACK"); db.close(); } };
    ${releaseAfterMs === undefined ? "" : `setTimeout(release, ${releaseAfterMs});`}
    process.stdout.write("held\\n"); process.stdin.on("end", release); process.stdin.resume();`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`the lock holder exited (${code}) before taking the lock`)));
  });
  return { pid: child.pid!, release: async () => { child.stdin.end(); await exited; } };
}
