// Shared pieces of the fault-injection suite (test/faults/): small valid inputs to break one way at
// a time.

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
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
