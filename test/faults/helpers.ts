// Shared pieces of the fault-injection suite (test/faults/): small valid inputs to break one way at
// a time.

import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync, chownSync, closeSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync,
  statfsSync, writeFileSync, writeSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { loadConfig } from "../../src/adapters/inputs.js";
import { ConfigError, DataError } from "../../src/domain/errors.js";
import { type CliResult, readArtifacts, REPO, replayScenario, runCli, tempDir } from "../helpers/cli.js";
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

/** Someone bound by file modes, to run the CLI as (root ignores file modes, so a read-only folder is only read-only to another user). */
export interface OtherUser {
  /** A folder of the user's own, to write into. */
  readonly home: string;
  /** Copies a file to where the user can read it; returns the copy. */
  readable(path: string): string;
  run(args: readonly string[]): CliResult;
}

const OTHER_UID = 65534; // nobody: setuid(2) needs no account for it, only a kernel that maps the id

/** The packages the built CLI loads (package.json's dependencies and theirs), as installed in node_modules. */
function runtimePackages(): string[] {
  const found = new Set<string>();
  const depsOf = (dir: string) => {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies?: object; optionalDependencies?: object };
    return Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies });
  };
  const queue = depsOf(REPO);
  while (queue.length > 0) {
    const name = queue.pop()!;
    const dir = join(REPO, "node_modules", name);
    if (found.has(name) || !existsSync(dir)) continue; // one not hoisted is nested in its dependent, and copied with it
    found.add(name);
    queue.push(...depsOf(dir));
  }
  return [...found];
}

/**
 * The CLI copied where OTHER_UID can run it: dist/, package.json and the runtime packages, in a new
 * folder under the temporary folder, never in the checkout, which may lie where no one but root can
 * enter. A reason instead when that user cannot run it there.
 */
function stageCliForOtherUser(): { root: string; cli: string } | string {
  const root = mkdtempSync(join(tmpdir(), "recon-proof-other-user-"));
  chmodSync(root, 0o755);
  cpSync(join(REPO, "dist"), join(root, "dist"), { recursive: true });
  copyFileSync(join(REPO, "package.json"), join(root, "package.json"));
  for (const name of runtimePackages()) {
    cpSync(realpathSync(join(REPO, "node_modules", name)), join(root, "node_modules", name), { recursive: true, dereference: true });
  }
  const cli = join(root, "dist", "cli", "main.js");
  const probe = spawnSync(process.execPath, [cli, "--version"], { encoding: "utf8", uid: OTHER_UID, gid: OTHER_UID, cwd: root });
  if (probe.error === undefined && probe.status === 0) return { root, cli };
  rmSync(root, { recursive: true, force: true });
  const why = probe.error?.message ?? probe.stderr.split("\n").find((line) => /Error/.test(line)) ?? `exit ${probe.status}`;
  return `uid ${OTHER_UID} cannot run ${process.execPath} on a copy of the CLI under ${tmpdir()} (${why.trim()})`;
}

let staged: { root: string; cli: string } | string | null = null;

/**
 * A user bound by file modes: the current one when the tests do not run as root; as root, uid 65534
 * running a copy of the CLI (see stageCliForOtherUser). A reason to skip instead, where there is none.
 */
export function otherUser(): OtherUser | { readonly skip: string } {
  if (process.getuid?.() !== 0) {
    return { home: tempDir(), readable: (path) => path, run: (args) => runCli(args) };
  }
  staged ??= stageCliForOtherUser();
  if (typeof staged === "string") return { skip: staged };
  const { root, cli } = staged;
  const home = mkdtempSync(join(root, "home-"));
  chownSync(home, OTHER_UID, OTHER_UID);
  return {
    home,
    readable: (path) => {
      const copy = join(mkdtempSync(join(root, "in-")), basename(path));
      copyFileSync(path, copy);
      chmodSync(dirname(copy), 0o755);
      chmodSync(copy, 0o644);
      return copy;
    },
    run: (args) => {
      const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", env: { ...process.env, TMPDIR: home }, cwd: home, uid: OTHER_UID, gid: OTHER_UID });
      if (r.error) throw r.error;
      return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
  };
}

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
