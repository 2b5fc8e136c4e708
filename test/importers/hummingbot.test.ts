// Hummingbot's database → canonical journal. The database is built from SQL written for this
// project in Hummingbot's schema (fixtures/e2e/hummingbot/hummingbot.sql). The rows it skips, and
// why, are in the table of engine samples (engine-samples.test.ts).

import { describe, expect, it } from "vitest";
import { dbFrom, HUMMINGBOT_SQL, importChecked, records } from "./helpers.js";

const FIRST = "('x-XEKWYICXBBTCUT61e0a3f7c2d4', 'conf_pure_mm_btc.yml', 'pure_market_making', 'binance', 'BTC-USDT', 'BTC', 'USDT', 1761040800000,\n   'LIMIT', 1500, 1, 67100500000,";

describe("import hummingbot: decisions and an opening snapshot from the bot's database", () => {
  it("one decision per Order row: Hummingbot's id as the client order id, the side its creation event names, an opening snapshot", () => {
    const o = importChecked("hummingbot", [dbFrom(HUMMINGBOT_SQL)]);
    const r = records(o);
    expect(r.map((x) => x["type"])).toEqual(["snapshot", "decision", "decision", "decision"]);
    expect(r[0]).toEqual({ type: "snapshot", ts: "2025-10-21T10:00:00.000Z", open_orders: [], positions: [] });
    expect(r[1]).toEqual({
      type: "decision", ts: "2025-10-21T10:00:00.000Z", decision_id: "x-XEKWYICXBBTCUT61e0a3f7c2d4", client_order_id: "x-XEKWYICXBBTCUT61e0a3f7c2d4",
      symbol: "BTCUSDT", side: "buy", qty: "0.0015", ref_price: "67100.5", strategy: "pure_market_making", order_type: "limit",
      limit_price: "67100.5", broker_order_id: "52000001",
    });
    expect(r.slice(2).map((x) => x["side"])).toEqual(["sell", "sell"]);
    expect(o.report.ignored).toEqual([["OrderStatus row (the order's history: the exchange's side shows it)", 8], ["TradeFill row (a fill as the bot saw it: the engine's view, not a decision)", 2]]);
  });

  it("SqliteDecimal(6) is divided by 10^6 exactly, past what a double holds", () => {
    const sql = HUMMINGBOT_SQL.replace(FIRST, FIRST.replace("1500, 1, 67100500000,", "123456789012345678, 1, 67100500001,"));
    const r = records(importChecked("hummingbot", [dbFrom(sql)]));
    expect(r[1]).toMatchObject({ qty: "123456789012.345678", ref_price: "67100.500001" });
  });
});
