// The engines' database samples as a table, as for the brokers: for every sample, the journal
// records it imports (by kind), every row it skips with the reason, and what it counts apart. The
// databases are built from SQL written for this project in each engine's schema: the end-to-end
// nights (fixtures/e2e) and, on top of them, the rows an importer treats apart (fixtures/engines).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dbFrom, FREQTRADE_SQL, HUMMINGBOT_SQL, importChecked, ROOT } from "./helpers.js";

const edge = (name: string) => readFileSync(join(ROOT, "fixtures", "engines", name), "utf8");

interface Row {
  readonly sample: string;
  readonly source: "freqtrade" | "hummingbot";
  readonly sql: string;
  readonly records: Readonly<Record<string, number>>;
  readonly skipped: readonly string[];
  readonly ignored: Readonly<Record<string, number>>;
  readonly notes: number;
}

const OWN = "(the order's history: the exchange's side shows it)";
const FILLS = "(a fill as the bot saw it: the engine's view, not a decision)";

const TABLE: readonly Row[] = [
  { sample: "e2e/freqtrade/tradesv3.sql", source: "freqtrade", sql: FREQTRADE_SQL,
    records: { snapshot: 2, decision: 6, restart: 1 }, skipped: [], ignored: {}, notes: 1 },
  { sample: "engines/freqtrade-edge-cases.sql", source: "freqtrade", sql: `${FREQTRADE_SQL}\n${edge("freqtrade-edge-cases.sql")}`,
    records: { snapshot: 2, decision: 8, restart: 1 },
    skipped: [
      "orders:8: order not imported: expected ft_pair as ccxt writes it (BTC/USDT, ETH/USDT:USDT), got \"BTCUSDT\"",
      "orders:9: order not imported: expected ft_amount, a positive quantity in ten decimal places, got 0.30000000000000004",
      "orders:11: order not imported: expected order_date",
    ],
    ignored: {}, notes: 2 },
  { sample: "e2e/hummingbot/hummingbot.sql", source: "hummingbot", sql: HUMMINGBOT_SQL,
    records: { snapshot: 1, decision: 3 }, skipped: [], ignored: { [`OrderStatus row ${OWN}`]: 8, [`TradeFill row ${FILLS}`]: 2 }, notes: 1 },
  { sample: "engines/hummingbot-edge-cases.sql", source: "hummingbot", sql: `${HUMMINGBOT_SQL}\n${edge("hummingbot-edge-cases.sql")}`,
    records: { snapshot: 1, decision: 3 },
    skipped: [
      "Order:4: order m1: a market order, for which Hummingbot records no price (0); a decision needs the bot's reference price: not imported",
      "Order:5: order p1 on binance_perpetual: the database names the perpetual's pair (ETH-USDT) but not the currency it settles in, which makes it a different instrument: not imported",
      "Order:6: order not imported: expected a side (a BuyOrderCreated or SellOrderCreated status, or a fill of the order)",
    ],
    ignored: { [`OrderStatus row ${OWN}`]: 8, [`TradeFill row ${FILLS}`]: 2 }, notes: 1 },
];

describe("every engine database sample: what it imports, what it skips and why", () => {
  for (const row of TABLE) {
    it(row.sample, () => {
      const o = importChecked(row.source, [dbFrom(row.sql)]);
      const records: Record<string, number> = {};
      for (const line of o.finished.lines) {
        const type = (JSON.parse(line) as { type: string }).type;
        records[type] = (records[type] ?? 0) + 1;
      }
      expect({ records, skipped: o.report.problems, ignored: Object.fromEntries(o.report.ignored), notes: o.report.notes.length })
        .toEqual({ records: row.records, skipped: row.skipped, ignored: row.ignored, notes: row.notes });
    });
  }
});
