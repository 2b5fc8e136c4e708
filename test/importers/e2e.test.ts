// End to end per broker: a hand-written decision journal plus that broker's real-format log,
// imported and replayed to the findings an operator would expect.

import Database from "better-sqlite3";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { E2E, importChecked, replayImported, tmp, writeTemp } from "./helpers.js";
import { runReplay } from "../../src/run/replay.js";

const e2e = (broker: string, file: string) => join(E2E, broker, file);

describe("import then replay, per broker", () => {
  it("oanda: replace chain and an SL-on-fill reject replay healthy", () => {
    const o = importChecked("oanda", [e2e("oanda", "transactions-stream.jsonl")]);
    expect(o.report.problems).toEqual([]);
    const r = replayImported(o, e2e("oanda", "journal.jsonl"));
    expect(r.exitCode).toBe(0);
    expect(r.summary).toMatch(/^reconcile_summary stale=0 orphan=0 drift=0\.0 cache_ok=true\n/);
    expect(r.summary).toContain("kill_switch=0\n");
    expect(r.summary).toContain("fills=1\n");
  });

  it("alpaca: the engine's two orders reconcile, a manual TSLA trade is an orphan and engages the kill switch", () => {
    const o = importChecked("alpaca", [e2e("alpaca", "trade_updates.jsonl")]);
    expect(o.report.problems).toEqual([]);
    const r = replayImported(o, e2e("alpaca", "journal.jsonl"));
    expect(r.exitCode).toBe(3);
    expect(r.summary).toMatch(/^reconcile_summary stale=0 orphan=1 /);
    const report = JSON.parse(r.report) as { findings: { items: { kind: string; client_order_id: string | null; symbol: string | null }[] } };
    const orphans = report.findings.items.filter((f) => f.kind === "orphan_broker_order");
    expect(orphans).toEqual([expect.objectContaining({ client_order_id: "d6499947-dacd-4f85-a728-81734dc39c27", symbol: "TSLA" })]);
  });

  it("fix: a partial fill with the remainder rejected leaves the engine and the broker at 600000, healthy", () => {
    const o = importChecked("fix", [e2e("fix", "messages.log")]);
    expect(o.report.problems).toEqual([]);
    const r = replayImported(o, e2e("fix", "journal.jsonl"));
    expect(r.exitCode).toBe(0);
    expect(r.summary).toMatch(/^reconcile_summary stale=0 orphan=0 drift=0\.0 cache_ok=true\n/);
    expect(r.summary).toContain("fills=1\n");
  });

  it("ib: openOrder, a corrected execution and its commission replay healthy (with --tz)", () => {
    const o = importChecked("ib", [e2e("ib", "tws-messages.psv")], { tz: "America/New_York" });
    expect(o.report.problems).toEqual([]);
    const r = replayImported(o, e2e("ib", "journal.jsonl"));
    expect(r.exitCode).toBe(0);
    expect(r.summary).toMatch(/^reconcile_summary stale=0 orphan=0 drift=0\.0 cache_ok=true\n/);
    expect(r.summary).toContain("realized_pnl=-2.00\n");
  });

  it("journal-sqlite: the imported journal (with a restart snapshot) replays healthy against the broker log", () => {
    const dir = tmp();
    const db = new Database(join(dir, "journal.db"));
    db.exec(readFileSync(e2e("journal-sqlite", "journal.sql"), "utf8"));
    db.close();
    const o = importChecked("journal-sqlite", [join(dir, "journal.db")]);
    const journal = writeTemp("journal.jsonl", o.finished.lines.map((l) => l + "\n").join(""), dir);
    const out = join(dir, "out");
    const r = runReplay({ journal, broker: e2e("journal-sqlite", "broker.jsonl"), out });
    expect(r.exitCode).toBe(0);
    const summary = readFileSync(join(out, "summary.txt"), "utf8");
    expect(summary).toMatch(/^reconcile_summary stale=0 orphan=0 drift=0\.0 cache_ok=true\n/);
    expect(summary).toContain("orders_sent=2\n");
  });
});
