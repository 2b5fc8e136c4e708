// freqtrade's database (tradesv3.sqlite) → canonical journal; and the engines' databases as bad
// input or locked files. The databases are built from SQL written for this project in freqtrade's
// schema (fixtures/e2e/freqtrade/tradesv3.sql): no file of freqtrade is in the repository.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUSY_WAIT_ENV } from "../../src/adapters/sqlite-files.js";
import { runCli } from "../helpers/cli.js";
import { holdSqliteLock } from "../faults/helpers.js";
import { dbFrom, FREQTRADE_SQL, HUMMINGBOT_SQL, importChecked, records, tmp } from "./helpers.js";

describe("import freqtrade: decisions, snapshots and restarts from the bot's database", () => {
  it("one decision per order keyed by the exchange's order_id, an opening snapshot, and the restart at startup_time with what the bot held", () => {
    const r = records(importChecked("freqtrade", [dbFrom(FREQTRADE_SQL)]));
    expect(r.map((x) => `${String(x["type"])}@${String(x["ts"])}`)).toEqual([
      "snapshot@2025-10-20T00:55:00.000000Z", "decision@2025-10-20T01:00:00.000000Z", "decision@2025-10-20T03:00:00.000000Z",
      "decision@2025-10-20T04:00:00.000000Z", "decision@2025-10-20T04:20:00.000000Z", "restart@2025-10-20T05:00:00.000000Z",
      "snapshot@2025-10-20T05:00:00.000000Z", "decision@2025-10-20T06:00:00.000000Z", "decision@2025-10-20T07:00:00.000000Z",
    ]);
    expect(r[1]).toEqual({
      type: "decision", ts: "2025-10-20T01:00:00.000000Z", decision_id: "freqtrade:1:1", client_order_id: "41000001", symbol: "BTCUSDT",
      side: "buy", qty: "0.01", ref_price: "67000", strategy: "NightOwl", order_type: "limit", limit_price: "67000",
    });
    expect(r[3]).toMatchObject({ client_order_id: "41000003", symbol: "ETHUSDT", qty: "0.5", ref_price: "2500", order_type: "market" });
    // 0.5 ETH bought at 2501.2 with 0.0005 ETH of fee taken from it: 0.4995 held, at what 0.5 cost.
    expect(r[6]).toMatchObject({ positions: [{ symbol: "ETHUSDT", qty: "0.4995", avg_price: "2503.7037037037" }], open_orders: [] });
  });

  it("a restart while an order is open lists it among the open orders; a futures pair keeps its settlement suffix", () => {
    const sql = FREQTRADE_SQL.replace("'2025-10-20 05:00:00.000000', NULL, NULL)", "'2025-10-20 06:01:00.000000', NULL, NULL)")
      .replaceAll("'ETH/USDT'", "'ETH/USDT:USDT'");
    const r = records(importChecked("freqtrade", [dbFrom(sql)]));
    const restart = r.find((x) => x["type"] === "snapshot" && x["ts"] === "2025-10-20T06:01:00.000000Z")!;
    expect(restart["open_orders"]).toEqual([{ client_order_id: "41000005", symbol: "ETHUSDT.USDT", side: "sell", qty: "0.4995", filled_qty: "0", ref_price: "2550" }]);
    expect(restart["positions"]).toEqual([{ symbol: "ETHUSDT.USDT", qty: "0.4995", avg_price: "2503.7037037037" }]);
  });

  it("REAL numbers read as the shortest decimal that is the same double; a quantity that needs more than ten places is reported, not rounded", () => {
    const sql = FREQTRADE_SQL.replace("(1, 1, 'buy', 'BTC/USDT', 0, 0.01, 67000.0,", "(1, 1, 'buy', 'BTC/USDT', 0, 0.1 + 0.2, 67000.0,")
      .replace("(6, 3, 'buy', 'BTC/USDT', 1, 0.02, 66000.0,", "(6, 3, 'buy', 'BTC/USDT', 1, 0.02, 66000.00001234567,");
    const o = importChecked("freqtrade", [dbFrom(sql)]);
    expect(o.report.problems).toEqual(["orders:1: order not imported: expected ft_amount, a positive quantity in ten decimal places, got 0.30000000000000004"]);
    // The bot priced it at 66000.00001234567; the limit it placed, at the exchange's precision, is 66000.
    expect(records(o).find((x) => x["client_order_id"] === "41000006")).toMatchObject({ ref_price: "66000.0000123457", limit_price: "66000" });
    expect(o.report.notes).toContain("prices with more decimal places than the replay keeps (ten) rounded to ten: freqtrade stores doubles");
  });
});

describe("the engines' databases: another schema, a locked file, not a database", () => {
  const cli = (source: string, path: string, env: Record<string, string> = {}) => runCli(["import", source, path], env);

  it("a database of another schema is exit 65 naming what was expected and the tables found, with nothing on stdout", () => {
    const humming = cli("freqtrade", dbFrom(HUMMINGBOT_SQL));
    expect(humming.status).toBe(65);
    expect(humming.stdout).toBe("");
    expect(humming.stderr).toContain("expected a freqtrade database (tradesv3.sqlite) with an orders table (id, ft_trade_id, ft_order_side, ft_pair, ft_amount, ft_price, order_id, status, side, order_date); this database has tables Order, OrderStatus, TradeFill, a schema the importer does not know");
    const freq = cli("hummingbot", dbFrom(FREQTRADE_SQL));
    expect(freq.status).toBe(65);
    expect(freq.stderr).toContain("expected a Hummingbot database with an Order table");
    const old = cli("freqtrade", dbFrom(`${FREQTRADE_SQL}\nALTER TABLE orders DROP COLUMN ft_amount; ALTER TABLE orders DROP COLUMN ft_price;`));
    expect(old.status).toBe(65);
    expect(old.stderr).toContain("missing ft_amount, ft_price — a schema the importer does not know");
  });

  it("not a database is exit 65; a missing file exit 74", () => {
    const path = join(tmp(), "tradesv3.sqlite");
    writeFileSync(path, "not an sqlite file ".repeat(200));
    const r = cli("freqtrade", path);
    expect(r.status).toBe(65);
    expect(r.stderr).toContain("expected an SQLite database");
    expect(cli("hummingbot", join(tmp(), "no-such.sqlite")).status).toBe(74);
  });

  it("a database the bot holds locked past sqlite_busy_wait_ms: exit 74 naming the lock, nothing on stdout", async () => {
    const path = dbFrom(FREQTRADE_SQL);
    const holder = await holdSqliteLock(path, "BEGIN EXCLUSIVE; SELECT COUNT(*) FROM orders");
    try {
      const r = cli("freqtrade", path, { [BUSY_WAIT_ENV]: "300" });
      expect(r.status, r.stderr).toBe(74);
      expect(r.stderr).toContain(`cannot read freqtrade database ${path}: SQLite's lock on it is held by another process (pid ${holder.pid})`);
      expect(r.stdout).toBe("");
    } finally {
      await holder.release();
    }
  });

  it("one database only, and --tz does not apply (freqtrade writes UTC; Hummingbot epoch milliseconds): exit 2", () => {
    const path = dbFrom(FREQTRADE_SQL);
    expect(runCli(["import", "freqtrade", path, path]).status).toBe(2);
    expect(runCli(["import", "freqtrade", "--tz", "UTC", path]).status).toBe(2);
  });
});
