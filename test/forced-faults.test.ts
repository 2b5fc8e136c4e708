// One generated scenario per fault kind with the fault forced on (gen --force) and no fault that
// engages the kill switch: the exact set of findings is asserted, so an extra finding fails. Random
// generation reaches some faults only now and then (docs/architecture.md, "How often the laws
// reach each fault"); these reach every kind on every run.

import { describe, expect, it } from "vitest";
import { type Fault, generateScenario } from "../src/gen/generate.js";
import { replayLines } from "./helpers/laws.js";

const CAUGHT = ["fill_caught_by_reconcile", "partial_fill_caught_by_reconcile"];
const SEEDS = [1, 2, 3];

function forced(fault: Fault, seed: number) {
  const s = generateScenario({ seed, events: 800, faults: [fault], force: true });
  const r = replayLines(s.journal, s.broker, s.config);
  const findings = r.report.findings.items.map((f) => `${f.kind} ${f.clientOrderId}`).sort();
  return { s, r, findings };
}

/** The findings a scenario's truth names, as the engine reports them (a caught fill by its kind). */
function expected(truthFindings: ReadonlyArray<{ kind: string; client_order_id?: string }>, reported: readonly string[]): string[] {
  return truthFindings.flatMap((t) => {
    if (t.kind !== "caught_by_reconcile") return [`${t.kind} ${t.client_order_id}`];
    return reported.filter((r) => CAUGHT.some((k) => r === `${k} ${t.client_order_id}`));
  }).sort();
}

describe("forced faults (one scenario per kind, the exact set of findings)", () => {
  for (const seed of SEEDS) {
    it(`drop-ack (seed ${seed}): an order fills without its accept, matched by client id: no finding`, () => {
      const { s, r, findings } = forced("drop-ack", seed);
      const accepted = new Set(s.broker.map((l) => JSON.parse(l)).filter((o) => o.type === "order_accepted").map((o) => o.client_order_id));
      const filledWithoutAccept = s.broker.map((l) => JSON.parse(l)).filter((o) => o.type === "fill" && !accepted.has(o.client_order_id));
      expect(filledWithoutAccept.length).toBeGreaterThan(0);
      expect(findings).toEqual([]);
      expect(r.report.totals.killSwitch).toBe(false);
    });

    it(`duplicate-delivery (seed ${seed}): counted, nothing found`, () => {
      const { s, r, findings } = forced("duplicate-delivery", seed);
      expect(s.truth.duplicate_deliveries).toBeGreaterThan(0);
      expect(r.report.totals.duplicateDeliveries).toBe(s.truth.duplicate_deliveries);
      expect(findings).toEqual([]);
    });

    it(`disconnect (seed ${seed}): the fill missed while down is caught by reconcile, and nothing else`, () => {
      const { s, r, findings } = forced("disconnect", seed);
      expect(s.truth.findings.some((f) => f.kind === "caught_by_reconcile")).toBe(true);
      expect(findings).toEqual(expected(s.truth.findings, findings));
      expect(findings.length).toBeGreaterThan(0);
      expect(r.report.totals.killSwitch).toBe(false);
    });

    it(`crash-restart (seed ${seed}): the fill that landed while the engine was down is caught, and nothing else`, () => {
      const { s, r, findings } = forced("crash-restart", seed);
      expect(s.broker.some((l) => l.includes("GEN::crash::"))).toBe(true);
      expect(findings).toEqual(expected(s.truth.findings, findings));
      expect(findings.some((f) => f.includes("GEN::crash::"))).toBe(true);
      expect(r.report.totals.killSwitch).toBe(false);
    });
  }

  it("without --force the generator's output is unchanged (the option adds no random draw)", () => {
    const a = generateScenario({ seed: 5, events: 600, faults: ["disconnect", "drop-ack"] });
    const b = generateScenario({ seed: 5, events: 600, faults: ["disconnect", "drop-ack"], force: false });
    expect(b.broker).toEqual(a.broker);
    expect(b.journal).toEqual(a.journal);
  });
});
