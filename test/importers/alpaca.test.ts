// Alpaca quirks, each on its own.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseBrokerLine } from "../../src/domain/validate.js";
import { BROKERS, importChecked, records, writeTemp } from "./helpers.js";

const A = join(BROKERS, "alpaca");
const order = (o: Record<string, unknown>) => ({
  id: "o-1", client_order_id: "C-1", symbol: "AAPL", side: "buy", qty: "10", filled_qty: "0", filled_avg_price: null,
  status: "new", replaces: null, replaced_by: null, submitted_at: "2025-10-20T13:30:00Z", updated_at: "2025-10-20T13:30:00Z", ...o,
});
const frames = (...data: object[]) => writeTemp("tu.jsonl", data.map((d) => JSON.stringify({ stream: "trade_updates", data: d })).join("\n") + "\n");

describe("import alpaca: times, numbers, symbols, replace chains and what it refuses", () => {
  it("normalizes mixed Z and -04:00 offsets to UTC Z, keeping all nine fractional digits", () => {
    const r = records(importChecked("alpaca", [join(A, "alpaca-docs", "trade_updates__fill_example__trading-api-streaming.json")]));
    expect(r[0]).toMatchObject({ type: "fill", ts: "2022-04-19T17:45:05.024916716Z", symbol: "SOLUSD", side: "sell", qty: "1790.86", price: "105.8988475" });
    const o = records(importChecked("alpaca", [frames(
      { event: "new", execution_id: "e1", order: order({}), timestamp: "2025-10-20T09:30:00.123456789-04:00" },
    )]));
    expect(o[0]!["ts"]).toBe("2025-10-20T13:30:00.123456789Z");
  });

  it("takes numbers as JSON numbers or strings, exactly (no float noise)", () => {
    const r = records(importChecked("alpaca", [frames(
      { event: "partial_fill", execution_id: "e1", order: order({ filled_qty: 0.1 }), qty: 0.1, price: 227.51, timestamp: "2025-10-20T13:30:01Z" },
      { event: "fill", execution_id: "e2", order: order({ filled_qty: "0.3" }), qty: "0.2", price: "227.52", timestamp: "2025-10-20T13:30:02Z" },
    )]));
    expect(r.map((x) => [x["qty"], x["price"]])).toEqual([["0.1", "227.51"], ["0.2", "227.52"]]);
  });

  it("BTC/USD in orders and BTCUSD in the stream are one instrument", () => {
    const r = records(importChecked("alpaca", [frames(
      { event: "new", execution_id: "e1", order: order({ symbol: "BTC/USD", qty: "0.5" }), timestamp: "2025-10-20T13:40:00Z" },
      { event: "fill", execution_id: "e2", order: order({ symbol: "BTCUSD", qty: "0.5", filled_qty: "0.5" }), qty: "0.5", price: "67012.5", timestamp: "2025-10-20T13:40:01Z" },
    )]));
    expect(r.map((x) => parseBrokerLine(JSON.stringify(x), 1)).map((e) => "symbol" in e && e.symbol)).toEqual(["BTCUSD", "BTCUSD"]);
  });

  it("replace chain: the replaced order is cancelled, the replacement keeps the original client order id and the link", () => {
    const r = records(importChecked("alpaca", [frames(
      { event: "new", execution_id: "e1", order: order({}), timestamp: "2025-10-20T13:30:00Z" },
      { event: "replaced", execution_id: "e2", order: order({ status: "replaced", replaced_by: "o-2" }), timestamp: "2025-10-20T13:31:00Z" },
      { event: "new", execution_id: "e3", order: order({ id: "o-2", client_order_id: "broker-generated-2", replaces: "o-1", qty: "12" }), timestamp: "2025-10-20T13:31:00Z" },
      { event: "fill", execution_id: "e4", order: order({ id: "o-2", client_order_id: "broker-generated-2", replaces: "o-1", qty: "12", filled_qty: "12" }), qty: "12", price: "227.5", timestamp: "2025-10-20T13:32:00Z" },
    )]));
    expect(r[1]).toMatchObject({ type: "order_cancelled", broker_order_id: "o-1", reason: "replaced", replaced_by_broker_order_id: "o-2" });
    expect(r[2]).toMatchObject({ type: "order_accepted", broker_order_id: "o-2", client_order_id: "C-1", replaces_broker_order_id: "o-1", qty: "12" });
    expect(r[3]).toMatchObject({ type: "fill", broker_order_id: "o-2", client_order_id: "C-1" });
  });

  it("FILL activities (a newest-first REST listing) are sorted stably by ts, and the report says so", () => {
    const o = importChecked("alpaca", [join(A, "alpaca-py-tests", "test_account_activities_routes__test_get_activities_for_account_max_items_and_single_request_date__0.json")]);
    expect(o.finished.lines).toHaveLength(5);
    expect(o.finished.outOfOrder).toBeGreaterThan(0);
    const ts = records(o).map((x) => x["ts"] as string);
    expect(ts[0]).toBe("2022-03-04T17:39:22.305629Z");
  });

  it("an order object's fill is used only when the input has no executions for it", () => {
    const filled = order({ status: "filled", filled_qty: "10", filled_avg_price: "227.5", filled_at: "2025-10-20T13:30:05Z", commission: 1.25 });
    const alone = records(importChecked("alpaca", [writeTemp("o.json", JSON.stringify(filled))]));
    expect(alone.filter((x) => x["type"] === "fill")).toEqual([expect.objectContaining({ qty: "10", price: "227.5", fee: "1.25" })]);
    const withExec = records(importChecked("alpaca", [writeTemp("o.json", JSON.stringify(filled)), frames(
      { event: "fill", execution_id: "e9", order: filled, qty: "10", price: "227.49", timestamp: "2025-10-20T13:30:05Z" },
    )]));
    expect(withExec.filter((x) => x["type"] === "fill")).toEqual([expect.objectContaining({ event_id: "alpaca:exec:e9", price: "227.49" })]);
  });

  it("records the validator refuses (a symbol with a stray backtick) and invalid JSON are reported, not written", () => {
    const o = importChecked("alpaca", [join(A, "alpaca-py-tests", "test_order_routes__test_get_order_by_client_id__0.json"), join(A, "alpaca-docs", "entity-example__position-crypto.json.txt")]);
    expect(o.finished.lines).toEqual([]);
    expect(o.report.problems).toEqual([
      expect.stringMatching(/entity-example__position-crypto\.json\.txt:1: not valid JSON/),
      expect.stringMatching(/test_get_order_by_client_id__0\.json:1: not imported: field "symbol".*"AAPL`"/),
    ]);
  });
});

describe("import alpaca: fills from several sources", () => {
  const activity = (id: string, qty: string, cum: string, price: string, at: string) => ({
    id: `20251020133001000::${id}`, activity_type: "FILL", transaction_time: at, type: Number(cum) >= 10 ? "fill" : "partial_fill",
    price, qty, side: "buy", symbol: "AAPL", leaves_qty: String(10 - Number(cum)), order_id: "o-1", cum_qty: cum, order_status: Number(cum) >= 10 ? "filled" : "partially_filled",
  });
  const stream = () => frames({ event: "partial_fill", execution_id: "e-3", order: order({ filled_qty: "3", status: "partially_filled" }), qty: "3", price: "227.5", timestamp: "2025-10-20T13:30:01Z" });

  it("a stream execution plus the order's FILL activities give every share once: 3 + 7 of 10", () => {
    const acts = writeTemp("activities.json", JSON.stringify([
      activity("a-7", "7", "10", "227.6", "2025-10-20T13:30:02Z"), activity("a-3", "3", "3", "227.5", "2025-10-20T13:30:01Z"),
    ]));
    const o = importChecked("alpaca", [stream(), acts]);
    const fills = records(o).filter((x) => x["type"] === "fill");
    expect(fills.map((x) => [x["qty"], x["price"], x["client_order_id"]])).toEqual([["3", "227.5", "C-1"], ["7", "227.6", "C-1"]]);
    expect(o.report.problems).toEqual([]);
    expect(o.report.ignored).toContainEqual(["FILL activity of an execution the trade updates already have (same order, same cumulative qty)", 1]);
  });

  it("an order object whose filled_qty is more than its executions in the input is reported, never silently short", () => {
    const filled = writeTemp("o.json", JSON.stringify(order({ status: "filled", filled_qty: "10", filled_avg_price: "227.57", filled_at: "2025-10-20T13:30:02Z" })));
    const o = importChecked("alpaca", [stream(), filled]);
    expect(records(o).filter((x) => x["type"] === "fill").map((x) => x["qty"])).toEqual(["3"]);
    expect(o.report.problems).toEqual([expect.stringMatching(/o\.json:1: order o-1: filled_qty 10 but the executions in the input add up to 3: 7 not imported \(import the order's FILL activities or its trade updates\)/)]);
  });

  it("a trade update's fill carries the order's commission, once per order", () => {
    const r = records(importChecked("alpaca", [frames(
      { event: "partial_fill", execution_id: "e1", order: order({ filled_qty: "4", commission: "0.4" }), qty: "4", price: "227.5", timestamp: "2025-10-20T13:30:01Z" },
      { event: "fill", execution_id: "e2", order: order({ filled_qty: "10", commission: "1" }), qty: "6", price: "227.5", timestamp: "2025-10-20T13:30:02Z" },
    )]));
    expect(r.map((x) => x["fee"])).toEqual(["0.4", "0.6"]);
  });

  it("FILL activities with no order in the input are imported with a warning that they will be orphans", () => {
    const o = importChecked("alpaca", [join(A, "alpaca-py-tests", "test_account_activities_routes__test_get_activities_for_account_max_items_and_single_request_date__0.json")]);
    expect(o.report.notes).toContainEqual(expect.stringMatching(/^5 FILL activities of 3 orders carry no client_order_id and no order or trade update for them is in the input: the replay will report them as orphans/));
  });
});

describe("import alpaca: estimates", () => {
  it("an order estimate is not an execution: no fill, and the reason is reported", () => {
    const o = importChecked("alpaca", [join(A, "alpaca-docs", "broker-api__order_estimate_response.json")]);
    expect(records(o).filter((x) => x["type"] === "fill")).toEqual([]);
    expect(o.report.problems).toEqual([expect.stringMatching(/broker-api__order_estimate_response\.json:1: order bc215c69-b3c9-44b4-afff-896962ea6fd0 is an order estimate .*not an execution: not imported/)]);
  });

  it("a local-currency order's fill is in the instrument's currency (usd.filled_avg_price), the local price kept beside it", () => {
    const filled = order({ status: "filled", filled_qty: "0.0016", filled_avg_price: "23717.854", filled_at: "2025-10-20T13:30:05Z", updated_at: "2025-10-20T13:30:05Z",
      swap_rate: "135.88", usd: { filled_avg_price: "174.55" } });
    const r = records(importChecked("alpaca", [writeTemp("o.json", JSON.stringify(filled))]));
    expect(r.find((x) => x["type"] === "fill")).toMatchObject({ price: "174.55", local_price: "23717.854", local_swap_rate: "135.88" });
  });
});

describe("import alpaca: notional orders", () => {
  const sse = join(A, "alpaca-docs", "broker-sse-trade-events__new_example.sse.txt");
  const notional = { id: "d507255a-b072-4fb7-96f3-9ad5a9c02b2a", client_order_id: "d6499947-dacd-4f85-a728-81734dc39c27", symbol: "AAPL", side: "buy", qty: null, notional: "10" };

  it("a notional order (qty null) is acknowledged with the quantity it filled, once it is done", () => {
    const fill = frames({ event: "fill", execution_id: "x-1", order: order({ ...notional, status: "filled", filled_qty: "0.0779", filled_avg_price: "128.33" }),
      qty: "0.0779", price: "128.33", timestamp: "2021-06-14T10:04:06Z" });
    const r = records(importChecked("alpaca", [sse, fill]));
    expect(r).toEqual([
      expect.objectContaining({ type: "order_accepted", ts: "2021-06-14T10:04:05.172241Z", client_order_id: notional.client_order_id, qty: "0.0779", notional: "10", qty_from: "filled_qty" }),
      expect.objectContaining({ type: "fill", qty: "0.0779", price: "128.33" }),
    ]);
  });

  it("while it is not done in the input, its acknowledgement is reported (its quantity is not known yet)", () => {
    const o = importChecked("alpaca", [sse]);
    expect(o.finished.lines).toEqual([]);
    expect(o.report.problems).toEqual([expect.stringMatching(/order d507255a-b072-4fb7-96f3-9ad5a9c02b2a: a notional order \(\$10\) has a quantity only once it is done, and the input does not show it done: acknowledgement not imported/)]);
  });
});

describe("import alpaca: replace chains", () => {
  it("the link is taken from the replaced order's replaced_by too, when the replacement does not name it", () => {
    const r = records(importChecked("alpaca", [frames(
      { event: "new", execution_id: "e1", order: order({}), timestamp: "2025-10-20T13:30:00Z" },
      { event: "new", execution_id: "e3", order: order({ id: "o-2", client_order_id: "broker-generated-2", replaces: null, qty: "12" }), timestamp: "2025-10-20T13:31:00Z" },
      { event: "replaced", execution_id: "e2", order: order({ status: "replaced", replaced_by: "o-2" }), timestamp: "2025-10-20T13:31:00.5Z" },
      { event: "fill", execution_id: "e4", order: order({ id: "o-2", client_order_id: "broker-generated-2", replaces: null, qty: "12", filled_qty: "12" }), qty: "12", price: "227.5", timestamp: "2025-10-20T13:32:00Z" },
    )]));
    expect(r.find((x) => x["type"] === "order_accepted" && x["broker_order_id"] === "o-2")).toMatchObject({ client_order_id: "C-1", replaces_broker_order_id: "o-1" });
    expect(r.find((x) => x["type"] === "fill")).toMatchObject({ client_order_id: "C-1" });
  });
});
