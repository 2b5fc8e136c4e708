// One manual trade in an instrument the config does not describe once stopped the whole replay
// (exit 2), hiding every other finding of the night. The broker's log is the truth: it is taken in.

import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/domain/errors.js";
import { B, J, run } from "../helpers/replay.js";

const journal = [J.snapshot("07:00:00"), J.decision("07:01:00", "C1", "EURUSD", "buy", 1000, 1.1)];
const broker = [
  B.snapshot("06:59:00"),
  B.accepted("07:01:00.1", "C1", "B1", "EURUSD", "buy", 1000),
  B.fill("07:01:00.2", "C1", "B1", "EURUSD", "buy", 1000, 1.1),
  B.accepted("07:02:00", "MANUAL-1", "B9", "TSLA", "buy", 10),
  { ...B.fill("07:02:00.1", "MANUAL-1", "B9", "TSLA", "buy", 10, 250.5, 1), fee_currency: "USD" },
];

describe("a broker record in an instrument the config does not describe", () => {
  const r = run(journal, broker);
  const doc = JSON.parse(r.artifacts["reconcile-report.json"]);
  const summary = r.artifacts["summary.txt"];

  it("the replay runs: the engine's own fill is reconciled, the manual trade is an orphan in units", () => {
    const kinds = r.report.findings.items.map((f) => f.kind);
    expect(kinds).toEqual(expect.arrayContaining(["instrument_undescribed", "orphan_broker_order", "position_drift"]));
    const drift = r.report.findings.items.find((f) => f.kind === "position_drift")!;
    expect(drift.symbol).toBe("TSLA");
    expect([drift.detail["drift_units"], drift.detail["drift_pips"]]).toEqual(["10", null]);
    const rows = r.artifacts["trades.csv"].trimEnd().split("\n").slice(1);
    expect(rows.map((row) => row.split(",")[13])).toEqual(["stream", "orphan"]);
    // No P&L currency and no slippage for an instrument no one described; the fee's own currency stays.
    expect(rows[1]!.split(",").slice(-2)).toEqual(["", "USD"]);
  });

  it("the verdict is not healthy, and summary.txt names the instrument and the entry to add", () => {
    expect(doc.verdict).toBe("manual_intervention_required");
    expect(doc.kill_switch.reasons).toContain("instrument_undescribed");
    expect(summary).toContain("\nundescribed_instruments=TSLA\n");
    expect(summary).toContain('\nundescribed_instrument_TSLA="TSLA": {"asset_class": "<');
    expect(summary.split("\n")[0]).not.toContain("drift=0.0");
    expect(doc.undescribed_instruments.items).toEqual([{ symbol: "TSLA", first_seen: "broker:4", suggested_entry: expect.stringContaining('"TSLA": {') }]);
  });

  it("a decision in an undescribed instrument stays a config error: the engine's instruments are the user's to describe", () => {
    expect(() => run([...journal, J.decision("07:03:00", "C2", "TSLA", "buy", 1, 250)], broker)).toThrow(ConfigError);
  });
});
