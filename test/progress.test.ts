// Progress on long commands (docs/outputs-and-proofs.md, "Progress"): percent and ETA on stderr, only on a
// terminal, only once the work has taken ~2 s, and the line is cleared at the end. Unit tests force the TTY
// check and the clock through injected stand-ins; the CLI tests run each command on a pseudo-terminal.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clock, Progress, progressLine } from "../src/runtime/progress.js";
import { CLI, SCENARIOS, tempDir } from "./helpers/cli.js";

function fakeTerminal(isTTY: boolean) {
  const written: string[] = [];
  let now = 1_000_000;
  return {
    stream: { isTTY, write: (t: string) => written.push(t) },
    now: () => now,
    advance: (ms: number) => { now += ms; },
    written,
  };
}

describe("Progress", () => {
  it("prints nothing for the first 2 s, then percent, amounts and time left, at most every 250 ms", () => {
    const t = fakeTerminal(true);
    const p = new Progress("replay", 200 * 1024 * 1024, "bytes", { stream: t.stream, now: t.now, quietMs: 2000 });
    t.advance(1999);
    p.update(20 * 1024 * 1024);
    expect(t.written).toEqual([]);
    t.advance(1); // 2 s in, 25% done: 6 s to go
    p.update(50 * 1024 * 1024);
    expect(t.written).toEqual(["\rreplay  25%  50.0 of 200.0 MiB  ETA 0:06"]);
    t.advance(100);
    p.update(60 * 1024 * 1024);
    expect(t.written).toHaveLength(1);
    t.advance(400);
    p.update(100 * 1024 * 1024);
    expect(t.written[1]).toBe("\rreplay  50%  100.0 of 200.0 MiB  ETA 0:03");
    p.done();
    expect(t.written[2]).toBe(`\r${" ".repeat(t.written[1]!.length - 1)}\r`);
  });

  it("prints nothing at all when stderr is not a terminal", () => {
    const t = fakeTerminal(false);
    const p = new Progress("gen", 1000, "events", { stream: t.stream, now: t.now, quietMs: 0 });
    t.advance(5000);
    p.update(500);
    p.done();
    expect(t.written).toEqual([]);
  });

  it("a part of the work reports from its offset (one scenario of a proof run)", () => {
    const t = fakeTerminal(true);
    const mib = 1024 * 1024;
    const p = new Progress("proof", 4 * mib, "bytes", { stream: t.stream, now: t.now, quietMs: 0, everyMs: 0 });
    t.advance(1000);
    p.from(2 * mib).update(mib);
    expect(t.written).toEqual(["\rproof  75%  3.0 of 4.0 MiB  ETA 0:00"]);
  });

  it("formats counts with separators and long times with hours", () => {
    expect(progressLine("gen", 250_000, 1_000_000, "events", 10_000)).toBe("gen  25%  250,000 of 1,000,000 events  ETA 0:30");
    expect(clock(3723)).toBe("1:02:03");
    expect(clock(59.6)).toBe("1:00");
  });
});

/** Runs a shell command line on a pseudo-terminal (util-linux `script`), returning what the terminal showed. */
function onTerminal(command: string, cwd: string): { status: number; output: string } {
  const r = spawnSync("script", ["-qec", command, "/dev/null"], {
    cwd, encoding: "utf8", env: { ...process.env, RECON_PROOF_PROGRESS_AFTER_MS: "0" }, maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, output: r.stdout + r.stderr };
}

const PROGRESS = (label: string) => new RegExp(`\\r${label} +\\d{1,3}%  [\\d.,]+ of [\\d.,]+ \\w+  ETA \\d+:\\d\\d`);

describe.skipIf(!existsSync("/usr/bin/script"))("progress of each long command, on a terminal", () => {
  const cli = `node ${JSON.stringify(CLI)}`;
  const work = tempDir("recon-proof-progress-");
  const gen = join(work, "g");
  const healthy = join(SCENARIOS, "healthy");

  it("gen, replay, replay --shard, merge, proof, report, explain and import show percent and ETA; nothing without a terminal", () => {
    const steps: Array<[label: string, command: string]> = [
      ["gen", `${cli} gen --seed 3 --events 6000 --faults orphan --out ${gen}`],
      ["replay", `${cli} replay --journal ${gen}/journal.jsonl --broker ${gen}/broker.jsonl --config ${gen}/config.json --out ${work}/a`],
      ["replay shard 1/2", `${cli} replay --journal ${gen}/journal.jsonl --broker ${gen}/broker.jsonl --config ${gen}/config.json --shard 1/2 --out ${work}/s1`],
      ["replay shard 2/2", `${cli} replay --journal ${gen}/journal.jsonl --broker ${gen}/broker.jsonl --config ${gen}/config.json --shard 2/2 --out ${work}/s2`],
      ["merge", `${cli} merge --out ${work}/m ${work}/s1 ${work}/s2`],
      ["proof", `${cli} proof --artifacts ${work}/p ${gen} ${healthy}`],
      ["report", `${cli} report ${work}/a --inputs ${gen}`],
      ["explain", `${cli} explain ${work}/a F00001 --inputs ${gen}`],
      ["import", `${cli} import oanda ${join(SCENARIOS, "..", "e2e", "oanda", "transactions-stream.jsonl")} > ${work}/imported.jsonl`],
    ];
    for (const [label, command] of steps) {
      const shown = onTerminal(command, work);
      expect([0, 3], `${command}\n${shown.output}`).toContain(shown.status);
      expect(shown.output, command).toMatch(PROGRESS(label));
      // Without a terminal (stderr to a pipe): the same command prints no progress.
      const piped = spawnSync("sh", ["-c", command], { cwd: work, encoding: "utf8", env: { ...process.env, RECON_PROOF_PROGRESS_AFTER_MS: "0" } });
      expect(piped.stderr, command).not.toMatch(/ETA/);
    }
  }, 120_000);
});
