// Fault suite: `recon-proof proof | head -3`. A reader that goes away is not an error: output
// stops quietly, the work is finished (every scenario's artifacts written), and the exit code is
// the command's own, for every command that prints to stdout. It used to die with an unhandled
// EPIPE (a stack trace, exit 1).
//
// The pipe is made without a reader before the command starts, so its first write fails every
// time (with `| head` that depends on which side is faster).

import { spawnSync } from "node:child_process";
import { closeSync, constants, existsSync, openSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, REPO, tempDir } from "../helpers/cli.js";

/** Runs the CLI with stdout a pipe whose reading end is already closed; stderr is captured. */
function withClosedStdout(args: readonly string[]): { status: number | null; stderr: string } {
  const fifo = join(tempDir(), "stdout.fifo");
  expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(fifo, constants.O_WRONLY);
  closeSync(reader);
  try {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, stdio: ["ignore", writer, "pipe"], encoding: "utf8" });
    return { status: r.status, stderr: r.stderr };
  } finally {
    closeSync(writer);
  }
}

describe("a closed stdout", () => {
  it("proof: ends quietly with its own exit code, every scenario still proved", () => {
    const artifacts = join(tempDir(), "artifacts");
    const r = withClosedStdout(["proof", "--artifacts", artifacts, "proofs/healthy", "proofs/drift-units", "proofs/orphan-manual-trade"]);
    expect(r.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
    expect(r.status).toBe(0);
    for (const name of ["healthy", "drift-units", "orphan-manual-trade"]) expect(existsSync(join(artifacts, name, "summary.txt"))).toBe(true);
  });

  it("import and cache dump: the same", () => {
    const dump = join(tempDir(), "c.db");
    expect(spawnSync(process.execPath, [CLI, "cache", "init", dump]).status).toBe(0);
    const d = withClosedStdout(["cache", "dump", dump]);
    expect([d.status, d.stderr]).toEqual([0, ""]);
    const i = withClosedStdout(["import", "oanda", "fixtures/e2e/oanda/transactions-stream.jsonl"]);
    expect(i.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
    expect(i.status).toBe(0);
  });

  it("explain, expect, verify, and a --json document: the same", () => {
    const artifacts = join(tempDir(), "artifacts");
    const orphan = join(REPO, "fixtures", "scenarios", "orphan-manual-trade");
    const args = ["--journal", join(orphan, "journal.jsonl"), "--broker", join(orphan, "broker.jsonl"), "--config", join(orphan, "config.json")];
    for (const [cmd, code] of [
      [["replay", ...args, "--out", artifacts, "--json"], 3],
      [["explain", artifacts, "F00001", "--inputs", orphan], 0],
      [["expect", artifacts], 0],
      [["verify", "--artifacts", artifacts, "--expect", join(orphan, "expect.txt"), "--exit-code", "3"], 0],
    ] as const) {
      const r = withClosedStdout(cmd);
      expect([r.status, r.stderr.match(/EPIPE|Error|\n\s+at /)], cmd.join(" ")).toEqual([code, null]);
    }
  });
});
