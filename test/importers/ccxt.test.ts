// ccxt's unified records → canonical broker log: symbols, the engine's key, fees, an order's own
// fill, position listings, and what --instruments states.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCcxtSymbol } from "../../src/adapters/importers/crypto-symbols.js";
import { instrumentsOf } from "../../src/adapters/importers/run.js";
import { runCli } from "../helpers/cli.js";
import { importChecked, records, tmp, writeTemp } from "./helpers.js";

const order = (over: Record<string, unknown> = {}) => ({
  id: "1001", clientOrderId: "bot-1", timestamp: 1760922000000, datetime: "2025-10-20T01:00:00.000Z", lastTradeTimestamp: 1760922005000,
  lastUpdateTimestamp: 1760922005000, symbol: "BTC/USDT", type: "limit", side: "buy", price: 67000, amount: 0.01, filled: 0.01,
  remaining: 0, average: 66990, status: "closed", fee: { cost: 0.6699, currency: "USDT" }, trades: [], fees: [], ...over,
});
const trade = (over: Record<string, unknown> = {}) => ({
  id: "t1", order: "1001", timestamp: 1760922005000, datetime: "2025-10-20T01:00:05.000Z", symbol: "BTC/USDT", side: "buy",
  takerOrMaker: "taker", price: 66990, amount: 0.01, fee: { cost: 0.6699, currency: "USDT" }, fees: [{ cost: 0.6699, currency: "USDT" }], ...over,
});
const ccxt = (values: readonly object[], opts: { orderKey?: string; asOf?: string } = {}) =>
  importChecked("ccxt", [writeTemp("records.json", JSON.stringify(values, null, 2))], opts);

describe("import ccxt: symbols and what they state of their instrument", () => {
  it("a spot pair loses its slash; a contract keeps its settlement suffix, so it is never the spot pair", () => {
    expect(parseCcxtSymbol("BTC/USDT")).toMatchObject({ symbol: "BTCUSDT", market: "spot", base: "BTC", quote: "USDT" });
    expect(parseCcxtSymbol("ETH/USDT:USDT")).toMatchObject({ symbol: "ETHUSDT.USDT", market: "swap", settle: "USDT" });
    expect(parseCcxtSymbol("BTC/USD:BTC")).toMatchObject({ symbol: "BTCUSD.BTC", market: "swap", settle: "BTC" });
    expect(parseCcxtSymbol("BTC/USDT:USDT-240329")).toMatchObject({ symbol: "BTCUSDT.USDT-240329", market: "future" });
    expect(parseCcxtSymbol("BTC/USDT:USDT-250530-70000-C")).toMatchObject({ symbol: "BTCUSDT.USDT-250530-70000-C", market: "option" });
    expect(parseCcxtSymbol("BTCUSDT")).toBeUndefined();
  });

  it("--instruments: spot is crypto with its base and quote, a linear perpetual a future in its quote, an inverse one asks for its currency", () => {
    const o = ccxt([
      order(), trade(),
      trade({ id: "t2", order: "2002", symbol: "ETH/USDT:USDT", price: 2500, amount: 1, fee: undefined, fees: [] }),
      trade({ id: "t3", order: "3003", symbol: "BTC/USD:BTC", price: 68000, amount: 3, fee: undefined, fees: [] }),
      { id: "BTCUSDT", symbol: "BTC/USDT", base: "BTC", quote: "USDT", type: "spot", precision: { amount: 0.00001, price: 0.01 }, limits: {} },
    ]);
    const { instruments } = JSON.parse(instrumentsOf(o).text) as { instruments: Record<string, Record<string, unknown>> };
    expect(instruments["BTCUSDT"]).toEqual({ asset_class: "crypto", quote_currency: "USDT", base_currency: "BTC", tick_size: 0.01 });
    expect(instruments["ETHUSDT.USDT"]).toMatchObject({ asset_class: "future", quote_currency: "USDT", tick_size: expect.stringMatching(/^<to fill: .*precision\.price/) });
    expect(instruments["BTCUSD.BTC"]).toMatchObject({ asset_class: "future", quote_currency: expect.stringMatching(/^<to fill: .*settled in BTC \(an inverse contract\)/) });
  });

  it("a market's whole-number precision is a tick or a count of decimals: asked for, not guessed", () => {
    const o = ccxt([trade(), { id: "BTCUSDT", symbol: "BTC/USDT", base: "BTC", quote: "USDT", precision: { price: 2 }, limits: {} }]);
    const { instruments } = JSON.parse(instrumentsOf(o).text) as { instruments: Record<string, Record<string, unknown>> };
    expect(instruments["BTCUSDT"]!["tick_size"]).toMatch(/^<to fill: .*precision\.price is 2: a tick size or a number of decimal places/);
  });
});

describe("import ccxt: orders and trades", () => {
  it("an order with its trade: acknowledged at its time, filled by the trade (not again from its totals), keyed by clientOrderId", () => {
    const r = records(ccxt([order(), trade()]));
    expect(r.map((x) => x["type"])).toEqual(["order_accepted", "fill"]);
    expect(r[0]).toMatchObject({ ts: "2025-10-20T01:00:00.000Z", client_order_id: "bot-1", broker_order_id: "1001", symbol: "BTCUSDT", side: "buy", qty: "0.01", limit_price: "67000" });
    expect(r[1]).toMatchObject({ ts: "2025-10-20T01:00:05.000Z", client_order_id: "bot-1", broker_order_id: "1001", qty: "0.01", price: "66990", fee: "0.6699", fee_currency: "USDT" });
  });

  it("--order-key id keys orders and trades by the exchange's order id (for engines that journal it, such as freqtrade)", () => {
    const r = records(ccxt([order(), trade(), trade({ id: "t9", order: "9009" })], { orderKey: "id" }));
    expect(r.filter((x) => x["type"] !== "order_cancelled").map((x) => x["client_order_id"])).toEqual(["1001", "1001", "9009"]);
  });

  it("without any of its trades, an order's filled amount at its average price is its one fill, at its last trade's time", () => {
    const r = records(ccxt([order()]));
    expect(r[1]).toMatchObject({ type: "fill", ts: "2025-10-20T01:00:05.000Z", qty: "0.01", price: "66990", fee: "0.6699", fee_currency: "USDT" });
  });

  it("trades that add up to less than the order filled: the shortfall is reported", () => {
    const o = ccxt([order({ filled: 0.02, amount: 0.02 }), trade()]);
    expect(o.report.problems.join("\n")).toContain("order 1001: filled 0.02 but its trades in the input add up to 0.01: 0.01 not imported");
  });

  it("a cancelled order: accepted, then cancelled at its last update; a rejected one: rejected", () => {
    const r = records(ccxt([order({ status: "canceled", filled: 0, average: null, lastTradeTimestamp: null, lastUpdateTimestamp: 1760922600000 }),
      order({ id: "1002", clientOrderId: "bot-2", status: "rejected", filled: 0 })]));
    expect(r.map((x) => `${String(x["type"])}@${String(x["ts"])}`)).toEqual([
      "order_accepted@2025-10-20T01:00:00.000Z", "order_rejected@2025-10-20T01:00:05.000Z", "order_cancelled@2025-10-20T01:10:00.000Z",
    ]);
  });

  it("a clientOrderId several orders share is no order's key: reported, and each is keyed by its own id", () => {
    const o = ccxt([order({ clientOrderId: "0" }), order({ id: "1002", clientOrderId: "0" })]);
    expect(o.report.problems.join("\n")).toContain('clientOrderId "0" is shared by orders 1001, 1002');
    expect(records(o).filter((x) => x["type"] === "order_accepted").map((x) => x["client_order_id"])).toEqual(["ccxt:order:1001", "ccxt:order:1002"]);
  });
});

describe("import ccxt: fees", () => {
  it("exact: a fee ccxt prints as 3.36e-7 is 0.000000336; a fee in the base asset or a third currency keeps its currency", () => {
    const r = records(ccxt([
      trade({ fee: { cost: 3.36e-7, currency: "BTC" }, fees: [] }),
      trade({ id: "t2", fee: { cost: 0.0001, currency: "BNB" }, fees: [] }),
    ]));
    expect(r.map((x) => [x["fee"], x["fee_currency"]])).toEqual([["0.000000336", "BTC"], ["0.0001", "BNB"]]);
  });

  it("fees in two currencies, or a rebate, are reported and the fill is kept without them", () => {
    const o = ccxt([
      trade({ fees: [{ cost: 0.5, currency: "USDT" }, { cost: 0.001, currency: "BNB" }] }),
      trade({ id: "t2", fee: { cost: -0.1, currency: "USDT" }, fees: [] }),
    ]);
    expect(o.report.problems.join("\n")).toMatch(/trade t1: fees in USDT and BNB: .*imported without its fees/);
    expect(o.report.problems.join("\n")).toMatch(/trade t2: fee -0\.1 \(a rebate\)/);
    expect(records(o).every((x) => x["fee"] === undefined)).toBe(true);
  });
});

describe("import ccxt: positions", () => {
  const position = (over: Record<string, unknown> = {}) => ({
    symbol: "ETH/USDT:USDT", contracts: 2, contractSize: 1, side: "short", entryPrice: 2500.5, timestamp: 1760922000000, ...over,
  });

  it("a fetchPositions listing is a snapshot at --as-of: contracts signed by side, at the entry price", () => {
    const r = records(ccxt([position(), position({ symbol: "BTC/USDT:USDT", contracts: 0 })], { asOf: "2025-10-20T02:00:00Z" }));
    expect(r).toEqual([expect.objectContaining({ type: "position_snapshot", ts: "2025-10-20T02:00:00Z", positions: [{ symbol: "ETHUSDT.USDT", qty: "-2", avg_price: "2500.5" }] })]);
  });

  it("a contract of another size than 1 is noted: its quantities count contracts", () => {
    const o = ccxt([position({ symbol: "BTC/USD:BTC", contractSize: 100 }), position()], { asOf: "2025-10-20T02:00:00Z" });
    expect(o.report.notes).toContain("BTCUSD.BTC: a contract is 100 of BTC (contractSize): quantities of it are in contracts, as ccxt gives them");
  });

  it("refused: without --as-of, --as-of before a position's own time, a lone position, or beside spot trades it would call flat", () => {
    const problems = (values: object[], asOf?: string) => ccxt(values, asOf === undefined ? {} : { asOf }).report.problems.join("\n");
    const lone = importChecked("ccxt", [writeTemp("position.json", JSON.stringify(position()))], { asOf: "2025-10-20T02:00:00Z" });
    expect(lone.report.problems.join("\n")).toContain("single position is not a complete position snapshot");
    expect(problems([position(), position()])).toContain("carries no time of its own; pass --as-of");
    expect(problems([position(), position()], "2025-10-20T00:00:00Z")).toContain("is before the ETHUSDT.USDT position's own time");
    expect(problems([position(), position(), trade()], "2025-10-20T02:00:00Z")).toContain("the input also trades BTCUSDT");
  });
});

describe("import ccxt: bad input", () => {
  it("a truncated JSON document is exit 65 naming the file and line, with nothing on stdout", () => {
    const text = JSON.stringify([order(), trade()], null, 2);
    const path = writeTemp("orders.json", text.slice(0, text.length - 40));
    const r = runCli(["import", "ccxt", path]);
    expect(r.status, r.stderr).toBe(65);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/bad input: orders\.json:25: field "\(file\)": expected a complete JSON value, got the end of the file inside the one that starts here \(the file was cut short/);
  });

  it("--order-key is for ccxt only, and takes clientOrderId or id (exit 2)", () => {
    const path = writeTemp("orders.json", JSON.stringify([order()]));
    expect(runCli(["import", "ccxt", "--order-key", "uuid", path]).status).toBe(2);
    const dir = tmp();
    const other = runCli(["import", "oanda", "--order-key", "id", path, "--instruments", join(dir, "i.json")]);
    expect(other.status).toBe(2);
    expect(existsSync(join(dir, "i.json"))).toBe(false);
  });

  it("the freqtrade night's exchange records, markets included, leave no instrument field to fill", () => {
    const dir = tmp();
    const e2e = join(import.meta.dirname, "..", "..", "fixtures", "e2e", "freqtrade");
    const r = runCli(["import", "ccxt", "--order-key", "id", "--instruments", join(dir, "i.json"),
      ...["ccxt-markets.json", "ccxt-orders.json", "ccxt-trades.json"].map((f) => join(e2e, f))]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, "i.json"), "utf8")).not.toContain("<to fill");
  });
});
