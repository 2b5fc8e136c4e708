// `explain --json`'s document, stated once as checkers (as every --json document is: see
// src/cli/json-docs.ts, which adds the head and renders schemas/cli-json.schema.json from it).
// explain.ts builds a value of the type checked here, so the two cannot disagree.

import { arr, bool, decText, described, detailValue, int, literal, named, nullable, obj, record, str, timestamp, type Written } from "../artifacts/json-check.js";
import { killSwitchCheck, side } from "../artifacts/report-schema.js";

/** What each book holds about the item's order and symbol at one moment of the replay. */
const books = named("books", described(obj({
  engine: obj({ phase: literal("not_started", "starting", "running"), connected: bool, reconcile_runs: int, kill_switch: killSwitchCheck }),
  order: described(nullable(obj({
    engine: nullable(obj({
      client_order_id: str, status: str, side, symbol: str, qty: decText, filled_qty: decText, sent_at: nullable(timestamp),
      broker_order_id: nullable(str), evidence: arr(str),
    })),
    cache: nullable(obj({ status: str, filled_qty: decText, reserved_until: timestamp })),
    broker: nullable(obj({
      broker_order_id: nullable(str), client_order_id: nullable(str), status: str, side, symbol: str, qty: nullable(decText), filled_qty: decText,
      fills: int, first_ts: timestamp, evidence: arr(str),
    })),
  })), "The item's order as the engine, the order-id cache and the broker hold it (null: the item names no order)."),
  symbol: described(nullable(obj({
    symbol: str, engine_qty: decText, engine_avg_price: decText, broker_qty: decText, broker_avg_price: decText,
    last_broker_fill_price: nullable(decText), engine_cap_units: nullable(decText), broker_cap_units: nullable(decText),
  })), "Both books' position in the item's symbol (null: the item names no symbol)."),
}), "The engine's and the broker's view at one moment of the replay."));

/** `explain --json` without its head: what explain.ts builds. */
export const explanation = {
  id: described(str, "The item explained, as given (`F00001`, `A00001`, `kill_switch:<reason>`)."),
  item: obj({
    type: literal("finding", "alert", "kill_switch"), name: described(str, "The finding kind, alert name or kill-switch reason."),
    severity: nullable(str), ts: timestamp, reconcile_id: nullable(str), client_order_id: nullable(str), broker_order_id: nullable(str),
    symbol: nullable(str), detail: record(detailValue),
  }),
  rule: obj({ name: str, title: described(str, "The rule's name in words."), decided_in: described(str, "The rule's place in the engine."), fired: described(str, "Why it fired, in words.") }),
  behind: described(arr(obj({ id: str, kind: str })), "Findings raised with the item that it stands on."),
  evidence: described(arr(obj({ ref: str, file: str, line: int, text: described(nullable(str), "The line (null: the inputs were not given).") })),
    "Input lines the item rests on."),
  moment: described(nullable(obj({
    raised_by: literal("record", "reconcile_run"), reconcile_id: nullable(str),
    record: described(nullable(str), "The record whose handling raised it (`journal:<line>`); null: the final reconciliation."),
    before: books, after: books,
  })), "Both books just before and right after the item was raised (null: no replay; `note` says why)."),
  note: nullable(str),
  healthy: described(str, "What would have made it healthy."),
};
const explanationCheck = obj(explanation);
export type ExplanationDoc = Written<typeof explanationCheck>;
