// Test-only helpers: artifact sets made by the real replay (healthy, unhealthy, hostile) and a large
// synthetic set written straight as artifact text (a million-event replay's worth of output).

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runReplay } from "../../src/run/replay.js";
import { TRADES_COLUMNS } from "../../src/artifacts/trades-csv.js";

export const HERE = new URL(".", import.meta.url).pathname;
export const ROOT = join(HERE, "..", "..");

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `recon-proof-report-${prefix}-`));
}

/** Replays a scenario folder (journal.jsonl, broker.jsonl, config.json) into parent/name. */
export function replayInto(scenario: string, parent: string, name: string): string {
  const out = join(parent, name);
  runReplay({
    journal: join(scenario, "journal.jsonl"),
    broker: join(scenario, "broker.jsonl"),
    config: join(scenario, "config.json"),
    out,
  });
  return out;
}

export const HEALTHY_SCENARIO = join(ROOT, "fixtures", "scenarios", "healthy");
export const UNHEALTHY_SCENARIO = join(HERE, "fixtures", "unhealthy");
/** Orders the broker rejected (two reasons), one it cancelled, and a cancel request for an order already filled. */
export const OUTCOMES_SCENARIO = join(HERE, "fixtures", "outcomes");

/** Strings that would run if the page ever put log text into markup unescaped. */
export const HOSTILE = {
  script: "<script>window.__pwned=1</script>",
  img: "\"><img src=x onerror=\"window.__pwned=1;alert(1)\">",
  imgBare: "<img src=x onerror=alert(1)>",
  svg: "<svg onload=window.__pwned=1>",
  formula: "=HYPERLINK(\"x\")",
} as const;

/** The unhealthy scenario's inputs written into `scenario`, with each id of `ids` in its logs replaced (as a JSON string). */
function unhealthyWithIds(scenario: string, ids: Readonly<Record<string, string>>): string {
  mkdirSync(scenario, { recursive: true });
  const q = (s: string): string => JSON.stringify(s);
  const swap = (line: string): string => Object.entries(ids).reduce((text, [from, to]) => text.replaceAll(q(from), q(to)), line);
  for (const f of ["journal.jsonl", "broker.jsonl"]) {
    const lines = readFileSync(join(UNHEALTHY_SCENARIO, f), "utf8").split("\n");
    writeFileSync(join(scenario, f), lines.map((l) => (l === "" ? l : swap(l))).join("\n"));
  }
  writeFileSync(join(scenario, "config.json"), readFileSync(join(UNHEALTHY_SCENARIO, "config.json")));
  return scenario;
}

/**
 * The unhealthy scenario with hostile client order ids and decision ids (through the real replay,
 * so they reach trades.csv and every table), then hostile text in the fields today's engine only
 * fills with its own words (a reason, a detail, a kill-switch reason, an input name): a future
 * engine, or a tampered artifact, must not be able to script the page either.
 */
export function hostileArtifacts(parent: string): string {
  const scenario = unhealthyWithIds(join(parent, "hostile-input"), {
    "AXFL::lsg::EURUSD::20251020080000::a7b3f9e1": HOSTILE.img,
    "AXFL::orb::GBPUSD::20251020101500::f00dfeed": HOSTILE.script,
    "MANUAL::desk::EURUSD::1": `${HOSTILE.formula},${HOSTILE.svg}`,
    "D-0004": HOSTILE.imgBare,
  });
  // The folder name is shown as the scenario name: it is hostile too.
  const out = replayInto(scenario, parent, HOSTILE.imgBare.replaceAll("/", ""));
  const path = join(out, "reconcile-report.json");
  const doc = JSON.parse(readFileSync(path, "utf8"));
  doc.kill_switch.reasons.push(HOSTILE.script);
  doc.staged_actions.items[0].reason = HOSTILE.img;
  doc.findings.items[0].detail.mismatch = HOSTILE.svg;
  doc.alerts.items[0].alert = HOSTILE.imgBare;
  doc.inputs.journal.name = HOSTILE.script;
  doc.positions.items[0].symbol = HOSTILE.img;
  writeFileSync(path, JSON.stringify(doc, null, 2) + "\n");
  return out;
}

/** Ids a person cannot read as they are: a formula guard lookalike, a bidi override, controls, a zero-width space. */
export const UNSEEN = {
  formula: "+SUM(A1)",
  quoted: "'=x",
  bidi: "C-\u202Egpj.exe",
  controls: "ESC\u001b[31mRED\u0007",
  zwsp: "D\u200B-0004",
} as const;

/** The unhealthy scenario with UNSEEN's ids in its logs (written as JSON escapes), and its artifacts. */
export function unseenIdsArtifacts(parent: string): { scenario: string; dir: string } {
  const scenario = unhealthyWithIds(join(parent, "unseen-ids-input"), {
    "AXFL::lsg::EURUSD::20251020080000::a7b3f9e1": UNSEEN.formula,
    "AXFL::lsg::USDJPY::20251020080500::b1c2d3e4": UNSEEN.quoted,
    "MANUAL::desk::EURUSD::1": UNSEEN.bidi,
    "AXFL::orb::GBPUSD::20251020101500::f00dfeed": UNSEEN.controls,
    "D-0004": UNSEEN.zwsp,
  });
  return { scenario, dir: replayInto(scenario, parent, "unseen-ids") };
}

// ---- large synthetic artifact set ------------------------------------------------------------

export interface LargeSpec {
  readonly trades: number;
  readonly runs: number;
  readonly findings: number;
  readonly alerts: number;
  readonly symbols: number;
}

/** A deterministic pseudo-random sequence (tests must not depend on Math.random). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const money = (cents: number): string => {
  const sign = cents < 0 ? "-" : "";
  const a = Math.abs(cents);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, "0")}`;
};

/**
 * Writes reconcile-report.json, trades.csv, summary.txt and metrics.txt for a long run: `trades`
 * fills over 20 days across `symbols` symbols, and lists as long as the engine's list cap allows.
 * Returns the folder and the expected realized P&L (sum of the rows' cents).
 */
export function writeLargeArtifacts(dir: string, spec: LargeSpec): { dir: string; pnl: string } {
  mkdirSync(dir, { recursive: true });
  const rnd = lcg(42);
  const t0 = Date.UTC(2025, 9, 1);
  const span = 20 * 24 * 3600 * 1000;
  const symbols = Array.from({ length: spec.symbols }, (_, i) => `SYM${String(i).padStart(2, "0")}USD`);
  const sessions = ["asia", "eu", "us", "overnight"];
  const perSymbol = new Map<string, number>();
  let totalCents = 0;
  const rows: string[] = [TRADES_COLUMNS.join(",")];
  for (let i = 0; i < spec.trades; i++) {
    const ms = t0 + Math.floor((i / spec.trades) * span);
    const sym = symbols[i % symbols.length]!;
    const cents = Math.round((rnd() - 0.48) * 20000);
    totalCents += cents;
    perSymbol.set(sym, (perSymbol.get(sym) ?? 0) + cents);
    const ts = new Date(ms).toISOString();
    const hour = new Date(ms).getUTCHours();
    const session = hour < 7 ? "asia" : hour < 13 ? "eu" : hour < 21 ? "us" : "overnight";
    rows.push([ts, `D-${i}`, `AXFL::syn::${sym}::${i}`, String(100000 + i), sym, i % 2 === 0 ? "buy" : "sell", "10000",
      "1.1", "1.1", (rnd() * 2).toFixed(1), session, "0.5", money(cents), i % 97 === 0 ? "reconcile" : "stream", "USD", "USD"].join(","));
  }
  writeFileSync(join(dir, "trades.csv"), rows.join("\n") + "\n");

  const iso = (k: number, n: number): string => new Date(t0 + Math.floor((k / n) * span)).toISOString();
  const zeroCounts = { stale_local_orders: 0, orphan_broker_orders: 0, drifting_symbols: 0, fills_caught: 0, stale_orders_cancelled: 0, in_flight_orders: 0, ambiguous_matches: 0 };
  const runs = Array.from({ length: spec.runs }, (_, k) => ({
    reconcile_id: `R${String(k + 1).padStart(5, "0")}`, ts: iso(k, spec.runs), trigger: k === 0 ? "startup" : "interval",
    status: k % 1000 === 999 ? "failed" : "ok", failure: k % 1000 === 999 ? "broker_unreachable" : null, duration_seconds: 0,
    counts: { ...zeroCounts, drifting_symbols: k % 50 === 0 && k > 0 ? 1 : 0, fills_caught: k % 37 === 0 ? 1 : 0 },
    max_drift_pips: "0.0", max_drift_units: k % 50 === 0 && k > 0 ? "1000" : "0",
  }));
  const severities = ["info", "warning", "critical"] as const;
  const findings = Array.from({ length: spec.findings }, (_, k) => ({
    finding_id: `F${String(k + 1).padStart(5, "0")}`, kind: k % 3 === 2 ? "position_drift" : "fill_caught_by_reconcile",
    severity: severities[k % 3]!, ts: iso(k, spec.findings), reconcile_id: `R${String((k % spec.runs) + 1).padStart(5, "0")}`,
    client_order_id: `AXFL::syn::${symbols[k % symbols.length]}::${k}`, broker_order_id: String(100000 + k), symbol: symbols[k % symbols.length]!,
    detail: { qty: "10000", price: "1.1" }, evidence: [`broker:${k * 3 + 1}`], related: [],
  }));
  const alerts = Array.from({ length: spec.alerts }, (_, k) => ({
    alert_id: `A${String(k + 1).padStart(5, "0")}`, alert: k % 2 === 0 ? "ALERT_RECONCILE_DIVERGENCE" : "ALERT_SLIPPAGE_PRESET_MISSING",
    ts: iso(k, spec.alerts), reconcile_id: k % 2 === 0 ? `R${String((k % spec.runs) + 1).padStart(5, "0")}` : null,
    decision_id: k % 2 === 0 ? null : `D-${k}`, counts: { drifting_symbols: 1 }, detail: { trigger: "interval" },
  }));
  const listCap = 10000;
  const capped = <T>(items: T[], total: number) => ({ items, omitted: Math.max(0, total - items.length) });
  const doc = {
    schema_version: 2, tool: "recon-proof",
    inputs: {
      journal: { name: "journal.jsonl", sha256: "a".repeat(64), lines: 400000 },
      broker: { name: "broker.jsonl", sha256: "b".repeat(64), lines: 600000 },
      config: null, config_hash: "c".repeat(64),
    },
    config: {
      sessions: sessions.map((name, i) => ({ name, start_hour: [0, 7, 13, 21][i], end_hour: [7, 13, 21, 24][i] })),
      slippage_presets: symbols.flatMap((s) => sessions.slice(0, 3).map((session) => ({ symbol: s, session, max_slippage_pips: 1.5 }))),
      drift_tolerance_units: 0, drift_tolerance_pips: 0.5, limits: { daily_loss_cap: 100000, symbol_caps: {} },
    },
    verdict: "manual_intervention_required",
    kill_switch: { engaged: true, engaged_at: iso(1, 2), reasons: ["position_drift", "broker_unreachable"] },
    totals: {
      stale: 0, orphan: 0, drift_pips: "0.0", drift_units: "1000", cache_ok: true, kill_switch: 1, duplicates_skipped: 12,
      duplicate_deliveries: 40, fills_caught_by_reconcile: Math.ceil(spec.trades / 97), stale_orders_cancelled: 0,
      blocked_decisions: 0, slippage_breaches: 1234, alerts: spec.alerts, realized_pnl: money(totalCents), fees_outside_pnl: {},
      orders_sent: spec.trades, orders_rejected: 0, orders_cancelled: 0, orders_expired: 0, fills: spec.trades, unreconciled_fills: 0, reconcile_runs: spec.runs,
      reconcile_failures: Math.floor(spec.runs / 1000), journal_records: 400000, broker_events: 600000,
    },
    cache: { ok: true, failure: null, entries_loaded: 0, entries_written: spec.trades, entries_purged: 0, live_entries: 1000, duplicates_skipped: 12 },
    reconcile_runs: capped(runs.slice(0, listCap), spec.runs),
    findings: capped(findings.slice(0, listCap), spec.findings),
    alerts: capped(alerts.slice(0, listCap), spec.alerts),
    staged_actions: capped([], 0), ambiguous_matches: capped([], 0), order_outcomes: capped([], 0), duplicate_decisions: capped([], 0),
    blocked_decisions: capped([], 0),
    positions: capped(symbols.map((s, i) => ({ symbol: s, engine_qty: String(i * 1000), engine_avg_price: "1.1", broker_qty: String(i * 1000 + (i === 3 ? 1000 : 0)), broker_avg_price: "1.1" })), symbols.length),
    realized_pnl_by_symbol: capped(symbols.map((s) => ({ symbol: s, realized_pnl: money(perSymbol.get(s) ?? 0) })), symbols.length),
    realized_pnl_by_currency: capped([{ currency: "USD", realized_pnl: money(totalCents) }], 1),
    instruments: capped(symbols.map((s) => ({ symbol: s, asset_class: "fx", quote_currency: "USD", base_currency: null, unit: "pips", unit_size: "0.0001" })), symbols.length),
    undescribed_instruments: capped([], 0),
    slippage: capped(symbols.flatMap((s) => sessions.map((session, j) => ({
      symbol: s, session, unit: "pips", fills: 1000, preset_max_pips: j < 3 ? "1.5" : null, preset_hits: j < 3 ? 1000 : 0, breaches: j === 3 ? 1000 : 0,
      mean_pips: "0.90", p50_pips: "0.9", p95_pips: "1.4", max_pips: j === 1 ? "1.2" : "1.9", limit_fills: 0, mean_limit_improvement_pips: null,
    }))), symbols.length * sessions.length),
    broker_limits: null,
  };
  writeFileSync(join(dir, "reconcile-report.json"), JSON.stringify(doc, null, 2) + "\n");
  writeFileSync(join(dir, "summary.txt"), `reconcile_summary stale=0 orphan=0 drift=0.0 cache_ok=true\nkill_switch=1\nrealized_pnl=${money(totalCents)}\n`);
  writeFileSync(join(dir, "metrics.txt"), "# synthetic\n");
  return { dir, pnl: money(totalCents) };
}
