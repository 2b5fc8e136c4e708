// Shared helpers for the importer tests: run an importer in process, validate its lines with the
// canonical parser, replay them into a temp folder.

import Database from "better-sqlite3";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lookUpInstrument } from "../../src/domain/instruments.js";
import { normalizeSymbol } from "../../src/domain/symbol.js";
import { expect } from "vitest";
import { describeImport, runImport, type ImportOutcome } from "../../src/adapters/importers/run.js";
import { runReplay } from "../../src/run/replay.js";
import { parseBrokerLine, parseJournalLine } from "../../src/domain/validate.js";
import { compareInstants, instantFromMs, parseInstant } from "../../src/domain/time.js";

export const ROOT = join(import.meta.dirname, "..", "..");
export const BROKERS = join(ROOT, "fixtures", "brokers");
export const E2E = join(ROOT, "fixtures", "e2e");

/** The engines' databases of the end-to-end fixtures, as SQL (written for this project in each engine's schema). */
export const FREQTRADE_SQL = readFileSync(join(E2E, "freqtrade", "tradesv3.sql"), "utf8");
export const HUMMINGBOT_SQL = readFileSync(join(E2E, "hummingbot", "hummingbot.sql"), "utf8");

export function tmp(): string {
  return mkdtempSync(join(tmpdir(), "recon-import-"));
}

/** Imports and checks the two promises every output makes: each line parses, ts never goes back. */
export function importChecked(source: string, files: string[], opts: { tz?: string; asOf?: string; orderKey?: string } = {}): ImportOutcome {
  const outcome = runImport({ source, files, ...opts });
  const parse = outcome.kind === "broker" ? parseBrokerLine : parseJournalLine;
  let prev: ReturnType<typeof parse> | undefined;
  outcome.finished.lines.forEach((line, i) => {
    const rec = parse(line, i + 1);
    if (prev !== undefined) expect(compareInstants(rec.ts, prev.ts), line).toBeGreaterThanOrEqual(0);
    prev = rec;
  });
  return outcome;
}

export function records(o: ImportOutcome): Record<string, unknown>[] {
  return o.finished.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** An SQLite database built from `sql`, in a temp folder. */
export function dbFrom(sql: string): string {
  const p = join(tmp(), "journal.db");
  const db = new Database(p);
  db.exec(sql);
  db.close();
  return p;
}

/** A FIX message with a correct BodyLength and CheckSum, rendered with `sep` for SOH. */
export function fixMessage(fields: [string, string][], sep = "|"): string {
  const body = fields.map(([k, v]) => `${k}=${v}\u0001`).join("");
  const msg = `8=FIX.4.4\u00019=${Buffer.byteLength(body)}\u0001${body}`;
  let sum = 0;
  for (const b of Buffer.from(msg)) sum = (sum + b) % 256;
  return (msg + `10=${String(sum).padStart(3, "0")}\u0001`).replaceAll("\u0001", sep);
}

export function writeTemp(name: string, text: string, dir = tmp()): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Writes the imported lines as a broker log and replays them against `journal`. */
/**
 * The config a user of these samples would write: the given one, plus an `instruments` entry for
 * every symbol that is not an FX pair (the equities and crypto of the US brokers' samples, priced
 * in USD to the cent), as the replay requires.
 */
function withInstruments(config: string | undefined, lines: readonly string[]): string {
  const base = config === undefined ? {} : JSON.parse(readFileSync(config, "utf8")) as Record<string, unknown>;
  const instruments: Record<string, unknown> = { ...(base["instruments"] as Record<string, unknown> | undefined ?? {}) };
  for (const line of lines) {
    const o = JSON.parse(line) as { symbol?: string; positions?: Array<{ symbol: string }>; open_orders?: Array<{ symbol: string }> };
    for (const raw of [o.symbol, ...(o.positions ?? []).map((p) => p.symbol), ...(o.open_orders ?? []).map((x) => x.symbol)]) {
      if (raw === undefined) continue;
      const symbol = normalizeSymbol(raw);
      if (instruments[symbol] === undefined && lookUpInstrument(symbol, new Map(), new Map()) === undefined) {
        instruments[symbol] = { asset_class: symbol.endsWith("USD") ? "crypto" : "equity", quote_currency: "USD", tick_size: 0.01 };
      }
    }
  }
  return writeTemp("config.json", JSON.stringify({ ...base, instruments }));
}

export function replayImported(o: ImportOutcome, journal: string, config?: string): { exitCode: number; summary: string; report: string } {
  const dir = tmp();
  const broker = writeTemp("broker.jsonl", o.finished.lines.map((l) => l + "\n").join(""), dir);
  const out = join(dir, "out");
  const journalLines = readFileSync(journal, "utf8").split("\n").filter((l) => l.trim() !== "");
  const r = runReplay({ journal, broker, out, config: withInstruments(config, [...o.finished.lines, ...journalLines]) });
  return { exitCode: r.exitCode, summary: readFileSync(join(out, "summary.txt"), "utf8"), report: readFileSync(join(out, "reconcile-report.json"), "utf8") };
}

/** A journal holding only an empty startup snapshot, at the broker log's first instant. */
export function emptyJournalFor(o: ImportOutcome): string {
  const first = o.finished.lines.length === 0 ? "2000-01-01T00:00:00Z" : (JSON.parse(o.finished.lines[0]!) as { ts: string }).ts;
  return writeTemp("journal.jsonl", JSON.stringify({ type: "snapshot", ts: first, open_orders: [], positions: [] }) + "\n");
}

/**
 * The samples span years; at the default 300 s cadence a replay would run a million reconciles.
 * A daily cadence keeps these tests fast without changing what they check.
 */
export function dailyConfig(): string {
  return writeTemp("config.json", JSON.stringify({ reconcile_interval_ms: 86_400_000 * 365 }));
}

export function describe_(o: ImportOutcome, strict = false): string {
  return describeImport("x", ["f"], o, strict).join("\n");
}

/** The log with the engine disconnected from its first fill until a second after it. */
export function plantMissedFill(lines: readonly string[]): { lines: string[]; order: string } {
  const at = lines.findIndex((l) => (JSON.parse(l) as { type: string }).type === "fill");
  const fill = JSON.parse(lines[at]!) as { ts: string; broker_order_id: string };
  const back = instantFromMs(parseInstant(fill.ts)!.ms + 1000).text;
  const planted = [...lines];
  planted.splice(at, 1, JSON.stringify({ type: "disconnect", ts: fill.ts, event_id: "planted:disconnect" }), lines[at]!,
    JSON.stringify({ type: "reconnect", ts: back, event_id: "planted:reconnect" }));
  return { lines: planted, order: fill.broker_order_id };
}
