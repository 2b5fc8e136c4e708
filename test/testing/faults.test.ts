// The testing entry point's fault injectors, on recorded logs of ours: each fault injected at any
// point it can hit leaves logs in which reconciliation finds what the injector says it must, and
// the injection matters (the original logs do not already give that answer).

import fc from "fast-check";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkCase } from "../../src/testing/laws.js";
import { expectFindings, FAULT_NAMES, faultArbitrary, type FaultCase, type FaultName, injectFault, loadLogs, scenarioArbitrary } from "../../src/testing/index.js";
import { type Fault, generateScenario } from "../../src/gen/generate.js";
import { REPO } from "../helpers/cli.js";

const RECORDED = {
  healthy: loadLogs(join(REPO, "fixtures/scenarios/healthy")),
  "crash-after-fill": loadLogs(join(REPO, "fixtures/scenarios/crash-after-fill")),
};

/** Which recorded log each fault is tried on: one with a restart for the redelivery after it. */
const LOG_FOR: Record<FaultName, keyof typeof RECORDED> = {
  "duplicate-delivery": "healthy",
  "redelivery-after-restart": "crash-after-fill",
  "dropped-ack": "healthy",
  "disconnect-window": "healthy",
  "crash-restart": "healthy",
  "missed-fill": "healthy",
};

/** The case's expectation held against the logs it was injected into: passes only if the fault did nothing. */
const againstOriginal = (c: FaultCase) => ({ ...c.original, expected: c.expected, original: c.original });

describe("fault injectors on a recorded log: reconciliation finds what each fault must produce", () => {
  for (const fault of FAULT_NAMES) {
    const logs = RECORDED[LOG_FOR[fault]];
    it(`${fault}, at any point of ${LOG_FOR[fault]}`, () => {
      const cases = faultArbitrary(logs, [fault]);
      expectFindings(cases, { numRuns: 40 });
      fc.assert(fc.property(cases, (c) => {
        expect(c.fault).toBe(fault);
        expect([c.journal, c.broker], "the fault changed the logs").not.toEqual([logs.journal, logs.broker]);
        if (fault === "dropped-ack") {
          // Nothing to find: the order is still the engine's, through its fills. The ack is what goes.
          expect(c.broker.filter((l) => l.includes('"order_accepted"')).length).toBe(logs.broker.filter((l) => l.includes('"order_accepted"')).length - 1);
        } else {
          expect(() => checkCase(againstOriginal(c)), `${c.description}: the original logs already give the expected answer`).toThrow();
        }
      }), { numRuns: 20 });
    });
  }

  it("an injector that changed nothing would fail the check, which names the law and the seed", () => {
    for (const fault of FAULT_NAMES.filter((f) => f !== "dropped-ack")) {
      const c = injectFault(RECORDED[LOG_FOR[fault]], fault, 0)!;
      expect(() => expectFindings(againstOriginal(c), { numRuns: 1 }), fault).toThrow(/expectFindings failed[^]*seed: -?\d+/);
    }
  });

  it("every recorded scenario of ours: each fault it offers a point for, at any point, is found", () => {
    // Among them a fill that is its order's only broker record: losing it would make the order
    // stale and engage the kill switch, so missed-fill takes only fills of acknowledged orders.
    const dirs = readdirSync(join(REPO, "fixtures/scenarios")).sort();
    expect(dirs.length).toBeGreaterThan(20);
    for (const dir of dirs) expectFindings(faultArbitrary(loadLogs(join(REPO, "fixtures/scenarios", dir))), { numRuns: 30 });
  });

  it("crash-restart: the snapshot holds an order replaced before the crash as open, and its fill is caught", () => {
    const coid = "C-1";
    const line = (o: object) => JSON.stringify(o);
    const logs = {
      journal: [
        line({ type: "snapshot", ts: "2025-10-20T08:59:00Z", open_orders: [], positions: [] }),
        line({ type: "decision", ts: "2025-10-20T09:00:00Z", decision_id: "D-1", client_order_id: coid, symbol: "EURUSD", side: "buy", qty: 1000, ref_price: 1.08 }),
      ],
      broker: [
        line({ type: "order_accepted", ts: "2025-10-20T09:00:00.100Z", event_id: "E-1", client_order_id: coid, broker_order_id: "A", symbol: "EURUSD", side: "buy", qty: 1000 }),
        line({ type: "order_accepted", ts: "2025-10-20T09:00:01Z", event_id: "E-2", client_order_id: coid, broker_order_id: "B", replaces_broker_order_id: "A", symbol: "EURUSD", side: "buy", qty: 1000 }),
        line({ type: "order_cancelled", ts: "2025-10-20T09:00:01Z", event_id: "E-3", broker_order_id: "A", replaced_by_broker_order_id: "B" }),
        line({ type: "fill", ts: "2025-10-20T09:00:02Z", event_id: "E-4", client_order_id: coid, broker_order_id: "B", symbol: "EURUSD", side: "buy", qty: 1000, price: "1.08", fee: "0" }),
      ],
    };
    const c = injectFault(logs, "crash-restart", 0)!;
    const snapshot = JSON.parse(c.journal.find((l) => l.includes('"type":"snapshot"') && !logs.journal.includes(l))!) as { open_orders: unknown[] };
    expect(snapshot.open_orders).toEqual([{ client_order_id: coid, symbol: "EURUSD", side: "buy", qty: 1000, filled_qty: "0", ref_price: 1.08 }]);
    expectFindings(c);
  });

  it("points are chosen in event time to the nanosecond: no crash lands between a fill and a record a few microseconds after it", () => {
    const line = (o: object) => JSON.stringify(o);
    const decision = (ts: string, coid: string) => line({ type: "decision", ts, decision_id: `D-${coid}`, client_order_id: coid, symbol: "EURUSD", side: "buy", qty: 1000, ref_price: 1.08 });
    const accepted = (ts: string, coid: string) => line({ type: "order_accepted", ts, event_id: `A-${coid}`, client_order_id: coid, broker_order_id: `B-${coid}`, symbol: "EURUSD", side: "buy", qty: 1000 });
    const fill = (ts: string, coid: string) => line({ type: "fill", ts, event_id: `F-${coid}`, client_order_id: coid, broker_order_id: `B-${coid}`, symbol: "EURUSD", side: "buy", qty: 1000, price: "1.08", fee: "0" });
    const logs = {
      journal: [line({ type: "snapshot", ts: "2025-10-20T08:59:00Z", open_orders: [], positions: [] }),
        decision("2025-10-20T09:00:00Z", "C-1"), line({ type: "cancel_request", ts: "2025-10-20T09:00:02.000500Z", client_order_id: "C-1" }),
        decision("2025-10-20T09:00:02.500Z", "C-2")],
      broker: [accepted("2025-10-20T09:00:00.100Z", "C-1"), fill("2025-10-20T09:00:02.000100Z", "C-1"),
        accepted("2025-10-20T09:00:02.600Z", "C-2"), fill("2025-10-20T09:00:03Z", "C-2")],
    };
    // C-1's fill has a cancel request 400 microseconds after it: only C-2's fill can take the crash.
    expectFindings(faultArbitrary(logs, ["crash-restart"]), { numRuns: 10 });
    expect(injectFault(logs, "crash-restart", 0)!.description).toContain("F-C-2");
  });

  it("dropped-ack: no order with a journal restart between its decision and its first fill (the restart's snapshot lists it, with no sent time)", () => {
    const line = (o: object) => JSON.stringify(o);
    const logs = {
      journal: [
        line({ type: "snapshot", ts: "2025-10-20T09:00:00Z", open_orders: [], positions: [] }),
        line({ type: "decision", ts: "2025-10-20T09:00:01Z", decision_id: "D-1", client_order_id: "C-1", symbol: "EURUSD", side: "buy", qty: 1000, ref_price: "1.08" }),
        line({ type: "restart", ts: "2025-10-20T09:00:01.300Z", reason: "deploy" }),
        line({ type: "snapshot", ts: "2025-10-20T09:00:01.300Z", open_orders: [{ client_order_id: "C-1", symbol: "EURUSD", side: "buy", qty: 1000, filled_qty: 0, ref_price: "1.08" }], positions: [] }),
      ],
      broker: [
        line({ type: "order_accepted", ts: "2025-10-20T09:00:01.100Z", event_id: "E-1", client_order_id: "C-1", broker_order_id: "B-1", symbol: "EURUSD", side: "buy", qty: 1000 }),
        line({ type: "fill", ts: "2025-10-20T09:00:01.500Z", event_id: "E-2", client_order_id: "C-1", broker_order_id: "B-1", symbol: "EURUSD", side: "buy", qty: 1000, price: "1.08", fee: "0" }),
      ],
    };
    // Without its ack the restart's reconciliation would call C-1 stale and engage the kill switch.
    expect(injectFault(logs, "dropped-ack", 0)).toBeNull();
    // Without the restart the same order is a point, and dropping its ack changes nothing.
    const noRestart = { ...logs, journal: logs.journal.slice(0, 2) };
    expectFindings(injectFault(noRestart, "dropped-ack", 0)!);
  });

  it("missed-fill: no fill of a symbol that already drifts (a drift of minus the fill would cancel out)", () => {
    const line = (o: object) => JSON.stringify(o);
    const logs = {
      journal: [
        line({ type: "snapshot", ts: "2025-10-20T09:00:00Z", open_orders: [], positions: [] }),
        line({ type: "decision", ts: "2025-10-20T09:00:01Z", decision_id: "D-1", client_order_id: "C-1", symbol: "EURUSD", side: "buy", qty: 1000, ref_price: "1.08" }),
      ],
      broker: [
        line({ type: "position_snapshot", ts: "2025-10-20T09:00:00Z", event_id: "P-0", positions: [] }),
        line({ type: "order_accepted", ts: "2025-10-20T09:00:01.100Z", event_id: "E-1", client_order_id: "C-1", broker_order_id: "B-1", symbol: "EURUSD", side: "buy", qty: 1000 }),
        line({ type: "fill", ts: "2025-10-20T09:00:01.200Z", event_id: "E-2", client_order_id: "C-1", broker_order_id: "B-1", symbol: "EURUSD", side: "buy", qty: 1000, price: "1.08", fee: "0" }),
        line({ type: "fill", ts: "2025-10-20T09:00:02Z", event_id: "E-3", client_order_id: "MANUAL-1", broker_order_id: "B-9", symbol: "EURUSD", side: "sell", qty: 1000, price: "1.08", fee: "0" }),
      ],
    };
    // The orphan sell leaves EURUSD drifting by -1000; losing C-1's buy of 1000 would make the books agree.
    expect(injectFault(logs, "missed-fill", 0)).toBeNull();
    // Without the orphan the books agree, and losing the fill is a drift.
    expectFindings(injectFault({ ...logs, broker: logs.broker.slice(0, 3) }, "missed-fill", 0)!);
  });

  it("generated scenarios the injectors once misjudged: each case meets what it expects", () => {
    const hits: Array<[number, number, Fault[], FaultName]> = [
      [60, 720, ["disconnect", "orphan", "lost-order", "price-drift"], "dropped-ack"],
      [140, 380, ["disconnect", "orphan", "crash-restart"], "missed-fill"],
    ];
    for (const [seed, events, faults, fault] of hits) {
      const s = generateScenario({ seed, events, faults });
      const c = injectFault({ journal: s.journal, broker: s.broker, config: s.config }, fault, 34);
      if (c !== null) expectFindings(c);
    }
  });

  it("every fault, at a point fast-check picks, in generated scenarios of 60 to 1200 events with any faults: each case meets what it expects", () => {
    // A fresh seed each run explores new scenarios; it is printed so a failure can be run again (FC_SEED=...).
    const seed = Number(process.env["FC_SEED"] ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`fault injection on generated scenarios: fast-check seed ${seed}`);
    fc.assert(fc.property(scenarioArbitrary({ minEvents: 60, maxEvents: 1200 }), fc.nat(), (s, pick) => {
      const logs = { journal: s.journal, broker: s.broker, config: s.config };
      for (const fault of FAULT_NAMES) {
        const c = injectFault(logs, fault, pick);
        if (c !== null) checkCase(c);
      }
    }), { numRuns: 4, seed });
  });
});
