// OANDA v20 quirks, each on its own.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runReplay } from "../../src/run/replay.js";
import { BROKERS, importChecked, records, tmp, writeTemp } from "./helpers.js";

const J = join(BROKERS, "oanda", "hootnot-jupyter");
const lines = (...objs: object[]) => writeTemp("stream.jsonl", objs.map((o) => JSON.stringify(o)).join("\n") + "\n");
const acct = "101-004-1435156-001";

describe("import oanda: transactions, fills, listings and gaps", () => {
  it("keeps nanosecond timestamps verbatim and turns signed decimal-string units into side and qty", () => {
    const r = records(importChecked("oanda", [lines(
      { type: "MARKET_ORDER", id: "10", batchID: "10", accountID: acct, time: "2017-03-09T13:22:13.832587780Z", instrument: "EUR_USD", units: "-2500.5", reason: "CLIENT_ORDER", clientExtensions: { id: "E-1" } },
    )]));
    expect(r[0]).toMatchObject({ type: "order_accepted", ts: "2017-03-09T13:22:13.832587780Z", side: "sell", qty: "2500.5", symbol: "EURUSD", client_order_id: "E-1", event_id: `oanda:${acct}:10` });
  });

  it("a real market order filled: fill at the trade price, client id from the order, tradeOpened lot", () => {
    const r = records(importChecked("oanda", [join(J, "orders_create_market_filled.json")]));
    expect(r.map((x) => x["type"])).toEqual(["order_accepted", "fill"]);
    expect(r[1]).toMatchObject({ price: "1.05563", qty: "10000", side: "buy", broker_order_id: "7578", ts: "2017-03-09T13:22:13.832587780Z" });
  });

  it("a market order cancelled at once with STOP_LOSS_ON_FILL_LOSS is a reject (real capture)", () => {
    const r = records(importChecked("oanda", [join(J, "orders_create_market_sl_rejected_cancel_STOP_LOSS_ON_FILL_LOSS.json")]));
    expect(r[1]).toMatchObject({ type: "order_rejected", reason: "STOP_LOSS_ON_FILL_LOSS", client_order_id: "oanda:order:7576" });
    expect(r.some((x) => x["type"] === "order_cancelled")).toBe(false);
  });

  it("a cancel of an order created in an earlier batch stays a cancel", () => {
    const r = records(importChecked("oanda", [join(J, "orders_cancel_limit_gtd.json")]));
    expect(r[0]).toMatchObject({ type: "order_cancelled", broker_order_id: "8923", reason: "CLIENT_REQUEST" });
  });

  it("replace chain: CLIENT_REQUEST_REPLACED cancels the original, the replacement (replacesOrderID) keeps its client id", () => {
    const r = records(importChecked("oanda", [lines(
      { type: "LIMIT_ORDER", id: "2304", batchID: "2304", accountID: acct, time: "2016-10-24T21:48:18.593753865Z", instrument: "EUR_USD", units: "-100", price: "1.20000" },
      { type: "ORDER_CLIENT_EXTENSIONS_MODIFY", id: "2305", batchID: "2305", accountID: acct, time: "2016-10-25T15:56:43.075594239Z", orderID: "2304", clientExtensionsModify: { id: "myID" } },
      { type: "ORDER_CANCEL", id: "2306", batchID: "2306", accountID: acct, time: "2016-10-25T19:45:38.558056359Z", orderID: "2304", clientOrderID: "myID", replacedByOrderID: "2307", reason: "CLIENT_REQUEST_REPLACED" },
      { type: "LIMIT_ORDER", id: "2307", batchID: "2306", accountID: acct, time: "2016-10-25T19:45:38.558056359Z", instrument: "EUR_USD", units: "-500000", price: "1.25000", replacesOrderID: "2304", reason: "REPLACEMENT" },
      { type: "ORDER_FILL", id: "2308", batchID: "2308", accountID: acct, time: "2016-10-25T20:00:00.000000001Z", orderID: "2307", instrument: "EUR_USD", units: "-500000", price: "1.25000", reason: "LIMIT_ORDER" },
    )]));
    expect(r[0]).toMatchObject({ type: "order_accepted", broker_order_id: "2304", client_order_id: "myID" });
    expect(r[1]).toMatchObject({ type: "order_cancelled", broker_order_id: "2304", reason: "CLIENT_REQUEST_REPLACED", replaced_by_broker_order_id: "2307" });
    expect(r[2]).toMatchObject({ type: "order_accepted", broker_order_id: "2307", client_order_id: "myID", replaces_broker_order_id: "2304" });
    expect(r[3]).toMatchObject({ type: "fill", broker_order_id: "2307", client_order_id: "myID", side: "sell", qty: "500000" });
  });

  it("HEARTBEAT lastTransactionID beyond what the stream delivered is reported as a gap (and is an error under --strict)", () => {
    const o = importChecked("oanda", [lines(
      { type: "HEARTBEAT", lastTransactionID: "7580", time: "2017-03-09T15:08:57.512620407Z" },
      { type: "ORDER_CANCEL", id: "7581", batchID: "7581", accountID: acct, time: "2017-03-09T15:09:00.000000000Z", orderID: "7000", reason: "CLIENT_REQUEST" },
      { type: "HEARTBEAT", lastTransactionID: "7584", time: "2017-03-09T15:09:02.594588344Z" },
      { type: "ORDER_CANCEL", id: "7586", batchID: "7586", accountID: acct, time: "2017-03-09T15:09:03.000000000Z", orderID: "7001", reason: "CLIENT_REQUEST" },
    )]);
    expect(o.report.problems).toEqual([
      expect.stringMatching(/stream\.jsonl:3: gap: HEARTBEAT lastTransactionID=7584 but the stream delivered up to 7581; transactions 7582\.\.7584 never arrived/),
      expect.stringMatching(/stream\.jsonl:4: gap: transactions 7585\.\.7585 missing before transaction 7586/),
    ]);
    expect(o.finished.lines).toHaveLength(2);
  });

  it("the real heartbeat stream has no gap and no records", () => {
    const o = importChecked("oanda", [join(J, "transactions_stream_heartbeats.jsonl")]);
    expect(o.report.problems).toEqual([]);
    expect(o.report.ignored).toEqual([["HEARTBEAT", 4]]);
  });

  it("commission + guaranteedExecutionFee is the fee; lots at different prices become one fill each", () => {
    const r = records(importChecked("oanda", [lines(
      { type: "ORDER_FILL", id: "50", batchID: "50", time: "2025-10-20T08:00:00.000000001Z", orderID: "49", clientOrderID: "C-1", instrument: "EUR_USD", units: "-300", commission: "0.25", guaranteedExecutionFee: "0.05",
        tradesClosed: [{ tradeID: "1", units: "-100", price: "1.10010" }], tradeOpened: { tradeID: "50", units: "-200", price: "1.10000" } },
    )]));
    expect(r).toHaveLength(2);
    expect(r[0]).toMatchObject({ event_id: "oanda:50:close:1", qty: "100", price: "1.10010", fee: "0.3", client_order_id: "C-1", side: "sell" });
    expect(r[1]).toMatchObject({ event_id: "oanda:50:open:50", qty: "200", price: "1.10000" });
    expect(r[1]!["fee"]).toBeUndefined();
  });

  it("openPositions / openTrades become position snapshots at --as-of, and are refused without it", () => {
    const without = importChecked("oanda", [join(J, "open_positions.json")]);
    expect(without.finished.lines).toEqual([]);
    expect(without.report.problems[0]).toMatch(/open_positions\.json:1: open positions listing not imported: it carries no time and transaction 7582 \(its lastTransactionID\) is not in the input; pass --as-of/);
    const r = records(importChecked("oanda", [join(J, "open_positions.json"), join(J, "open_trades.json")], { asOf: "2017-03-09T16:00:00-05:00" }));
    expect(r[0]).toMatchObject({ type: "position_snapshot", ts: "2017-03-09T21:00:00Z", positions: [{ symbol: "EURUSD", qty: "50000", avg_price: "1.05836" }] });
    expect(r[1]).toMatchObject({ type: "position_snapshot", positions: [{ symbol: "EURUSD", qty: "50000", avg_price: "1.058362" }] });
  });

  it("re-importing the same transactions yields the same event ids, and duplicates inside one import are dropped", () => {
    const f = join(J, "orders_create_market_filled.json");
    const once = importChecked("oanda", [f]);
    const twice = importChecked("oanda", [f, f]);
    expect(twice.finished.lines).toEqual(once.finished.lines);
    expect(twice.finished.duplicatesDropped).toBe(2);
  });

  it("a truncated stream line is reported with its line number, the rest still imports", () => {
    const p = writeTemp("cut.jsonl", [
      JSON.stringify({ type: "ORDER_CANCEL", id: "1", batchID: "1", time: "2025-01-01T00:00:00Z", orderID: "9", reason: "CLIENT_REQUEST" }),
      '{"type":"ORDER_CANCEL","id":"2","time":"2025-01',
      JSON.stringify({ type: "ORDER_CANCEL", id: "3", batchID: "3", time: "2025-01-01T00:00:02Z", orderID: "9", reason: "CLIENT_REQUEST" }),
      JSON.stringify({ type: "SOMETHING_NEW", id: "4", time: "2025-01-01T00:00:03Z" }),
    ].join("\n"));
    const o = importChecked("oanda", [p]);
    expect(o.finished.lines).toHaveLength(2);
    expect(o.report.problems[0]).toMatch(/^cut\.jsonl:2: /);
    expect(o.report.problems.some((x) => /cut\.jsonl:4: transaction 4: unknown transaction type "SOMETHING_NEW"/.test(x))).toBe(true);
  });
});

describe("import oanda: a book polled twice", () => {
  it("the same book polled at two times gives two snapshot ids, and both polls replay as one log", () => {
    const at = (asOf: string) => records(importChecked("oanda", [join(J, "open_positions.json")], { asOf }))[0]!;
    const first = at("2017-03-09T16:00:00Z");
    const second = at("2017-03-09T17:00:00Z");
    expect(first["event_id"]).not.toBe(second["event_id"]);
    expect(first["event_id"]).toMatch(/2017-03-09T16:00:00Z/);
    const log = writeTemp("broker.jsonl", [first, second].map((r) => JSON.stringify(r) + "\n").join(""));
    const journal = writeTemp("journal.jsonl", JSON.stringify({ type: "snapshot", ts: "2017-03-09T16:00:01Z", open_orders: [], positions: [{ symbol: "EURUSD", qty: 50000, avg_price: "1.05836" }] }) + "\n");
    const r = runReplay({ journal, broker: log, out: join(tmp(), "out") });
    expect(r.exitCode).toBe(0);
  });
});

describe("import oanda: documents, listings and transaction ids", () => {
  const R = join(BROKERS, "oanda", "hootnot-responses");

  it("reads transaction lists inside endpoint-wrapped responses and says which paths it read", () => {
    const o = importChecked("oanda", [join(R, "transactions.json")]);
    const r = records(o);
    // 2304..2311: the LIMIT_ORDER, its client id, the replace (cancel 2306 + replacement 2307), a cancel, a new order
    expect(r.map((x) => [x["type"], x["broker_order_id"]])).toEqual([
      ["order_accepted", "2304"], ["order_cancelled", "2304"], ["order_accepted", "2307"], ["order_cancelled", "2307"], ["order_accepted", "2309"],
    ]);
    expect(r[2]).toMatchObject({ client_order_id: "myID", replaces_broker_order_id: "2304" });
    expect(o.report.ignored).toEqual(expect.arrayContaining([["CLIENT_CONFIGURE", 2], ["HEARTBEAT", 5]]));
    expect(o.report.notes).toEqual(expect.arrayContaining([
      "transactions.json:1: read $._v3_accounts_transaction_idrange.response.transactions (3 transactions)",
      "transactions.json:1: read $._v3_accounts_transaction_sinceid.response.transactions (5 transactions)",
    ]));
    expect(o.report.problems).toEqual([expect.stringMatching(/^transactions\.json:1: \$\._v3_accounts_accountID_transactions\.response\.pages: a transaction page index/)]);
  });

  it("orders, trades and positions inside wrapped responses import too (an order's details like a listing of one); request bodies beside a response are not read", () => {
    const orders = records(importChecked("oanda", [join(R, "orders.json")]));
    expect(orders.filter((x) => x["type"] === "order_accepted").map((x) => x["broker_order_id"]).sort()).toEqual(["2125", "2304", "2307", "2309"]);
    const trades = importChecked("oanda", [join(R, "trades.json")], { asOf: "2016-10-28T21:00:00Z" });
    expect(records(trades).filter((x) => x["type"] === "fill")).toEqual([expect.objectContaining({ broker_order_id: "2316", side: "sell", qty: "100", price: "1.09289" })]);
    expect(trades.report.problems.join("\n")).not.toMatch(/request body/);
  });

  it("a pending-order listing is the broker's record of live orders: each becomes order_accepted at its createTime", () => {
    const r = records(importChecked("oanda", [join(J, "orders_pending_limit_gtd.json")]));
    expect(r).toEqual([expect.objectContaining({
      type: "order_accepted", ts: "2018-06-10T12:06:30.259079220Z", broker_order_id: "8923", client_order_id: "oanda:order:8923",
      symbol: "EURUSD", side: "buy", qty: "10000", limit_price: "1.08000",
    })]);
    // With the transaction that created it, the listing adds nothing.
    const both = importChecked("oanda", [join(J, "orders_create_limit_gtd_response.json"), join(J, "orders_pending_limit_gtd.json")]);
    expect(records(both).map((x) => x["event_id"])).toEqual(["oanda:101-004-1435156-001:8923"]);
  });

  it("a position listing is placed after the transaction it includes; an --as-of before a fill it includes is refused", () => {
    const files = [join(J, "orders_create_market_filled.json"), join(J, "orders_cancel_take_profit.json"), join(J, "open_positions.json")];
    const placed = records(importChecked("oanda", files));
    expect(placed.map((x) => x["type"])).toEqual(["order_accepted", "fill", "position_snapshot"]);
    const refused = importChecked("oanda", files, { asOf: "2017-03-09T13:00:00Z" });
    expect(records(refused).map((x) => x["type"])).toEqual(["order_accepted", "fill"]);
    expect(refused.report.problems).toEqual([expect.stringMatching(
      /open_positions\.json:1: open positions listing not imported: --as-of 2017-03-09T13:00:00Z is before fill 7579 \(2017-03-09T13:22:13\.832587780Z\), which the listing includes \(lastTransactionID 7582\)/)]);
    const later = records(importChecked("oanda", files, { asOf: "2017-03-09T16:00:00Z" }));
    expect(later[2]).toMatchObject({ type: "position_snapshot", ts: "2017-03-09T16:00:00Z" });
  });

  it("cancels of take-profit / stop-loss orders are not written as cancels of an unknown order", () => {
    const cancelTp = join(J, "orders_cancel_take_profit.json");
    for (const known of [join(J, "orders_create_market_filled.json"), join(J, "orders_pending_after_fill_sl_tp.json")]) {
      const o = importChecked("oanda", [known, cancelTp]);
      expect(records(o).some((x) => x["type"] === "order_cancelled"), known).toBe(false);
      expect(o.report.ignored.map(([k]) => k)).toContain("ORDER_CANCEL of an exit order (take-profit / stop-loss of a trade)");
    }
  });

  it("gaps in transaction ids are reported across files, not only within one", () => {
    const a = lines({ type: "ORDER_CANCEL", id: "100", batchID: "100", accountID: acct, time: "2025-01-01T00:00:00Z", orderID: "9", reason: "CLIENT_REQUEST" },
      { type: "ORDER_CANCEL", id: "101", batchID: "101", accountID: acct, time: "2025-01-01T00:00:01Z", orderID: "9", reason: "CLIENT_REQUEST" });
    const b = writeTemp("later.jsonl", [104, 105].map((id) => JSON.stringify({ type: "ORDER_CANCEL", id: String(id), batchID: String(id), accountID: acct, time: `2025-01-01T00:01:0${id - 100}Z`, orderID: "9", reason: "CLIENT_REQUEST" })).join("\n") + "\n");
    const o = importChecked("oanda", [a, b]);
    expect(o.report.problems).toEqual([expect.stringMatching(/gap across files: transactions 102\.\.103 of account 101-004-1435156-001 missing between transaction 101 \(stream\.jsonl:2\) and transaction 104 \(later\.jsonl:1\)/)]);
  });
});

describe("import oanda: records of one instant", () => {
  it("records of one timestamp from several files follow the transaction ids, not the file order", () => {
    const t = "2025-01-01T00:00:00.000000001Z";
    const fillFile = lines({ type: "ORDER_FILL", id: "11", batchID: "10", accountID: acct, time: t, orderID: "10", instrument: "EUR_USD", units: "100", price: "1.1" });
    const orderFile = writeTemp("orders.jsonl", JSON.stringify({ type: "MARKET_ORDER", id: "10", batchID: "10", accountID: acct, time: t, instrument: "EUR_USD", units: "100" }) + "\n");
    expect(records(importChecked("oanda", [fillFile, orderFile])).map((x) => x["type"])).toEqual(["order_accepted", "fill"]);
  });
});

describe("import oanda: fees and financing", () => {
  const R = join(BROKERS, "oanda", "hootnot-responses");
  const closing = { type: "ORDER_FILL", id: "2317", batchID: "2316", accountID: acct, time: "2016-10-28T15:11:58.023004583Z", orderID: "2316",
    instrument: "EUR_USD", units: "-100", price: "1.09289", commission: "0.1200", financing: "-0.0350", reason: "MARKET_ORDER_TRADE_CLOSE" };
  const daily = { type: "DAILY_FINANCING", id: "2318", batchID: "2318", accountID: acct, time: "2016-10-28T21:00:00.000000000Z", financing: "-0.5100",
    accountFinancingMode: "DAILY", positionFinancings: [{ instrument: "EUR_USD", financing: "-0.4000" }, { instrument: "USD_JPY", financing: "-0.1100" }] };

  it("with the account (its currency) in the input: fills carry fee_currency, financing becomes its own records", () => {
    const r = records(importChecked("oanda", [join(R, "accounts.json"), lines(closing, daily)]));
    expect(r.find((x) => x["type"] === "fill")).toMatchObject({ fee: "0.12", fee_currency: "EUR" });
    expect(r.filter((x) => x["type"] === "financing")).toEqual([
      expect.objectContaining({ ts: closing.time, amount: "-0.035", currency: "EUR", symbol: "EURUSD", event_id: `oanda:${acct}:2317:financing` }),
      expect.objectContaining({ ts: daily.time, amount: "-0.4", currency: "EUR", symbol: "EURUSD", event_id: `oanda:${acct}:2318:EURUSD` }),
      expect.objectContaining({ ts: daily.time, amount: "-0.11", currency: "EUR", symbol: "USDJPY", event_id: `oanda:${acct}:2318:USDJPY` }),
    ]);
  });

  it("the account's CREATE transaction states its home currency too: the fee's currency", () => {
    const create = { type: "CREATE", id: "1", batchID: "1", accountID: acct, time: "2016-10-01T00:00:00Z", divisionID: 4, siteID: 101, accountUserID: 1435156,
      accountNumber: 1, homeCurrency: "CHF" };
    expect(records(importChecked("oanda", [lines(create, closing)])).find((x) => x["type"] === "fill")).toMatchObject({ fee: "0.12", fee_currency: "CHF" });
  });

  it("without it, financing is reported (its currency is not in the input), never written without one; the fee stays without fee_currency, and a note says so", () => {
    const o = importChecked("oanda", [lines(closing, daily)]);
    expect(records(o).filter((x) => x["type"] === "financing")).toEqual([]);
    expect(records(o).find((x) => x["type"] === "fill")!["fee_currency"]).toBeUndefined();
    expect(o.report.notes).toContainEqual(expect.stringMatching(/^1 fee without fee_currency: OANDA charges fees in the account's home currency, which the input does not state/));
    expect(o.report.problems).toEqual([
      expect.stringMatching(/stream\.jsonl:1: ORDER_FILL 2317: financing -0\.035 not imported: it is in the account's home currency, which the input does not state/),
      expect.stringMatching(/stream\.jsonl:2: DAILY_FINANCING 2318: financing -0\.4 not imported: it is in the account's home currency/),
      expect.stringMatching(/stream\.jsonl:2: DAILY_FINANCING 2318: financing -0\.11 not imported/),
    ]);
  });
});

describe("import oanda: listings and accounts", () => {
  it("--as-of is checked against the fills of the listing's own account only", () => {
    const other = writeTemp("other.jsonl", JSON.stringify({ type: "ORDER_FILL", id: "9000", batchID: "8999", accountID: "101-004-1435156-002", time: "2017-03-09T20:00:00Z",
      orderID: "8999", instrument: "EUR_USD", units: "5", price: "1.1" }) + "\n");
    const files = [join(J, "orders_create_market_filled.json"), join(J, "orders_cancel_take_profit.json"), other, join(J, "open_positions.json")];
    const r = records(importChecked("oanda", files, { asOf: "2017-03-09T21:00:00Z" }));
    expect(r.filter((x) => x["type"] === "position_snapshot")).toEqual([expect.objectContaining({ ts: "2017-03-09T21:00:00Z" })]);
  });
});
