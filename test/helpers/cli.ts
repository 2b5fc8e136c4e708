// Runs the built CLI (dist/, compiled by `pretest`) as a user would, in a child process.

import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = join(REPO, "dist", "cli", "main.js");
export const SCENARIOS = join(REPO, "fixtures", "scenarios");

/** Every command and subcommand, as `--help` is asked of it (`[]` is recon-proof itself). */
export const COMMANDS: readonly (readonly string[])[] = [
  [], ["replay"], ["proof"], ["verify"], ["expect"], ["cache"], ["cache", "init"], ["cache", "dump"], ["gen"], ["report"],
  ["explain"], ["minimize"], ["import"], ["merge"],
];

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

export interface Exit { code: number | null; signal: string | null; stdout: string; stderr: string }

/** Starts the CLI without waiting for it: its pid at once, and how it ended once it has. */
export function startCli(args: readonly string[], env: Record<string, string> = {}): { pid: number; exit: Promise<Exit> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
  return { pid: child.pid!, exit: new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))) };
}

export function tempDir(prefix = "recon-proof-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A folder holding a `recon-proof` command that runs this build, for PATH: the commands the docs show. */
export function reconProofBin(): string {
  const bin = tempDir("recon-proof-bin-");
  writeFileSync(join(bin, "recon-proof"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`);
  chmodSync(join(bin, "recon-proof"), 0o755);
  return bin;
}

export function scenarioNames(): string[] {
  return readdirSync(SCENARIOS).filter((n) => existsSync(join(SCENARIOS, n, "journal.jsonl"))).sort();
}

/** Replays a bundled scenario as `proof` does (with a scratch copy of its cache.db, if it ships one). */
export function replayScenario(name: string, out: string, env: Record<string, string> = {}, extra: readonly string[] = []): CliResult {
  const dir = join(SCENARIOS, name);
  const cacheArgs: string[] = [];
  if (existsSync(join(dir, "cache.db"))) {
    const copy = join(tempDir(), "cache.db");
    copyFileSync(join(dir, "cache.db"), copy);
    cacheArgs.push("--cache", copy);
  }
  return runCli(["replay", "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"),
    "--config", join(dir, "config.json"), ...cacheArgs, "--out", out, ...extra], env);
}

export const ARTIFACTS = ["trades.csv", "reconcile-report.json", "summary.txt", "metrics.txt"] as const;

export function readArtifacts(dir: string): Record<string, string> {
  return Object.fromEntries(ARTIFACTS.map((n) => [n, readFileSync(join(dir, n), "utf8")]));
}

/**
 * What lies beside an output folder that belongs to its writes (its lock, a staged set, the set
 * waiting mid-swap, the previous one): nothing once a write is done or abandoned.
 */
export function besideOut(out: string): string[] {
  const prefix = `.${basename(out)}.recon-proof`;
  return readdirSync(dirname(out)).filter((name) => name.startsWith(prefix)).sort();
}

/** The exit code a scenario's expect.txt names (`exit: N`), default 0. */
export function expectedExit(name: string): number {
  const path = join(SCENARIOS, name, "expect.txt");
  if (!existsSync(path)) return 0;
  const m = /^exit:\s*(\d+)\s*$/m.exec(readFileSync(path, "utf8"));
  return m ? Number(m[1]) : 0;
}
