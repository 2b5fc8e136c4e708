// trades.csv timestamps (docs/reference/artifacts.md, "trades.csv"): UTC with nine fractional digits, one
// fixed width, so that text order is time order and CSV tools parse the column as is. The inputs carry 0 to 9
// digits; every way trades.csv is written (a replay, a sharded replay merged) renders the same instant.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatFixedWidth, parseInstant } from "../src/domain/time.js";
import { renderTradesCsv } from "../src/artifacts/trades-csv.js";
import { B, J, run } from "./helpers/replay.js";
import { replayScenario, runCli, SCENARIOS, tempDir } from "./helpers/cli.js";

const FIXED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;

const tsColumn = (csv: string): string[] => csv.trimEnd().split("\n").slice(1).map((l) => l.slice(0, l.indexOf(",")));

/** Fills at instants written with 0, 1, 3, 6 and 9 fractional digits, in time order. */
function mixedPrecisionRun() {
  const coid = "AXFL::t::EURUSD::1";
  const at = ["08:00:01", "08:00:01.5", "08:00:01.500000001", "08:00:02.25", "08:00:10.123456", "08:00:10.123456789"];
  const journal = [J.snapshot("07:00:00"), J.decision("07:59:00", coid, "EURUSD", "buy", at.length * 1000, 1.1)];
  const broker = [B.snapshot("06:00:00"), B.accepted("07:59:00.1", coid, "9001", "EURUSD", "buy", at.length * 1000),
    ...at.map((t) => B.fill(t, coid, "9001", "EURUSD", "buy", 1000, 1.1))];
  return { run: run(journal, broker), at };
}

describe("trades.csv timestamps", () => {
  it("are rendered in one fixed width (nine fractional digits) from the parsed instant", () => {
    const { run: r, at } = mixedPrecisionRun();
    const ts = tsColumn(r.artifacts["trades.csv"]);
    expect(ts).toEqual([
      "2025-10-20T08:00:01.000000000Z", "2025-10-20T08:00:01.500000000Z", "2025-10-20T08:00:01.500000001Z",
      "2025-10-20T08:00:02.250000000Z", "2025-10-20T08:00:10.123456000Z", "2025-10-20T08:00:10.123456789Z",
    ]);
    // Same instants as the input wrote them, and text order is time order.
    expect(ts.map((t) => parseInstant(t))).toEqual(at.map((t) => ({ ...parseInstant(`2025-10-20T${t}Z`)!, text: expect.any(String) })));
    expect([...ts].sort()).toEqual(ts);
  });

  it("the whole-report renderer and the streamed rows agree", () => {
    const { run: r } = mixedPrecisionRun();
    expect(renderTradesCsv(r.report.trades)).toBe(r.artifacts["trades.csv"]);
  });

  it("a replay through the CLI and a sharded replay merged write the same fixed-width column", () => {
    const dir = tempDir();
    expect(replayScenario("healthy", join(dir, "whole")).status).toBe(0);
    const whole = readFileSync(join(dir, "whole", "trades.csv"), "utf8");
    const ts = tsColumn(whole);
    expect(ts.length).toBeGreaterThan(3);
    for (const t of ts) expect(t).toMatch(FIXED);
    const s = join(SCENARIOS, "healthy");
    const inputs = ["--journal", join(s, "journal.jsonl"), "--broker", join(s, "broker.jsonl"), "--config", join(s, "config.json")];
    for (const k of [1, 2]) expect(runCli(["replay", ...inputs, "--shard", `${k}/2`, "--out", join(dir, `shard${k}`)]).status).toBe(0);
    expect(runCli(["merge", "--out", join(dir, "merged"), join(dir, "shard1"), join(dir, "shard2")]).status).toBe(0);
    expect(readFileSync(join(dir, "merged", "trades.csv"), "utf8")).toBe(whole);
  });
});

describe("formatFixedWidth: the fixed-width time from the day's date and the digits", () => {
  it("prop_formatFixedWidth_equals_the_calendar (seed 20261207): any instant of years 0000-9999, any nanoseconds", () => {
    const byCalendar = (ms: number, subNs: number): string => {
      const msInSecond = ((ms % 1000) + 1000) % 1000;
      return `${new Date(ms - msInSecond).toISOString().slice(0, 19)}.${String(msInSecond * 1_000_000 + subNs).padStart(9, "0")}Z`;
    };
    const start = new Date("0000-01-01T00:00:00Z").getTime();
    const end = new Date("9999-12-31T23:59:59.999Z").getTime();
    fc.assert(fc.property(fc.integer({ min: start, max: end }), fc.integer({ min: 0, max: 999_999 }), (ms, subNs) => {
      expect(formatFixedWidth({ ms, subNs, text: "" })).toBe(byCalendar(ms, subNs));
    }), { seed: 20261207, numRuns: 2000 });
  });
});
