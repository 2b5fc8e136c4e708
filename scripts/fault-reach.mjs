#!/usr/bin/env node
// How often a CI run's random law inputs reach each fault (docs/architecture.md, "How often the laws reach each fault"): simulates
// CI runs, each drawing NUM_RUNS inputs per law from the same arbitraries as test/properties.test.ts,
// and counts the runs in which each fault actually happened in at least one generated scenario.
// Usage: npm run build && node scripts/fault-reach.mjs [NUM_RUNS] [CI_RUNS] [MAX_EVENTS]
import fc from "fast-check";
import { FAULTS, generateScenario } from "../dist/gen/generate.js";

const NUM_RUNS = Number(process.argv[2] ?? 6);
const CI_RUNS = Number(process.argv[3] ?? 200);
const MAX_EVENTS = Number(process.argv[4] ?? 400);

const scenario = (faults) => fc.record({ seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }), events: fc.integer({ min: 60, max: MAX_EVENTS }), faults, pick: fc.nat() });
const anyFaults = fc.subarray([...FAULTS].filter((f) => f !== "corrupt-cache"));
const LAW_ARBS = [
  ...Array(5).fill(scenario(anyFaults)), // determinism, duplicateDelivery, sameTimestampReorder, faultsFound, noResendWithinTtl
  scenario(fc.subarray(["disconnect", "crash-restart", "duplicate-delivery", "drop-ack"])), // crashResume
];

/** The faults that actually happened in a generated scenario (not merely requested). */
function reached(input) {
  const s = generateScenario(input);
  const broker = s.broker.map((l) => JSON.parse(l));
  const accepted = new Set(broker.filter((o) => o.type === "order_accepted").map((o) => o.client_order_id));
  const out = new Set();
  if (broker.some((o) => o.type === "fill" && !accepted.has(o.client_order_id))) out.add("drop-ack");
  if (s.truth.duplicate_deliveries > 0) out.add("duplicate-delivery");
  const caught = s.truth.findings.filter((f) => f.kind === "caught_by_reconcile").map((f) => f.client_order_id);
  if (caught.some((id) => !id.includes("::crash::"))) out.add("disconnect (a fill missed)");
  if (caught.some((id) => id.includes("::crash::"))) out.add("crash-restart");
  for (const f of ["orphan", "lost-order", "price-drift", "unit-drift"]) if (input.faults.includes(f)) out.add(f);
  return out;
}

const counts = new Map();
for (let run = 0; run < CI_RUNS; run++) {
  const seen = new Set();
  for (const arb of LAW_ARBS) for (const input of fc.sample(arb, { numRuns: NUM_RUNS, seed: run * 7919 + 1 })) for (const f of reached(input)) seen.add(f);
  for (const f of seen) counts.set(f, (counts.get(f) ?? 0) + 1);
}
const names = ["drop-ack", "duplicate-delivery", "disconnect (a fill missed)", "crash-restart", "orphan", "lost-order", "price-drift", "unit-drift"];
console.log(`NUM_RUNS=${NUM_RUNS}, MAX_EVENTS=${MAX_EVENTS}: share of ${CI_RUNS} simulated CI runs that reach each fault`);
for (const n of names) console.log(`  ${n.padEnd(28)} ${(100 * (counts.get(n) ?? 0) / CI_RUNS).toFixed(0)}%`);
