// Engine SQLite journals → canonical journal.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError } from "../../src/domain/errors.js";
import { dbFrom, E2E, importChecked, records } from "./helpers.js";

const SQL = readFileSync(join(E2E, "journal-sqlite", "journal.sql"), "utf8");

describe("journal-sqlite importer", () => {
  it("turns broker_orders into decisions (axfl_id, strategy via map) with a startup snapshot and restart snapshots", () => {
    const r = records(importChecked("journal-sqlite", [dbFrom(SQL)]));
    expect(r.map((x) => x["type"])).toEqual(["snapshot", "decision", "restart", "snapshot", "decision"]);
    expect(r[0]).toMatchObject({ ts: "2025-10-20T07:59:00Z", positions: [] });
    expect(r[1]).toMatchObject({ ts: "2025-10-20T08:00:00.000000Z", decision_id: "T-0001", client_order_id: "AXFL::lsg::EURUSD::20251020080000::11111111", side: "buy", qty: "10000", ref_price: "1.08502", strategy: "lsg" });
    expect(r[3]).toMatchObject({ ts: "2025-10-20T11:00:00Z", positions: [{ symbol: "EURUSD", qty: "10000", avg_price: "1.08502" }] });
    expect(r[4]).toMatchObject({ decision_id: "order:6002", side: "sell", qty: "5000", strategy: "orb" });
  });

  it("an unknown schema is a clear data error naming the tables found", () => {
    const p = dbFrom("CREATE TABLE trades (id INTEGER, px REAL);");
    expect(() => importChecked("journal-sqlite", [p])).toThrow(DataError);
    expect(() => importChecked("journal-sqlite", [p])).toThrow(/broker_orders table .*this database has tables trades, a schema the importer does not know/);
    const q = dbFrom("CREATE TABLE broker_orders (order_id TEXT, symbol TEXT);");
    expect(() => importChecked("journal-sqlite", [q])).toThrow(/missing client_tag, side, units, entry, status, opened_at, closed_at/);
  });

  it("a naive journal time needs --tz, and with it is converted to UTC", () => {
    const naive = SQL.replaceAll("+00:00", "");
    expect(() => importChecked("journal-sqlite", [dbFrom(naive)])).toThrow(/a timestamp with a zone offset, or --tz/);
    const r = records(importChecked("journal-sqlite", [dbFrom(naive)], { tz: "Europe/London" }));
    expect(r.find((x) => x["type"] === "decision")!["ts"]).toBe("2025-10-20T07:00:00.000000Z");
  });
});
