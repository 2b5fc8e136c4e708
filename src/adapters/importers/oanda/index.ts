// OANDA v20 → canonical broker events.
//
// Accepts, in any mix: the transaction stream (JSON Lines with HEARTBEAT lines), and JSON documents
// holding API responses however they are wrapped (a capture keyed by endpoint, an HTTP exchange):
// transaction listings (`GET /transactions/idrange`, `/sinceid`, account changes), single-transaction
// responses (`{"orderCreateTransaction": ..., "orderFillTransaction": ...}`), order listings (pending
// orders → order_accepted at createTime) and open-position / open-trade listings (→ one
// position_snapshot each, right after their lastTransactionID, see snapshots.ts).
//
// The parts: document.ts reads the input (transactions, and documents wherever they hold them);
// transactions.ts, orders.ts and fills.ts translate transactions into records; identity.ts links
// records to orders and their client ids; sequence.ts keeps the transaction ids (gaps, order of one
// instant); snapshots.ts and order-listings.ts turn listings into records; home-currency.ts names
// the currency of fees and financing.
//
// Everything that needs the whole input is settled at the end (finish): exit orders known from any
// record, listings' places in time, the account's currency of fees and financing, gaps in ids,
// client order ids.

import { assert } from "../../../domain/errors.js";
import { ImportReport, type ImportOptions, type ImportResult, type OutRecord } from "../common.js";
import { InstrumentFacts } from "../instruments.js";
import type { JsonItem } from "../json-values.js";
import type { OandaImport } from "./context.js";
import { readItem } from "./document.js";
import { HomeCurrency } from "./home-currency.js";
import { OrderLinks } from "./identity.js";
import { OrderListings } from "./order-listings.js";
import { TransactionIds } from "./sequence.js";
import { PositionListings } from "./snapshots.js";

function start(opts: ImportOptions): OandaImport {
  const report = new ImportReport();
  const out: OutRecord[] = [];
  const instruments = new InstrumentFacts({
    asset_class: "not stated by the source (OANDA states an instrument's type in its instruments listing, GET /v3/accounts/{accountID}/instruments: import it with the records)",
    tick_size: "not stated by the source (OANDA states no tick size)",
  });
  const ids = new TransactionIds(report);
  const links = new OrderLinks(out);
  return {
    opts, report, out, instruments, ids, links,
    home: new HomeCurrency(report),
    positions: new PositionListings(report, instruments, ids, opts.asOf),
    orderListings: new OrderListings(report, out, instruments, links, ids),
  };
}

/** What needs the whole input, in this order: listings, gaps, currencies, exit orders' cancels, client ids. */
function finish(p: OandaImport): ImportResult {
  p.orderListings.settle();
  p.positions.settle(p.out);
  p.ids.reportGaps(p.links.exitOrderIds);
  const noCurrency = p.home.settle();
  const exitCancels = p.links.exitCancels(p.report);
  p.links.resolveClientIds();
  const records = p.out.filter((r) => !exitCancels.has(r) && !noCurrency.has(r));
  assert(records.length === p.out.length - exitCancels.size - noCurrency.size, "every record is written or dropped as an exit order's cancel or financing without a currency");
  return { records, report: p.report, instruments: p.instruments };
}

/** Pure: OANDA source items in, canonical broker records and a report out. */
export function importOanda(items: Iterable<JsonItem>, opts: ImportOptions = {}): ImportResult {
  const p = start(opts);
  for (const item of items) readItem(p, item);
  return finish(p);
}
