// An engine's SQLite journal → canonical journal records (decisions, restarts, startup snapshots).
//
// Known schema (the journaled broker mirror of live engines):
//   broker_orders(order_id, client_tag UNIQUE, symbol, side 'long'|'short', units, entry, sl, tp,
//                 status 'open'|'closed', opened_at, closed_at, extra JSON)
//   axfl_trades(axfl_id, symbol, strategy, side, entry, sl, tp, r, pnl, opened_at, closed_at, extra)
//   map(axfl_id, order_id)            events(id, ts, level, kind, payload)
// Each broker_orders row is an order the engine sent: one `decision` at opened_at (client_order_id
// = client_tag, decision_id = the mapped axfl_id, else the broker order id; strategy from the
// mapped trade, else from the tag AXFL::strategy::...). The journal starts with a `snapshot` of the
// positions its rows say were open at that moment; each engine start logged in `events` becomes a
// `restart` followed by such a snapshot. Closing orders are not in this schema (no client id is
// kept for them), so a close appears in a replay only from the broker's side.
//
// The reading is split: `readJournalDb` (the shell: SQLite, read-only, sqlite-tables.ts) returns
// plain rows, and `journalFromRows` (pure) turns them into records.

import { type Dec, add, div, isZero, mul, neg, sign, ZERO } from "../../domain/decimal.js";
import { DataError } from "../../domain/errors.js";
import { decOf, decText, ImportReport, type ImportOptions, type ImportResult, type OutRecord, type Pos, toUtc } from "./common.js";
import { wallToUtc } from "./tz.js";
import { readTables, type Row } from "./sqlite-tables.js";

export type { Row };

export interface JournalTables {
  readonly brokerOrders: readonly Row[];
  readonly trades: readonly Row[];
  readonly map: readonly Row[];
  readonly events: readonly Row[];
}

/** Columns each known table must have; a database without them is a schema we do not know. */
export const REQUIRED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  broker_orders: ["order_id", "client_tag", "symbol", "side", "units", "entry", "status", "opened_at", "closed_at"],
  axfl_trades: ["axfl_id", "symbol", "strategy", "side", "opened_at"],
  map: ["axfl_id", "order_id"],
  events: ["id", "ts", "kind"],
};
/** Event kinds that mark an engine (re)start in this schema's `events` table. */
export const START_KINDS = new Set(["start", "startup", "restart", "engine_start", "engine_restart", "on_start", "reconcile_start"]);

/** The shell half: opens the database read-only and reads the four tables (rowid order). */
export function readJournalDb(path: string): JournalTables {
  const t = readTables(path, {
    what: "journal database",
    expected: "an engine journal with a broker_orders table",
    tables: Object.entries(REQUIRED_COLUMNS).map(([name, columns], i) => ({ name, columns, optional: i > 0 })),
  });
  return { brokerOrders: t["broker_orders"]!, trades: t["axfl_trades"]!, map: t["map"]!, events: t["events"]! };
}

interface Opened {
  readonly ts: string;
  readonly closedTs: string | undefined;
  readonly symbol: string;
  readonly qty: Dec; // signed
  readonly price: Dec;
}

class JournalBuilder {
  readonly report = new ImportReport();

  constructor(private readonly file: string, private readonly opts: ImportOptions) {}

  /** Journal times are ISO strings; one without an offset is read in --tz, never guessed. */
  time(value: unknown, pos: Pos, field: string): string | undefined {
    if (typeof value !== "string" || value.trim() === "") return undefined;
    const zoned = toUtc(value);
    if (zoned !== undefined) return zoned;
    const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?$/.exec(value.trim());
    if (m === null) {
      throw new DataError(this.file, pos.line, field, "an ISO 8601 timestamp such as 2025-10-20T14:30:22.123456+00:00", JSON.stringify(value));
    }
    if (this.opts.tz === undefined) {
      throw new DataError(this.file, pos.line, field, "a timestamp with a zone offset, or --tz naming the zone the engine wrote it in (the importer does not guess)", JSON.stringify(value));
    }
    const w = { y: Number(m[1]), mo: Number(m[2]), d: Number(m[3]), h: Number(m[4]), mi: Number(m[5]), s: Number(m[6]) };
    const r = wallToUtc(w, this.opts.tz);
    if (!("ms" in r)) throw new DataError(this.file, pos.line, field, `a time that exists exactly once in ${this.opts.tz}`, JSON.stringify(value));
    return new Date(r.ms).toISOString().slice(0, 19) + (m[7] ?? "") + "Z";
  }

  build(t: JournalTables): ImportResult {
    const strategyOf = new Map<string, string>();
    for (const tr of t.trades) {
      if (typeof tr["axfl_id"] === "string" && typeof tr["strategy"] === "string") strategyOf.set(tr["axfl_id"], tr["strategy"]);
    }
    const axflOf = new Map<string, string>();
    for (const m of t.map) axflOf.set(String(m["order_id"]), String(m["axfl_id"]));
    const records: OutRecord[] = [];
    const opened: Opened[] = [];
    let closedNotes = 0;
    for (const row of t.brokerOrders) {
      const pos: Pos = { file: `${this.file} broker_orders rowid`, line: Number(row["_rowid"]) };
      const at = (f: string) => this.time(row[f], pos, `broker_orders.${f}`);
      const orderId = row["order_id"] === null || row["order_id"] === undefined ? undefined : String(row["order_id"]);
      const tag = typeof row["client_tag"] === "string" && row["client_tag"] !== "" ? row["client_tag"] : undefined;
      const units = decOf(row["units"]);
      const entry = decOf(row["entry"]);
      const side = row["side"] === "long" || row["side"] === "buy" ? "buy" : row["side"] === "short" || row["side"] === "sell" ? "sell" : undefined;
      const ts = at("opened_at");
      if (orderId === undefined || tag === undefined || units === undefined || isZero(units) || entry === undefined || side === undefined || ts === undefined || typeof row["symbol"] !== "string") {
        this.report.problem(pos, "broker_orders row not imported: expected order_id, client_tag, symbol, side 'long'|'short', non-zero units, entry and opened_at");
        continue;
      }
      const axfl = axflOf.get(orderId);
      const strategy = (axfl === undefined ? undefined : strategyOf.get(axfl)) ?? /^AXFL::([^:]+)::/.exec(tag)?.[1];
      const qty = sign(units) < 0 ? neg(units) : units;
      records.push({ ts, pos, fields: {
        type: "decision", ts, decision_id: axfl ?? `order:${orderId}`, client_order_id: tag, symbol: row["symbol"], side,
        qty: decText(qty), ref_price: decText(entry), ...(strategy === undefined ? {} : { strategy }), broker_order_id: orderId,
      } });
      const closedTs = at("closed_at");
      if (row["status"] === "closed" || closedTs !== undefined) closedNotes += 1;
      opened.push({ ts, closedTs, symbol: String(row["symbol"]), qty: side === "buy" ? qty : neg(qty), price: entry });
    }
    if (closedNotes > 0) {
      this.report.note(`${closedNotes} closed order(s): this schema keeps no client id for closing orders, so closes are not decisions; the replay sees them from the broker's side`);
    }
    const starts: { ts: string; reason: string; pos: Pos }[] = [];
    for (const ev of t.events) {
      const kind = typeof ev["kind"] === "string" ? ev["kind"].toLowerCase() : "";
      if (!START_KINDS.has(kind)) {
        this.report.ignore(`events row (${kind || "no kind"})`);
        continue;
      }
      const pos: Pos = { file: `${this.file} events rowid`, line: Number(ev["_rowid"]) };
      const ts = this.time(ev["ts"], pos, "events.ts");
      if (ts !== undefined) starts.push({ ts, reason: String(ev["kind"]), pos });
    }
    const first = [...records.map((r) => r.ts), ...starts.map((s) => s.ts)].sort(compareTs)[0];
    if (first === undefined) {
      this.report.problem(undefined, `${this.file}: no decisions found (broker_orders is empty)`);
      return { records: [], report: this.report };
    }
    // The journal opens with what the engine believed at its first moment: nothing, unless a start
    // event comes first, in which case that start's snapshot serves.
    const out: OutRecord[] = [];
    const startsSorted = [...starts].sort((a, b) => compareTs(a.ts, b.ts));
    if (startsSorted.length === 0 || compareTs(startsSorted[0]!.ts, first) > 0) {
      out.push(this.snapshot(first, opened, { file: this.file, line: 0 }));
    }
    startsSorted.forEach((s, i) => {
      if (i > 0 || out.length > 0) out.push({ ts: s.ts, pos: s.pos, fields: { type: "restart", ts: s.ts, reason: s.reason } });
      out.push(this.snapshot(s.ts, opened, s.pos));
    });
    // Decisions at the same instant as a snapshot come after it (the snapshot is the state before).
    return { records: [...out, ...records], report: this.report };
  }

  /** Positions the journal says were open at `ts` (opened before it, not closed by it). */
  private snapshot(ts: string, opened: readonly Opened[], pos: Pos): OutRecord {
    const bySymbol = new Map<string, { qty: Dec; cost: Dec }>();
    for (const o of opened) {
      if (compareTs(o.ts, ts) >= 0) continue;
      if (o.closedTs !== undefined && compareTs(o.closedTs, ts) <= 0) continue;
      const acc = bySymbol.get(o.symbol) ?? { qty: ZERO, cost: ZERO };
      bySymbol.set(o.symbol, { qty: add(acc.qty, o.qty), cost: add(acc.cost, mul(o.qty, o.price)) });
    }
    const positions = [...bySymbol].sort(([a], [b]) => (a < b ? -1 : 1)).filter(([, v]) => !isZero(v.qty))
      .map(([symbol, v]) => ({ symbol, qty: decText(v.qty), avg_price: decText(absD(div(v.cost, v.qty))) }));
    return { ts, pos, fields: { type: "snapshot", ts, open_orders: [], positions } };
  }
}

function absD(d: Dec): Dec {
  return sign(d) < 0 ? neg(d) : d;
}

function compareTs(a: string, b: string): number {
  // Both are RFC 3339 UTC from toUtc: pad the fraction so text order is time order.
  const pad = (s: string) => s.replace(/(\d{2}:\d{2}:\d{2})(\.\d+)?Z$/, (_m, hms: string, frac: string | undefined) => hms + (frac ?? ".").padEnd(10, "0"));
  const x = pad(a);
  const y = pad(b);
  return x < y ? -1 : x > y ? 1 : 0;
}


/** Pure: journal tables in, canonical journal records and a report out. */
export function journalFromRows(tables: JournalTables, file: string, opts: ImportOptions = {}): ImportResult {
  return new JournalBuilder(file, opts).build(tables);
}

