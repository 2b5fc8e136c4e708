// What to keep to find a planted fault again: for a generated scenario, a predicate (expect.txt
// lines, for `minimize --keep`) that holds for the one fault `gen` planted and pins it by its ids
// or its figures, so a minimized scenario is that fault and not some other one a cut made. Used by
// the minimize benchmark and its property test. Pure.

import type { Fault, GeneratedScenario } from "./generate.js";

function idOf(s: GeneratedScenario, kind: string): string | undefined {
  return s.truth.findings.find((f) => f.kind === kind)?.client_order_id;
}

/** A client order id the broker filled without ever acknowledging it (the drop-ack fault). */
function unacknowledgedFill(s: GeneratedScenario): string | undefined {
  const acked = new Set<string>();
  const filled: string[] = [];
  for (const line of s.broker) {
    const ev = JSON.parse(line) as { type: string; client_order_id?: string };
    if (ev.client_order_id === undefined) continue;
    if (ev.type === "order_accepted") acked.add(ev.client_order_id);
    else if (ev.type === "fill") filled.push(ev.client_order_id);
  }
  return filled.find((c) => !acked.has(c));
}

/** The positions of the last drift reported for the planted symbol, from the scenario's reconcile-report.json. */
function driftFigures(s: GeneratedScenario, reportJson: string): string[] | undefined {
  const symbol = s.truth.findings.find((f) => f.kind === "position_drift")?.symbol;
  const doc = JSON.parse(reportJson) as { findings: { items: Array<{ kind: string; symbol: string | null; detail: Record<string, unknown> }> } };
  const drift = doc.findings.items.filter((f) => f.kind === "position_drift" && f.symbol === symbol).at(-1);
  if (drift === undefined) return undefined;
  // Both books' positions to the last digit: another drift a cut makes has other figures.
  return ["engine_qty", "engine_avg_price", "broker_qty", "broker_avg_price"].map((k) => `reconcile-report.json: "${k}": "${String(drift.detail[k])}"`);
}

/**
 * The predicate for the fault planted in `s` (generated with that one fault), given its replay's
 * reconcile-report.json; null for corrupt-cache, which lives in the cache file, not in the logs.
 */
export function plantedFaultPredicate(fault: Fault, s: GeneratedScenario, reportJson: string): string[] | null {
  const inReport = (coid: string | undefined) => `reconcile-report.json: "client_order_id": "${coid ?? "?"}"`;
  // Counts in summary.txt are whole lines, as in every bundled proof (a longer number cannot hold them).
  const nothingCritical = "summary.txt: = kill_switch=0";
  switch (fault) {
    case "orphan":
      return [inReport(idOf(s, "orphan_broker_order")), `reconcile-report.json: "kind": "orphan_broker_order"`];
    case "lost-order":
      // Sent, not blocked: a decision the kill switch blocked is in the report too, and stale it is not.
      return [inReport(idOf(s, "stale_local_order")), `reconcile-report.json: "kind": "stale_local_order"`, "summary.txt: = blocked_decisions=0"];
    case "crash-restart": {
      const crash = s.journal.map((l) => /"client_order_id":"(GEN::crash::[^"]+)"/.exec(l)?.[1]).find((c) => c !== undefined);
      return [inReport(crash), `reconcile-report.json: "kind": "fill_caught_by_reconcile"`, "summary.txt: = fills_caught_by_reconcile=1"];
    }
    case "disconnect":
      return [inReport(idOf(s, "caught_by_reconcile")), `reconcile-report.json: fill_caught_by_reconcile"`, nothingCritical];
    case "duplicate-delivery":
      // At least one redelivery (no count is "0" followed by more digits), and nothing else wrong.
      return ["summary.txt: !duplicate_deliveries=0", nothingCritical];
    case "drop-ack":
      return [`trades.csv: ,${unacknowledgedFill(s) ?? "?"},`, nothingCritical];
    case "price-drift":
    case "unit-drift":
      return driftFigures(s, reportJson) ?? null;
    case "corrupt-cache":
      return null;
  }
}
