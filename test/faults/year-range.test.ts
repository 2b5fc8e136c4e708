// RFC 3339 years run from 0000 to 9999. Date.UTC maps years 0-99 to 1900-1999, which put "0050-..."
// after "1949-..." and printed reconcile times a century or two off.

import { describe, expect, it } from "vitest";
import { instantFromMs, parseInstant } from "../../src/domain/time.js";
import { run } from "../helpers/replay.js";

const ms = (text: string): number => {
  const t = parseInstant(text);
  if (t === undefined) throw new Error(`not parsed: ${text}`);
  return t.ms;
};

describe("timestamps in the years 0000-0099", () => {
  it("keep their year: they sort before 1900, and a synthetic instant prints them back", () => {
    expect(ms("0099-12-31T23:59:59Z")).toBeLessThan(ms("1900-01-01T00:00:00Z"));
    expect(ms("0000-01-01T00:00:00Z")).toBeLessThan(ms("0001-01-01T00:00:00Z"));
    expect(ms("1970-01-01T00:00:00Z")).toBe(0);
    for (const text of ["0000-01-01T00:00:00.000Z", "0050-06-01T12:00:00.000Z", "0099-12-31T23:59:59.999Z"]) {
      expect(instantFromMs(ms(text)).text).toBe(text);
    }
  });

  it("a leap day is checked in the right year: 0004-02-29 exists, 0100-02-29 does not", () => {
    expect(parseInstant("0004-02-29T00:00:00Z")).toBeDefined();
    expect(parseInstant("0100-02-29T00:00:00Z")).toBeUndefined();
    expect(parseInstant("0000-02-29T00:00:00Z")).toBeDefined(); // year 0 is a leap year (proleptic Gregorian)
  });

  it("a replay in the year 0050 reports its reconcile runs in 0050", () => {
    const at = (hms: string) => `0050-03-01T${hms}Z`;
    const r = run(
      [{ type: "snapshot", ts: at("07:00:00"), open_orders: [], positions: [] }],
      [{ type: "position_snapshot", ts: at("06:59:00"), event_id: "E1", positions: [] },
        { type: "disconnect", ts: at("07:20:00"), event_id: "E2" }],
      { reconcile_interval_ms: 600_000 });
    const report = JSON.parse(r.artifacts["reconcile-report.json"]) as { reconcile_runs: { items: Array<{ ts: string }> } };
    const times = report.reconcile_runs.items.map((x) => x.ts);
    expect(times.length).toBeGreaterThan(1);
    for (const t of times) expect(t.startsWith("0050-03-01T")).toBe(true);
  });
});
