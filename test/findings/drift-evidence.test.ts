// A drift's evidence must contain its cause. It once listed the 20 latest routine fills and left out
// the one line that made the books differ (an orphan's fill), with nothing linking the drift to the
// orphan raised beside it.

import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/domain/report.js";
import { B, J, type Obj, run } from "../helpers/replay.js";

const pad = (n: number): string => String(n).padStart(2, "0");

/** 30 routine round trips of the engine in USDJPY, one minute apart from 08:00. */
function routine(): { journal: Obj[]; broker: Obj[] } {
  const journal: Obj[] = [];
  const broker: Obj[] = [];
  for (let i = 0; i < 30; i++) {
    const ts = `08:${pad(i)}:00`;
    const side = i % 2 === 0 ? "buy" : "sell";
    journal.push(J.decision(ts, `C${i}`, "USDJPY", side, 1000, 150));
    broker.push(B.accepted(`${ts}.1`, `C${i}`, `B${i}`, "USDJPY", side, 1000), B.fill(`${ts}.2`, `C${i}`, `B${i}`, "USDJPY", side, 1000, 150));
  }
  return { journal, broker };
}

const drift = (findings: readonly Finding[]): Finding => findings.find((f) => f.kind === "position_drift")!;

describe("a drift's evidence starts with the lines on which the books differ, never left out", () => {
  it("an orphan's fill among 60 routine lines: first in the evidence, counted as a cause, and the orphan named as related", () => {
    const r = routine();
    const broker = [B.snapshot("07:59:00"), B.accepted("07:59:40", "MANUAL-1", "B-M", "USDJPY", "sell", 4000),
      B.fill("07:59:40.1", "MANUAL-1", "B-M", "USDJPY", "sell", 4000, 150.2), ...r.broker];
    const report = run([J.snapshot("07:59:30"), ...r.journal], broker, { reconcile_interval_ms: 3_600_000 }).report;
    const d = drift(report.findings.items);
    expect(d.evidence[0]).toBe("broker:3");
    expect(d.detail["evidence_causes"]).toBe(1);
    expect(d.evidence.length).toBe(20);
    expect(d.detail["evidence_omitted"]).toBeGreaterThan(0);
    const orphan = report.findings.items.find((f) => f.kind === "orphan_broker_order")!;
    expect(orphan.reconcileId).toBe(d.reconcileId);
    expect(d.related).toEqual([orphan.findingId]);
    expect(orphan.related).toEqual([]);
  });

  it("a restart whose snapshot moved the engine's position: that journal line is the cause", () => {
    const journal = [J.snapshot("07:00:00"), J.decision("07:01:00", "C1", "EURUSD", "buy", 1000, 1.1), J.restart("07:10:00"),
      J.snapshot("07:10:01", [], [{ symbol: "EURUSD", qty: 2000, avg_price: 1.1 }])];
    const broker = [B.snapshot("06:59:00"), B.accepted("07:01:00.1", "C1", "B1", "EURUSD", "buy", 1000), B.fill("07:01:00.2", "C1", "B1", "EURUSD", "buy", 1000, 1.1)];
    const d = drift(run(journal, broker).report.findings.items);
    expect(d.evidence.slice(0, 1)).toEqual(["journal:4"]);
    expect(d.detail["evidence_causes"]).toBe(1);
  });

  it("a broker snapshot that moved the broker's position (a liquidation the engine never saw): that broker line is the cause", () => {
    const journal = [J.snapshot("07:00:00"), J.decision("07:01:00", "C1", "EURUSD", "buy", 1000, 1.1)];
    const broker = [B.snapshot("06:59:00"), B.accepted("07:01:00.1", "C1", "B1", "EURUSD", "buy", 1000), B.fill("07:01:00.2", "C1", "B1", "EURUSD", "buy", 1000, 1.1),
      B.snapshot("07:02:00", [])];
    const d = drift(run(journal, broker).report.findings.items);
    expect(d.evidence[0]).toBe("broker:4");
    expect(d.detail["evidence_causes"]).toBe(1);
  });

  it("books that agree again forget the causes: a later drift names only its own", () => {
    const journal = [J.snapshot("07:00:00"), J.decision("07:01:00", "C1", "EURUSD", "buy", 1000, 1.1)];
    const broker = [B.snapshot("06:59:00"), B.disconnect("07:00:30"), B.accepted("07:01:00.1", "C1", "B1", "EURUSD", "buy", 1000),
      B.fill("07:01:00.2", "C1", "B1", "EURUSD", "buy", 1000, 1.1), B.reconnect("07:01:10"),
      B.snapshot("07:20:00", [{ symbol: "EURUSD", qty: 1500, avg_price: 1.1 }])];
    const d = drift(run(journal, broker).report.findings.items);
    // The fill missed while disconnected was caught by the reconnect's run: not a cause.
    expect(d.evidence.slice(0, d.detail["evidence_causes"] as number)).toEqual(["broker:6"]);
  });
});
