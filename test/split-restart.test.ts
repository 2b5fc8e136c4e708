// Split-at-restart equivalence: a journal replayed in two processes split at a `restart` record,
// sharing one cache file, sends the same orders, skips the same duplicates and finds the same
// things as one process that sees the `restart` inline. The second process gets the whole broker
// log: it is the broker's history, which an engine restarting does not rewrite.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { initCache } from "../src/adapters/cache/schema.js";
import { generateScenario } from "../src/gen/generate.js";
import { readArtifacts, runCli, tempDir } from "./helpers/cli.js";

interface Outcome { summary: Map<string, string>; findings: string[] }

function replay(dir: string, journal: string, broker: string, cache: string): Outcome {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const r = runCli(["replay", "--journal", journal, "--broker", broker, "--config", join(dir, "config.json"), "--cache", cache, "--out", out]);
  expect([0, 3], r.stderr).toContain(r.status);
  const a = readArtifacts(out);
  const summary = new Map(a["summary.txt"]!.trim().split("\n").slice(1).map((l) => l.split("=") as [string, string]));
  const report = JSON.parse(a["reconcile-report.json"]!) as { findings: { items: Array<Record<string, string>> } };
  const findings = report.findings.items.filter((f) => f["kind"] !== "in_flight_order")
    .map((f) => [f["kind"], f["client_order_id"], f["broker_order_id"], f["symbol"]].join("|"));
  return { summary, findings };
}

describe("split-at-restart equivalence", () => {
  it("two processes split at a restart, sharing one cache, equal one process that sees the restart inline", () => {
    let seed = 1;
    let s = generateScenario({ seed, events: 3000, faults: ["disconnect", "duplicate-delivery"] });
    while (!s.journal.some((l) => l.includes(`"type":"restart"`))) s = generateScenario({ seed: ++seed, events: 3000, faults: ["disconnect", "duplicate-delivery"] });
    const dir = tempDir();
    writeFileSync(join(dir, "config.json"), JSON.stringify(s.config));
    const cut = s.journal.findIndex((l) => l.includes(`"type":"restart"`));
    const restartTs = (JSON.parse(s.journal[cut]!) as { ts: string }).ts;
    const write = (name: string, lines: readonly string[]) => {
      writeFileSync(join(dir, name), lines.join("\n") + "\n");
      return join(dir, name);
    };
    const journal = write("journal.jsonl", s.journal);
    const broker = write("broker.jsonl", s.broker);
    const j1 = write("journal-1.jsonl", s.journal.slice(0, cut));
    const j2 = write("journal-2.jsonl", s.journal.slice(cut));
    // The first process ends just before the restart: it saw the broker up to that instant.
    const b1 = write("broker-1.jsonl", s.broker.filter((l) => (JSON.parse(l) as { ts: string }).ts < restartTs));

    const inlineCache = join(dir, "inline.db");
    initCache(inlineCache);
    const inline = replay(dir, journal, broker, inlineCache);
    const shared = join(dir, "shared.db");
    initCache(shared);
    const first = replay(dir, j1, b1, shared);
    const second = replay(dir, j2, broker, shared);

    const n = (o: Outcome, k: string) => Number(o.summary.get(k));
    expect(n(first, "orders_sent") + n(second, "orders_sent"), `seed ${seed}`).toBe(n(inline, "orders_sent"));
    expect(n(first, "duplicates_skipped") + n(second, "duplicates_skipped"), `seed ${seed}`).toBe(n(inline, "duplicates_skipped"));
    expect(n(second, "duplicates_skipped")).toBeGreaterThan(0); // the re-emitted decision after the restart
    expect([...first.findings, ...second.findings].sort(), `seed ${seed}`).toEqual([...inline.findings].sort());
    expect(n(second, "kill_switch")).toBe(n(inline, "kill_switch"));
  }, 120_000);
});
