// Alpaca → canonical broker events.
//
// Accepts, in any mix: `trade_updates` frames from the trading websocket, Broker API trade events
// (SSE), order objects (single, listings, multi-status responses), account activities (FILL) and
// position listings (→ position_snapshot: at the listing's `as_of`, else at --as-of).
//
// The parts: document.ts tells each JSON item by its keys; orders.ts and fills.ts translate order
// events and executions into records; identity.ts links records to orders and their client ids
// (found along `replaces` links) and names symbols; snapshots.ts turns position listings into
// snapshots.
//
// Quirks: timestamps come with `Z` or `-04:00` and up to nine fractional digits (all normalized to
// UTC `Z`, digits kept); numbers come as strings or as JSON numbers; crypto pairs are `BTC/USD` in
// orders and `BTCUSD` in streams and positions (folded to one symbol).

import { assert } from "../../../domain/errors.js";
import { ImportReport, type ImportOptions, type ImportResult, type OutRecord } from "../common.js";
import { InstrumentFacts } from "../instruments.js";
import type { JsonItem } from "../json-values.js";
import type { AlpacaImport } from "./context.js";
import { readItem } from "./document.js";
import { mergeExecutions, orderTotals } from "./fills.js";
import { OrderIdentity } from "./identity.js";
import { settleNotionalAcks } from "./orders.js";
import { settlePositionGroups } from "./snapshots.js";

function start(opts: ImportOptions): AlpacaImport {
  const out: OutRecord[] = [];
  return {
    opts, report: new ImportReport(), out,
    instruments: new InstrumentFacts({
      asset_class: "not stated by the source (Alpaca states asset_class on orders and positions)",
      quote_currency: "not stated by the source (Alpaca writes a crypto pair BASE/QUOTE on orders and assets)",
      tick_size: "not stated by the source (Alpaca states price_increment on an asset, GET /v2/assets/{symbol}, where it has one: import it with the records)",
    }),
    ids: new OrderIdentity(out),
    acked: new Set(), terminal: new Set(), notionalAcks: [], orderObjects: new Map(), fills: [], positionGroups: new Map(),
  };
}

/** What needs the whole input: position arrays, notional orders' quantities, executions merged, client ids. */
function finish(p: AlpacaImport): ImportResult {
  settlePositionGroups(p);
  settleNotionalAcks(p);
  const dropped = mergeExecutions(p);
  orderTotals(p, p.fills.filter((f) => !dropped.has(f.out)));
  p.ids.resolveClientIds(p.report, (out) => !dropped.has(out) && p.fills.some((f) => f.out === out && f.source === "activity"));
  const records = p.out.filter((r) => !dropped.has(r));
  assert(records.length + dropped.size === p.out.length, "every record is written or dropped as an execution the trade updates already have");
  return { records, report: p.report, instruments: p.instruments };
}

/** Pure: Alpaca source items in, canonical broker records and a report out. */
export function importAlpaca(items: Iterable<JsonItem>, opts: ImportOptions = {}): ImportResult {
  const p = start(opts);
  for (const item of items) readItem(p, item);
  return finish(p);
}
