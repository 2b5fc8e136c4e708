// ccxt's unified records → canonical broker events. One importer for every exchange ccxt speaks
// to (Binance, Bybit, OKX, Kraken, Coinbase, ...), because ccxt gives them one shape:
//
//   order     (fetchOrder(s), fetchOpen/Closed/CanceledOrders, createOrder, cancelOrder)
//             -> order_accepted, order_cancelled, order_rejected, and its fill when none of its
//             trades is in the input (orders.ts)
//   trade     (fetchMyTrades, fetchOrderTrades, an order's `trades`) -> fill (trades.ts)
//   position  (a fetchPositions listing) -> position_snapshot, at --as-of (snapshots.ts)
//   market    (fetchMarkets) -> no record; its precision.price is the tick size for --instruments
//
// document.ts reads the input (any framing, or ccxt's recorded responses); identity.ts holds the
// symbols (crypto-symbols.ts), times, and the engine's key of each order (--order-key).

import { ImportReport, type ImportResult } from "../common.js";
import { InstrumentFacts } from "../instruments.js";
import type { JsonItem } from "../json-values.js";
import type { CcxtImport, CcxtOptions } from "./context.js";
import { readItem } from "./document.js";
import { assignKeys } from "./identity.js";
import { orderRecords } from "./orders.js";
import { positionSnapshots } from "./snapshots.js";

export { type CcxtOptions, ORDER_KEYS, type OrderKey } from "./context.js";

function start(opts: CcxtOptions): CcxtImport {
  return {
    opts, report: new ImportReport(),
    instruments: new InstrumentFacts({
      asset_class: "not stated: the symbol does not follow ccxt's naming (BASE/QUOTE, BASE/QUOTE:SETTLE)",
      tick_size: "not stated by the records (ccxt states it on the market, precision.price: import fetchMarkets output with them)",
    }),
    out: [], orders: new Map(), trades: new Map(), positionLists: [], positionGroups: new Map(), spotSymbols: new Set(), context: "",
  };
}

/** Pure: ccxt's records in, canonical broker records and a report out. */
export function importCcxt(items: Iterable<JsonItem>, opts: CcxtOptions = {}): ImportResult {
  const p = start(opts);
  for (const item of items) readItem(p, item);
  positionSnapshots(p);
  orderRecords(p);
  assignKeys(p);
  return { records: p.out, report: p.report, instruments: p.instruments };
}
