// `import ... --instruments`: an instruments entry for every symbol the records name, with what the
// source states and a "<to fill: ...>" placeholder for the rest; the replay refuses an unfinished
// entry, naming the field, and its unknown-instrument error offers an entry to paste.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { instrumentsOf, type ImportOutcome } from "../../src/adapters/importers/run.js";
import { runReplay } from "../../src/run/replay.js";
import { resolveConfig } from "../../src/domain/config.js";
import { ConfigError } from "../../src/domain/errors.js";
import { BROKERS, dbFrom, E2E, fixMessage, importChecked, tmp, writeTemp } from "./helpers.js";

type Entries = Record<string, Record<string, unknown>>;
const entriesOf = (o: ImportOutcome): Entries => (JSON.parse(instrumentsOf(o).text) as { instruments: Entries }).instruments;
const TO_FILL = /^<to fill: .+>$/;

/** An FXCM-style fill (fixapi.rst) of `symbol`, with extra tags. */
const fixFill = (seq: string, symbol: string, extra: [string, string][]) => fixMessage([
  ["35", "8"], ["34", seq], ["49", "FXCM"], ["52", "20160411-06:16:51.177"], ["56", "client1"], ["11", `C-${seq}`], ["14", "10"], ["17", `E-${seq}`],
  ["31", "2047.53"], ["32", "10"], ["37", `O-${seq}`], ["38", "10"], ["39", "2"], ["54", "1"], ["55", symbol], ["60", "20160411-06:16:51"], ["150", "F"], ...extra,
]);

describe("import --instruments: what each source states", () => {
  it("alpaca: us_equity is an equity priced in USD; a crypto BTC/USD names its base; an asset's price_increment is its tick", () => {
    const orders = writeTemp("orders.json", JSON.stringify([
      { id: "o-1", client_order_id: "C-1", symbol: "AAPL", asset_class: "us_equity", side: "buy", qty: "10", filled_qty: "0", status: "new", submitted_at: "2025-10-20T13:30:00Z" },
      { id: "o-2", client_order_id: "C-2", symbol: "BTC/USD", asset_class: "crypto", side: "buy", qty: "1", filled_qty: "0", status: "new", submitted_at: "2025-10-20T13:30:00Z" },
      { id: "o-3", client_order_id: "C-3", symbol: "EUR/USD", side: "buy", qty: "1", filled_qty: "0", status: "new", submitted_at: "2025-10-20T13:30:00Z" },
    ]));
    const asset = writeTemp("asset.json", JSON.stringify({ id: "a-1", class: "crypto", exchange: "CRYPTO", symbol: "BTC/USD", status: "active", tradable: true,
      min_order_size: "0.0001", min_trade_increment: "0.000000001", price_increment: "1" }));
    const o = importChecked("alpaca", [orders, asset]);
    const e = entriesOf(o);
    expect(e["AAPL"]).toEqual({ asset_class: "equity", quote_currency: "USD", tick_size: expect.stringMatching(TO_FILL) });
    expect(e["AAPL"]!["tick_size"]).toContain("not stated by the source");
    expect(e["BTCUSD"]).toEqual({ asset_class: "crypto", quote_currency: "USD", base_currency: "BTC", tick_size: 1 });
    expect(e["EURUSD"]).toBeUndefined();
    expect(instrumentsOf(o).defaultFx).toEqual(["EURUSD"]);
    expect(o.report.ignored).toContainEqual(["asset (read for --instruments)", 1]);
  });

  it("alpaca (real sample): a crypto position states its class, but BTCUSD names no quote currency", () => {
    const o = importChecked("alpaca", [join(BROKERS, "alpaca", "alpaca-docs", "trade_updates__fill_example__trading-api-streaming.json")]);
    expect(entriesOf(o)["SOLUSD"]).toEqual({ asset_class: "crypto", quote_currency: expect.stringMatching(TO_FILL), tick_size: expect.stringMatching(TO_FILL) });
  });

  it("ib: secType and currency from the messages; contractData's minTick is the tick size, in each layout servers send", () => {
    const exec = (execId: string, symbol: string, secType: string, local: string) =>
      `11|-1|13|76792991|${symbol}|${secType}||0.0|||ISLAND|USD|${local}|NMS|${execId}|20230224  12:04:56|DU1234567|ISLAND|BOT|100|196.52|1376327563|100|0|100|196.52|||||2||`;
    // contractData: with a version field (older servers), without it, and without it but with lastTradeDate.
    const withVersion = "10|8|1|AAPL|STK||0||SMART|USD|AAPL|NMS|NMS|265598|0.01|100|ACTVTIME,AD|SMART,ISLAND|1";
    const plain = "10|1|ES|FUT|20250919|0||CME|USD|ESU5|ES|ES|637533641|0.25|50|ACTVTIME|CME|1";
    const lastTradeDate = "10|1|MSFT|STK|||0||SMART|USD|MSFT|NMS|NMS|272093|0.005|1|ACTVTIME|SMART|1";
    const file = writeTemp("ib.psv", [exec("0000e0d5.00000001.01.01", "AAPL", "STK", "AAPL"), exec("0000e0d5.00000002.01.01", "ES", "FUT", "ESU5"),
      exec("0000e0d5.00000003.01.01", "MSFT", "STK", "MSFT"), exec("0000e0d5.00000004.01.01", "XYZW", "WAR", "XYZW"),
      exec("0000e0d5.00000005.01.01", "EUR", "CASH", "EUR.USD"), withVersion, plain, lastTradeDate].join("\n"));
    const e = entriesOf(importChecked("ib", [file], { tz: "America/New_York" }));
    expect(e["AAPL"]).toEqual({ asset_class: "equity", quote_currency: "USD", tick_size: 0.01 });
    expect(e["ESU5"]).toEqual({ asset_class: "future", quote_currency: "USD", tick_size: 0.25 });
    expect(e["MSFT"]).toEqual({ asset_class: "equity", quote_currency: "USD", tick_size: 0.005 });
    expect(e["XYZW"]!["asset_class"]).toMatch(/^<to fill: one of fx, .*IB's secType "WAR" is none of them>$/);
    expect(e["EURUSD"]).toBeUndefined();
  });

  it("ib (real sample): TSLA is an equity in USD; its tick size is asked for, with where IB states it", () => {
    const o = importChecked("ib", [join(BROKERS, "ib", "rust-ibapi", "place_order_MKT_BUY_100_TSLA__openOrder_orderStatus_execDetails_commissionReport.psv")], { tz: "America/New_York" });
    const tsla = entriesOf(o)["TSLA"]!;
    expect(tsla).toMatchObject({ asset_class: "equity", quote_currency: "USD" });
    expect(tsla["tick_size"]).toMatch(/^<to fill: its smallest price step; not stated by the source \(IB states minTick in contract details.*>$/);
  });

  it("ib: two different minTicks for one symbol are a conflict, left to fill, naming both", () => {
    const exec = "11|-1|13|265598|AAPL|STK||0.0|||ISLAND|USD|AAPL|NMS|0000e0d5.00000001.01.01|20230224  12:04:56|DU1234567|ISLAND|BOT|100|196.52|1|100|0|100|196.52|||||2||";
    const file = writeTemp("ib.psv", [exec, "10|8|1|AAPL|STK||0||SMART|USD|AAPL|NMS|NMS|265598|0.01|100", "10|8|2|AAPL|STK||0||SMART|USD|AAPL|NMS|NMS|265598|0.0001|100"].join("\n"));
    expect(entriesOf(importChecked("ib", [file], { tz: "UTC" }))["AAPL"]!["tick_size"]).toMatch(/the source states 0\.01 \(ib\.psv:2\) and 0\.0001 \(ib\.psv:3\)>$/);
  });

  it("oanda (real sample): the instruments listing gives the type; a CFD's quote comes from its name, its tick size is asked for with the pip OANDA states", () => {
    const fill = writeTemp("stream.jsonl", [
      { type: "ORDER_FILL", id: "2125", batchID: "2125", accountID: "101-004-1435156-001", time: "2017-03-09T13:22:13Z", orderID: "2125", instrument: "DE30_EUR", units: "2", price: "12000.5" },
      { type: "ORDER_FILL", id: "2126", batchID: "2126", accountID: "101-004-1435156-001", time: "2017-03-09T13:22:14Z", orderID: "2126", instrument: "EUR_USD", units: "2", price: "1.1" },
      { type: "ORDER_FILL", id: "2127", batchID: "2127", accountID: "101-004-1435156-001", time: "2017-03-09T13:22:15Z", orderID: "2127", instrument: "XAU_USD", units: "2", price: "1300.1" },
    ].map((x) => JSON.stringify(x)).join("\n") + "\n");
    const withListing = entriesOf(importChecked("oanda", [join(BROKERS, "oanda", "hootnot-responses", "accounts.json"), fill]));
    expect(withListing["DE30EUR"]).toEqual({ asset_class: "cfd", quote_currency: "EUR",
      tick_size: expect.stringMatching(/^<to fill: .*OANDA states no tick size; its instruments listing gives a pip of 1 \(pipLocation 0\) and prices to 1 decimal place \(displayPrecision\)>$/) });
    expect(withListing["EURUSD"]).toBeUndefined();
    const alone = entriesOf(importChecked("oanda", [fill]));
    expect(alone["DE30EUR"]).toEqual({ asset_class: expect.stringMatching(/instruments listing/), quote_currency: "EUR", tick_size: expect.stringMatching(TO_FILL) });
    expect(alone["XAUUSD"]).toMatchObject({ quote_currency: "USD" });
  });

  it("fix: SecurityType, MinPriceIncrement and Currency on a non-FX instrument; on EUR/USD, Currency 15=EUR is the dealt currency, not the quote", () => {
    const log = writeTemp("m.log", [
      fixFill("1", "SPX500", [["15", "USD"]]),
      fixFill("2", "AAPL", [["15", "USD"], ["167", "CS"], ["969", "0.01"]]),
      fixFill("3", "EUR/USD", [["15", "EUR"]]),
      fixFill("4", "XAU/USD", [["15", "XAU"], ["167", "FOR"]]),
    ].join("\n"));
    const o = importChecked("fix", [log]);
    const e = entriesOf(o);
    expect(e["SPX500"]).toEqual({ asset_class: expect.stringMatching(/SecurityType, 167/), quote_currency: "USD", tick_size: expect.stringMatching(/MinPriceIncrement, 969/) });
    expect(e["AAPL"]).toEqual({ asset_class: "equity", quote_currency: "USD", tick_size: 0.01 });
    expect(e["XAUUSD"]).toEqual({ asset_class: "fx", quote_currency: "USD", pip_size: expect.stringMatching(TO_FILL) });
    expect(instrumentsOf(o).defaultFx).toEqual(["EURUSD"]);
  });

  it("journal-sqlite: a journal names only symbols, so its entries are all to fill", () => {
    const journal = dbFrom(readFileSync(join(E2E, "journal-sqlite", "journal.sql"), "utf8").replaceAll("EURUSD", "TSLA"));
    const e = entriesOf(importChecked("journal-sqlite", [journal]));
    expect(Object.keys(e)).toContain("TSLA");
    for (const value of Object.values(e["TSLA"]!)) expect(value).toMatch(/^<to fill: .*an engine journal names only the symbol\)>$/);
  });
});

describe("the fragment in a replay", () => {
  const journal = (symbol: string) => writeTemp("journal.jsonl", [
    { type: "snapshot", ts: "2025-10-20T13:30:00Z", open_orders: [], positions: [] },
    { type: "decision", ts: "2025-10-20T13:30:01Z", decision_id: "D1", client_order_id: "C1", symbol, side: "buy", qty: "10", ref_price: "100" },
  ].map((x) => JSON.stringify(x)).join("\n") + "\n");
  const broker = writeTemp("broker.jsonl", [
    { type: "order_accepted", ts: "2025-10-20T13:30:02Z", event_id: "b1", client_order_id: "C1", broker_order_id: "B1", symbol: "X", side: "buy", qty: "10" },
    { type: "fill", ts: "2025-10-20T13:30:03Z", event_id: "b2", client_order_id: "C1", broker_order_id: "B1", symbol: "X", side: "buy", qty: "10", price: "100" },
  ].map((x) => JSON.stringify(x)).join("\n") + "\n");
  const brokerOf = (symbol: string) => writeTemp("broker.jsonl", readFileSync(broker, "utf8").replaceAll('"X"', JSON.stringify(symbol)));

  it("an unfinished entry is refused, naming the instrument and each field still to fill; filled, it replays", () => {
    const o = importChecked("ib", [join(BROKERS, "ib", "rust-ibapi", "place_order_MKT_BUY_100_TSLA__openOrder_orderStatus_execDetails_commissionReport.psv")], { tz: "America/New_York" });
    const fragment = JSON.parse(instrumentsOf(o).text) as { instruments: Entries };
    expect(() => resolveConfig(fragment)).toThrow(/config: "instruments\.TSLA" is not finished: "tick_size" still holds a placeholder \(<to fill: .*\): replace it with the instrument's value/);
    fragment.instruments["TSLA"]!["tick_size"] = 0.01;
    const config = writeTemp("config.json", JSON.stringify(fragment));
    expect(runReplay({ journal: journal("TSLA"), broker: brokerOf("TSLA"), out: join(tmp(), "out"), config }).exitCode).toBe(0);
  });

  it("the replay's unknown-instrument error offers an entry to paste and names import --instruments; pasted as it is, the loader asks for each field", () => {
    let message = "";
    try {
      runReplay({ journal: journal("AAPL"), broker: brokerOf("AAPL"), out: join(tmp(), "out") });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain('unknown instrument "AAPL"');
    expect(message).toContain("--instruments");
    const pasted = /Paste this entry there and replace each <\.\.\.>: (.*)$/.exec(message)?.[1];
    expect(pasted).toBeDefined();
    const config = JSON.parse(`{"instruments": {${pasted!}}}`) as { instruments: Entries };
    expect(() => resolveConfig(config)).toThrow(/"instruments\.AAPL" is not finished: "asset_class", "quote_currency", "tick_size" still hold placeholders/);
    Object.assign(config.instruments["AAPL"]!, { asset_class: "equity", quote_currency: "USD", tick_size: 0.01 });
    expect(runReplay({ journal: journal("AAPL"), broker: brokerOf("AAPL"), out: join(tmp(), "out"), config: writeTemp("config.json", JSON.stringify(config)) }).exitCode).toBe(0);
  });
});
