// Runs the built CLI (dist/, compiled by `pretest`) as a user would, in a child process.

import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = join(REPO, "dist", "cli", "main.js");
export const SCENARIOS = join(REPO, "fixtures", "scenarios");

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], env: Record<string, string> = {}, cwd?: string): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    ...(cwd === undefined ? {} : { cwd }),
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = "recon-proof-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function scenarioNames(): string[] {
  return readdirSync(SCENARIOS).filter((n) => existsSync(join(SCENARIOS, n, "journal.jsonl"))).sort();
}

/** Replays a bundled scenario as `proof` does (with a scratch copy of its cache.db, if it ships one). */
export function replayScenario(name: string, out: string, env: Record<string, string> = {}): CliResult {
  const dir = join(SCENARIOS, name);
  const cacheArgs: string[] = [];
  if (existsSync(join(dir, "cache.db"))) {
    const copy = join(tempDir(), "cache.db");
    copyFileSync(join(dir, "cache.db"), copy);
    cacheArgs.push("--cache", copy);
  }
  return runCli(["replay", "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"),
    "--config", join(dir, "config.json"), ...cacheArgs, "--out", out], env);
}

export const ARTIFACTS = ["trades.csv", "reconcile-report.json", "summary.txt", "metrics.txt"] as const;

export function readArtifacts(dir: string): Record<string, string> {
  return Object.fromEntries(ARTIFACTS.map((n) => [n, readFileSync(join(dir, n), "utf8")]));
}

/** The exit code a scenario's expect.txt names (`exit: N`), default 0. */
export function expectedExit(name: string): number {
  const path = join(SCENARIOS, name, "expect.txt");
  if (!existsSync(path)) return 0;
  const m = /^exit:\s*(\d+)\s*$/m.exec(readFileSync(path, "utf8"));
  return m ? Number(m[1]) : 0;
}
