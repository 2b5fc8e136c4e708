// End to end for the engines people run: a freqtrade (and a Hummingbot) database and the exchange's
// ccxt records of the same night, imported and replayed. Healthy as they are; each planted fault
// (a fill missed while disconnected, an order placed by hand on the exchange, a fill the bot's
// database never recorded) is caught.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { instrumentsOf, type ImportOutcome } from "../../src/adapters/importers/run.js";
import { runReplay } from "../../src/run/replay.js";
import { dbFrom, E2E, FREQTRADE_SQL, HUMMINGBOT_SQL, importChecked, plantMissedFill, tmp, writeTemp } from "./helpers.js";

const freqtrade = (file: string) => join(E2E, "freqtrade", file);
const EXCHANGE_NIGHT = ["ccxt-markets.json", "ccxt-orders.json", "ccxt-trades.json"].map(freqtrade);

interface Finding {
  kind: string; ts: string; client_order_id: string | null; broker_order_id: string | null; symbol: string | null; detail: Record<string, unknown>;
}

/** The two imports written as the replay's inputs, with the config the exchange's records describe. */
function replay(journal: ImportOutcome, broker: ImportOutcome, brokerLines = broker.finished.lines, config?: string) {
  expect(journal.report.problems).toEqual([]);
  expect(broker.report.problems).toEqual([]);
  const dir = tmp();
  const jsonl = (lines: readonly string[]) => lines.map((l) => l + "\n").join("");
  const out = join(dir, "out");
  const r = runReplay({
    journal: writeTemp("journal.jsonl", jsonl(journal.finished.lines), dir), broker: writeTemp("broker.jsonl", jsonl(brokerLines), dir), out,
    config: config ?? writeTemp("instruments.json", instrumentsOf(broker).text, dir),
  });
  const report = JSON.parse(readFileSync(join(out, "reconcile-report.json"), "utf8")) as { findings: { items: Finding[] } };
  return { exitCode: r.exitCode, summary: readFileSync(join(out, "summary.txt"), "utf8"), findings: report.findings.items };
}

const night = (extra: readonly string[] = []) => ({
  journal: importChecked("freqtrade", [dbFrom(FREQTRADE_SQL)]),
  broker: importChecked("ccxt", [...EXCHANGE_NIGHT, ...extra.map(freqtrade)], { orderKey: "id" }),
});

describe("freqtrade + ccxt: last night's database against the exchange's records", () => {
  it("replays healthy: every order reconciled, the restart's snapshot agrees with the exchange, P&L in USDT net of fees", () => {
    const { journal, broker } = night();
    const r = replay(journal, broker);
    expect(r.exitCode).toBe(0);
    expect(r.summary).toMatch(/^reconcile_summary stale=0 orphan=0 drift=0\.0 cache_ok=true\n/);
    expect(r.summary).toContain("kill_switch=0\n");
    expect(r.summary).toContain("fills_caught_by_reconcile=0\n");
    expect(r.summary).toContain("orders_sent=6\n");
    expect(r.summary).toContain("realized_pnl=25.61\n");
  });

  it("a planted missed fill (the bot disconnected while it happened) is caught by reconciliation", () => {
    const { journal, broker } = night();
    const planted = plantMissedFill(broker.finished.lines);
    const r = replay(journal, broker, planted.lines);
    expect(r.summary).toContain("fills_caught_by_reconcile=1\n");
    expect(r.findings).toContainEqual(expect.objectContaining({ kind: "fill_caught_by_reconcile", broker_order_id: planted.order }));
    expect(r.summary).toMatch(/^reconcile_summary stale=0 orphan=0 drift=0\.0 cache_ok=true\n/);
  });

  // The first finding is the planted fault; the kill switch it engages then blocks the bot's later
  // orders, whose executions the exchange still shows, so more findings follow it.
  it("a planted order placed by hand on the exchange is an orphan and engages the kill switch", () => {
    const { journal, broker } = night(["planted-manual-order.json"]);
    const r = replay(journal, broker);
    expect(r.exitCode).toBe(3);
    expect(r.summary).toContain("kill_switch_reasons=orphan_broker_order,");
    expect(r.findings[0]).toMatchObject({ kind: "orphan_broker_order", client_order_id: "41009999", symbol: "BTCUSDT", detail: expect.objectContaining({ filled_qty: "0.005" }) });
  });

  it("a planted fill the bot never recorded (its cancelled exit had filled 0.2 ETH first) is drift at the restart", () => {
    const { journal, broker } = night(["planted-unseen-fill.json"]);
    const r = replay(journal, broker);
    expect(r.exitCode).toBe(3);
    expect(r.summary).toContain("kill_switch=1\n");
    expect(r.findings[0]).toMatchObject({
      kind: "position_drift", ts: "2025-10-20T05:00:00.000000Z", symbol: "ETHUSDT", detail: expect.objectContaining({ engine_qty: "0.4995", broker_qty: "0.2995" }),
    });
  });
});

describe("Hummingbot + ccxt", () => {
  it("the bot's orders, keyed by its own client order ids, replay healthy against the exchange's JSON Lines", () => {
    const journal = importChecked("hummingbot", [dbFrom(HUMMINGBOT_SQL)]);
    const broker = importChecked("ccxt", [join(E2E, "hummingbot", "ccxt-records.jsonl")]);
    const config = writeTemp("config.json", JSON.stringify({ instruments: { BTCUSDT: { asset_class: "crypto", quote_currency: "USDT", base_currency: "BTC", tick_size: 0.01 } } }));
    const r = replay(journal, broker, broker.finished.lines, config);
    expect(r.exitCode).toBe(0);
    expect(r.summary).toMatch(/^reconcile_summary stale=0 orphan=0 drift=0\.0 cache_ok=true\n/);
    expect(r.summary).toContain("orders_cancelled=1\n");
  });
});
