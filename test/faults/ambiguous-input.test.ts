// Input that names one thing twice is refused, never resolved "last wins": a snapshot listing one
// symbol twice (also spelled USD_JPY and USDJPY), a limits snapshot capping one symbol twice, and any
// per-symbol table of the config (instruments too) naming one instrument twice (exit 2).

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseBrokerLine, parseJournalLine } from "../../src/domain/validate.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { configErrorOf, configFile, dataErrorOf } from "./helpers.js";

const pos = (symbol: string, qty: number) => ({ symbol, qty, avg_price: 150.1 });
const brokerSnapshot = (positions: object[]) =>
  JSON.stringify({ type: "position_snapshot", ts: "2025-10-20T06:59:00Z", event_id: "E0", positions });
const journalSnapshot = (positions: object[], openOrders: object[] = []) =>
  JSON.stringify({ type: "snapshot", ts: "2025-10-20T07:00:00Z", open_orders: openOrders, positions });
const order = (id: string) => ({ client_order_id: id, symbol: "EURUSD", side: "buy", qty: 1000, filled_qty: 0, ref_price: 1.1 });

describe("inputs naming one thing twice are bad input", () => {
  it("a broker snapshot listing a symbol twice, also as USD_JPY and USDJPY", () => {
    for (const positions of [[pos("USDJPY", 100), pos("USDJPY", 200)], [pos("USD_JPY", 100), pos("USDJPY", 200)]]) {
      const err = dataErrorOf(() => parseBrokerLine(brokerSnapshot(positions), 3));
      expect([err.line, err.field, err.expected]).toEqual([3, "positions[1].symbol", "each symbol once in a snapshot"]);
      expect(err.got).toContain("positions[0]");
    }
  });

  it("a journal snapshot listing a symbol twice, or one open order twice", () => {
    expect(dataErrorOf(() => parseJournalLine(journalSnapshot([pos("USD/JPY", 1), pos("USDJPY", 2)]), 1)).field).toBe("positions[1].symbol");
    expect(dataErrorOf(() => parseJournalLine(journalSnapshot([], [order("C1"), order("C1")]), 1)).field).toBe("open_orders[1].client_order_id");
  });

  it("a limits snapshot capping one symbol twice", () => {
    const line = JSON.stringify({ type: "limits_snapshot", ts: "2025-10-20T06:59:00Z", event_id: "E0", daily_loss_cap: 1000, symbol_caps: { EUR_USD: 100000, EURUSD: 1 } });
    const err = dataErrorOf(() => parseBrokerLine(line, 2));
    expect(err.field).toMatch(/^symbol_caps\.EUR(_)?USD$/);
    expect(err.expected).toBe("each symbol once in symbol_caps");
  });
});

describe("a config table naming one instrument twice is a config error", () => {
  const tables: Array<[string, string]> = [
    ["pip_sizes", `{"pip_sizes": {"USD_JPY": 0.01, "USDJPY": 0.001}}`],
    ["idempotency_ttl_ms_by_symbol", `{"idempotency_ttl_ms_by_symbol": {"BTC/USD": 60000, "BTCUSD": 120000}}`],
    ["limits.symbol_caps", `{"limits": {"daily_loss_cap": 100, "symbol_caps": {"EUR_USD": 100000, "EURUSD": 5}}}`],
    ["instruments", `{"instruments": {"BTC/USD": {"asset_class": "crypto", "quote_currency": "USD", "tick_size": 0.01},
      "BTCUSD": {"asset_class": "crypto", "quote_currency": "USD", "tick_size": 1}}}`],
  ];
  for (const [table, json] of tables) {
    it(`${table} naming one instrument in two spellings`, () => {
      const err = configErrorOf(configFile(json));
      expect(err.message).toContain(`"${table}"`);
      expect(err.message).toMatch(/twice/);
    });
  }

  it("a key given twice in the config file", () => {
    expect(configErrorOf(configFile(`{"reconcile_interval_ms": 60000, "reconcile_interval_ms": 1000}`)).message)
      .toContain(`"reconcile_interval_ms": expected each key once in an object`);
  });

  it("through the CLI: exit 2 and nothing written", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "config.json"), tables[0]![1]);
    writeFileSync(join(dir, "j.jsonl"), journalSnapshot([]) + "\n");
    writeFileSync(join(dir, "b.jsonl"), brokerSnapshot([]) + "\n");
    const r = runCli(["replay", "--journal", join(dir, "j.jsonl"), "--broker", join(dir, "b.jsonl"), "--config", join(dir, "config.json"), "--out", join(dir, "out")]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain("pip_sizes");
  });
});
