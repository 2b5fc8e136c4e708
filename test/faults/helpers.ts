// Shared pieces of the fault-injection suite (test/faults/): small valid inputs to break one way at
// a time.

import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
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
