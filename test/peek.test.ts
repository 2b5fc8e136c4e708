// What a shard reads of a line it may not own (domain/peek.ts) must be what validating the line
// gives: the same type, time, symbol, order ids and event id, or no peek at all (the line is then
// read whole). Checked on every line of the bundled scenarios and of generated ones with every
// fault, and on the same lines rewritten in the ways JSON allows (spaces, escapes, key order,
// nesting, a key given twice, null).

import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { peekBrokerLine, peekJournalLine, type PeekedLine } from "../src/domain/peek.js";
import type { InputRecord } from "../src/domain/records.js";
import { parseBrokerLine, parseJournalLine } from "../src/domain/validate.js";
import { FAULTS, generateScenario, type Fault } from "../src/gen/generate.js";
import { SCENARIOS, scenarioNames } from "./helpers/cli.js";

const NUM_RUNS = Number(process.env["NUM_RUNS"] ?? 20);
const SEED = process.env["FC_SEED"] === undefined ? undefined : Number(process.env["FC_SEED"]);

/** The fields a peek carries, from a validated record. */
function routingFacts(rec: InputRecord | PeekedLine): Record<string, unknown> {
  const r = rec as unknown as Record<string, unknown>;
  const ts = rec.ts;
  return {
    type: rec.type, ts: { ms: ts.ms, subNs: ts.subNs, text: ts.text }, line: rec.line, symbol: r["symbol"],
    clientOrderId: r["clientOrderId"], brokerOrderId: r["brokerOrderId"], eventId: r["eventId"],
  };
}

/** Peek and parse agree: no peek, or the same facts (when the line is valid), and a bad line stays bad input. */
function agrees(text: string, src: "journal" | "broker"): "peeked" | "whole" {
  const peek = src === "journal" ? peekJournalLine(text, 7) : peekBrokerLine(text, 7, 70);
  let parsed: InputRecord | null = null;
  try {
    parsed = src === "journal" ? parseJournalLine(text, 7) : parseBrokerLine(text, 7, 70);
  } catch {
    parsed = null; // bad input: its owner refuses it, whatever a peek says
  }
  if (peek === undefined) return "whole";
  if (parsed !== null) expect(routingFacts(peek), text).toEqual(routingFacts(parsed));
  return "peeked";
}

/** The same line written another way JSON allows (or not quite). */
const REWRITES: ReadonlyArray<(line: string) => string> = [
  (l) => l.replace(/":"/g, '": "'),
  (l) => l.replace(/"symbol":"([A-Z])/, '"symbol":"\\u00$1'.replace("$1", "4") + "$1"),
  (l) => l.replace(/"symbol":"[^"]*"/, '"symbol":"eur/usd"'),
  (l) => l.replace(/^\{/, '{"note":{"symbol":"GBPUSD"},'),
  (l) => l.replace(/^\{/, '{"symbol":"GBPUSD",'),
  (l) => l.replace(/"client_order_id":"[^"]*"/, '"client_order_id":null'),
  (l) => l.replace(/"broker_order_id":"[^"]*"/, '"broker_order_id":""'),
  (l) => l.replace(/"ts":"[^"]*"/, '"ts":"2025-13-40T00:00:00Z"'),
  (l) => l.replace(/^\{("type":"[^"]*"),(.*)\}$/, "{$2,$1}"),
  (l) => l.replace(/"event_id":"[^"]*"/, '"event_id":7'),
  (l) => ` ${l}`,
];

describe("peeking at a line a shard may not own", () => {
  it("every line of every bundled scenario: the peek is what validation gives, or there is none", () => {
    let peeked = 0;
    for (const name of scenarioNames()) {
      for (const src of ["journal", "broker"] as const) {
        for (const text of readFileSync(join(SCENARIOS, name, `${src}.jsonl`), "utf8").split("\n").filter((l) => l.trim() !== "")) {
          if (agrees(text, src) === "peeked") peeked += 1;
          for (const rewrite of REWRITES) agrees(rewrite(text), src);
        }
      }
    }
    expect(peeked).toBeGreaterThan(50);
  });

  it(`law: generated scenarios with every fault, and their lines rewritten (seed ${SEED ?? "random"})`, () => {
    fc.assert(fc.property(
      fc.record({ seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }), faults: fc.subarray([...FAULTS]), rewrite: fc.nat(REWRITES.length) }),
      ({ seed, faults, rewrite }) => {
        const s = generateScenario({ seed, events: 200, faults: faults as Fault[] });
        const change = REWRITES[rewrite] ?? ((l: string) => l);
        for (const text of s.journal) agrees(change(text), "journal");
        for (const text of s.broker) agrees(change(text), "broker");
      },
    ), { numRuns: NUM_RUNS, seed: SEED });
  }, 120_000);
});
