// `recon-proof gen`: same seed, same bytes; a generated folder is a proof that passes; bad
// arguments are usage errors.

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "./helpers/cli.js";

function gen(seed: number, faults: string, out: string) {
  return runCli(["gen", "--seed", String(seed), "--events", "2000", "--faults", faults, "--out", out]);
}

function files(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), "latin1")]));
}

describe("recon-proof gen: the same seed gives the same scenario, which is its own proof", () => {
  it("two runs with one seed are byte-identical; another seed differs", () => {
    const [a, b, c] = [join(tempDir(), "a"), join(tempDir(), "b"), join(tempDir(), "c")];
    expect(gen(7, "disconnect,orphan", a).status).toBe(0);
    expect(gen(7, "disconnect,orphan", b).status).toBe(0);
    expect(gen(8, "disconnect,orphan", c).status).toBe(0);
    expect(files(a)).toEqual(files(b));
    expect(files(a)["broker.jsonl"]).not.toBe(files(c)["broker.jsonl"]);
    expect(Object.keys(files(a))).toEqual(["broker.jsonl", "config.json", "expect.txt", "journal.jsonl", "truth.json"]);
  });

  it("a generated folder is a proof, and its ground truth is what the proof checks", () => {
    const dir = join(tempDir(), "s");
    expect(gen(5, "lost-order,duplicate-delivery", dir).status).toBe(0);
    const truth = JSON.parse(readFileSync(join(dir, "truth.json"), "utf8")) as { findings: Array<{ kind: string }>; kill_switch: boolean };
    expect(truth.findings.map((f) => f.kind)).toContain("stale_local_order");
    expect(truth.kill_switch).toBe(true);
    const r = runCli(["proof", "--artifacts", join(tempDir(), "art"), dir]);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^PASS s reconcile-report\.json: "kind": "stale_local_order"$/m);
  });

  it("its expect.txt pins every count so that a count changed to a longer number fails", () => {
    const dir = join(tempDir(), "g");
    expect(gen(9, "orphan,lost-order,duplicate-delivery", dir).status).toBe(0);
    const art = join(tempDir(), "art");
    expect(runCli(["proof", "--artifacts", art, dir]).status).toBe(0);
    const summaryPath = join(art, "g", "summary.txt");
    const clean = readFileSync(summaryPath, "utf8");
    const tampers: Array<[RegExp, string]> = [
      [/^(duplicate_deliveries=\d+)$/m, "$17"], [/^(duplicates_skipped=\d+)$/m, "$17"], [/^(kill_switch=\d)$/m, "$17"],
      [/ (orphan=\d+) /, " $17 "], [/ (stale=\d+) /, " $17 "],
    ];
    for (const [pattern, longer] of tampers) {
      const tampered = clean.replace(pattern, longer);
      expect(tampered, String(pattern)).not.toBe(clean);
      writeFileSync(summaryPath, tampered);
      const r = runCli(["verify", "--artifacts", join(art, "g"), "--expect", join(dir, "expect.txt"), "--exit-code", "3"]);
      expect(r.status, `${pattern}\n${r.stdout}`).toBe(1);
    }
  });

  it("corrupt-cache writes a cache.db the proof replays with, and expects cache_ok=false", () => {
    const dir = join(tempDir(), "cc");
    expect(gen(3, "corrupt-cache", dir).status).toBe(0);
    const r = runCli(["proof", "--artifacts", join(tempDir(), "art"), dir]);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^PASS cc summary\.txt: cache_ok=false$/m);
  });

  it("an unknown fault or a bad number is a usage error (exit 2) naming what is allowed", () => {
    const r = runCli(["gen", "--seed", "1", "--events", "100", "--faults", "meteor", "--out", join(tempDir(), "x")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown fault "meteor" \(known: drop-ack, duplicate-delivery, /);
    expect(runCli(["gen", "--seed", "-1", "--events", "100", "--out", join(tempDir(), "y")]).status).toBe(2);
  });
});
