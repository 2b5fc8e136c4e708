// Shared pieces of the importers: where a source record sits, what the importer did with it, exact
// decimals and UTC timestamps, and the last step every importer ends with (validate with the
// canonical parsers, drop exact duplicates, sort stably by event time).
//
// The importers are pure: they take an iterable of source items (already read and split by the
// shell) and return canonical records plus a report. No clock, no randomness, no I/O here.

import { plural } from "../../text/plural.js";
import { createHash } from "node:crypto";
import { type Dec, parseDec, toPlain, sign, neg, SCALE_DIGITS } from "../../domain/decimal.js";
import { assert, DataError } from "../../domain/errors.js";
import { normalizeSymbol } from "../../domain/symbol.js";
import { compareInstants, type Instant, parseInputInstant, parseInstant } from "../../domain/time.js";
import { decimalOfJsonNumber, JsonNumber } from "../../domain/json-text.js";
import { canonicalJson, parseBrokerLine, parseJournalLine } from "../../domain/validate.js";
import type { InstrumentFacts } from "./instruments.js";

/** Where a source record came from: "file:line", optionally the item of an array or a message on the line. */
export interface Pos {
  readonly file: string;
  readonly line: number;
  /** 0-based item of a top-level JSON array, or message on a line holding several. */
  readonly item?: number;
}

export function where(pos: Pos): string {
  return `${pos.file}:${pos.line}` + (pos.item === undefined ? "" : ` (item ${pos.item + 1})`);
}

/** One canonical output record, before sorting. `fields` are in output key order. */
export interface OutRecord {
  readonly ts: string;
  readonly fields: Record<string, unknown>;
  readonly pos: Pos;
  /** The broker's own order of its records (see BrokerSeq), where the source has one. */
  seq?: BrokerSeq | undefined;
}

/**
 * A broker's sequence number for a record: OANDA's transaction id, FIX MsgSeqNum, IB's execution
 * id. Numbers compare only within one scope (an account, a FIX session). Records of one instant are
 * put in this order, whatever file or line they came from.
 */
export interface BrokerSeq {
  readonly scope: string;
  readonly n: bigint;
}

export { isObject, type Json } from "../../domain/json.js";

/**
 * What an importer did besides emitting records. `problems` are records skipped or altered (each
 * with its position and reason): reported on stderr and, under --strict, an error. `ignored` counts
 * records that carry nothing to import by design (heartbeats, prices, session messages).
 */
export class ImportReport {
  readonly problems: string[] = [];
  readonly notes: string[] = [];
  private readonly ignoredByKind = new Map<string, number>();

  problem(pos: Pos | undefined, reason: string): void {
    this.problems.push(pos === undefined ? reason : `${where(pos)}: ${reason}`);
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  ignore(kind: string): void {
    this.ignoredByKind.set(kind, (this.ignoredByKind.get(kind) ?? 0) + 1);
  }

  get ignored(): ReadonlyArray<readonly [string, number]> {
    return [...this.ignoredByKind].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  get ignoredTotal(): number {
    let n = 0;
    for (const count of this.ignoredByKind.values()) n += count;
    return n;
  }
}

// ---------------------------------------------------------------- values

/**
 * A decimal from a JSON number or a decimal string, exactly; undefined when it is neither. Unlike
 * the canonical logs, a broker's own export may pad a number (" 1000" in a fixed-width column or a
 * hand-saved CSV), so white space around it is dropped here; the canonical output writes the plain
 * decimal, and the replay reads nothing but the decimal.
 */
export function decOf(value: unknown): Dec | undefined {
  if (typeof value === "string") return parseDec(value.trim());
  return decimalOfJsonNumber(value);
}

/**
 * For derived figures only (an average entry price): more fractional digits than the replay keeps
 * (SCALE_DIGITS) are rounded half away from zero, and `rounded` says so. Executions are never rounded.
 */
export function decOfRounded(value: unknown): { dec: Dec; rounded: boolean } | undefined {
  const exact = decOf(value);
  if (exact !== undefined) return { dec: exact, rounded: false };
  const text = typeof value === "number" || value instanceof JsonNumber ? String(value) : typeof value === "string" ? value.trim() : "";
  const m = /^([+-]?)(\d+)\.(\d+)$/.exec(text);
  if (m === null) return undefined;
  const frac = m[3]!;
  const kept = BigInt(m[2]! + frac.slice(0, SCALE_DIGITS));
  const roundUp = Number(frac[SCALE_DIGITS] ?? "0") >= 5 ? 1n : 0n;
  const units = (kept + roundUp) * (m[1] === "-" ? -1n : 1n);
  return { dec: units as Dec, rounded: true };
}

export function contentId(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, 16);
}

/**
 * The event id of a position snapshot: what it holds and when it was taken. The same book polled
 * twice is two snapshots (two ids); the same poll imported twice is one (a duplicate delivery).
 */
export function snapshotEventId(prefix: string, positions: unknown, ts: string): string {
  return `${prefix}:${contentId(positions)}@${ts}`;
}

export function decText(d: Dec): string {
  return toPlain(d);
}

export function absDec(d: Dec): Dec {
  return sign(d) < 0 ? neg(d) : d;
}

/** A non-empty string field, or undefined. Numbers (some APIs send ids as numbers) become text. */
export function str(value: unknown): string | undefined {
  if (typeof value === "string") return value.trim() === "" ? undefined : value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (value instanceof JsonNumber) return value.text;
  return undefined;
}

/** One order of a replace chain: its own client order id, and the order it replaced. */
export interface ChainLink {
  readonly coid: string | undefined;
  readonly parent: string | undefined;
}

/**
 * The engine's key for an order: a replacement keeps the client order id of the order it replaces,
 * so the key is the client id nearest the root of the chain. Walks from `orderId` to the root,
 * stopping at an order the input does not know (`linkOf` gives undefined) or one seen already.
 */
export function rootClientId(orderId: string, linkOf: (id: string) => ChainLink | undefined): string | undefined {
  let coid: string | undefined;
  const seen = new Set<string>();
  for (let id: string | undefined = orderId; id !== undefined && !seen.has(id); ) {
    seen.add(id);
    const link = linkOf(id);
    if (link === undefined) break;
    coid = link.coid ?? coid;
    id = link.parent;
  }
  return coid;
}

export function symbolOf(raw: string): string {
  return normalizeSymbol(raw.trim());
}

/** RFC 3339 as sources write it: `T`, `t` or a space; `Z`, `z`, `+02:00` or `+0200`. */
const RFC3339_AS_WRITTEN = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(?:[Zz]|([+-]\d{2}):?(\d{2}))$/;

/**
 * An RFC 3339 timestamp with any offset, as UTC with `Z`: the replay's own reading of an input
 * time (parseInputInstant), after the spellings sources use are brought to its form. The fractional
 * digits are carried over verbatim (never through a Date, which keeps only milliseconds).
 */
export function toUtc(text: string): string | undefined {
  const m = RFC3339_AS_WRITTEN.exec(text.trim());
  if (m === null) return undefined;
  const zone = m[3] === undefined ? "Z" : `${m[3]}:${m[4]}`;
  return parseInputInstant(`${m[1]}T${m[2]}${zone}`)?.text;
}

export function instantOf(ts: string): Instant {
  const i = parseInstant(ts);
  if (i === undefined) throw new Error(`invariant: importer produced a malformed timestamp ${ts}`);
  return i;
}

// ---------------------------------------------------------------- the common last step

export interface Finished {
  /** Canonical JSONL lines, non-decreasing in ts, each accepted by the canonical parser. */
  readonly lines: string[];
  /** How many records were not in time order in the source (the output is sorted stably). */
  readonly outOfOrder: number;
  readonly duplicatesDropped: number;
}

/**
 * Validates every record with the canonical parser (a record the parser refuses is dropped and
 * reported against its source position, never written), drops exact duplicates (the same event
 * delivered twice), and sorts stably by event time: ties follow the broker's sequence where the
 * records carry one (orderTiesBySequence), else source order.
 */
export function finishRecords(records: readonly OutRecord[], kind: "broker" | "journal", report: ImportReport): Finished {
  const parse = kind === "broker" ? parseBrokerLine : parseJournalLine;
  const seen = new Map<string, string>();
  const kept: { rec: OutRecord; text: string; at: Instant; seq: number }[] = [];
  let duplicates = 0;
  let refused = 0;
  records.forEach((rec, seq) => {
    const text = JSON.stringify(rec.fields);
    try {
      parse(text, seq + 1);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      refused += 1;
      report.problem(rec.pos, `not imported: field "${err.field}": expected ${err.expected}` + (err.got === undefined ? "" : `, got ${err.got}`));
      return;
    }
    const id = typeof rec.fields["event_id"] === "string" ? (rec.fields["event_id"] as string) : undefined;
    if (id !== undefined) {
      const canon = canonicalJson(rec.fields);
      const first = seen.get(id);
      if (first === canon) {
        duplicates += 1;
        return;
      }
      if (first === undefined) seen.set(id, canon);
    }
    kept.push({ rec, text, at: instantOf(rec.ts), seq });
  });
  let outOfOrder = 0;
  for (let i = 1; i < kept.length; i += 1) {
    if (compareInstants(kept[i]!.at, kept[i - 1]!.at) < 0) outOfOrder += 1;
  }
  assert(kept.length + duplicates + refused === records.length, "every record is written, dropped as an exact duplicate, or refused and reported");
  kept.sort((a, b) => compareInstants(a.at, b.at) || a.seq - b.seq);
  orderTiesBySequence(kept);
  if (duplicates > 0) report.note(`${plural(duplicates, "exact duplicate record")} dropped (same event_id, same content)`);
  return { lines: kept.map((k) => k.text), outOfOrder, duplicatesDropped: duplicates };
}

/**
 * Within each run of records of one instant, the records that carry a broker sequence of one scope
 * trade places so that they follow it; the others keep their places (source order). A comparator
 * could not do this: a record without a sequence would make the order depend on the sort's path.
 */
function orderTiesBySequence(kept: { rec: OutRecord; at: Instant }[]): void {
  for (let start = 0; start < kept.length; ) {
    let end = start + 1;
    while (end < kept.length && compareInstants(kept[end]!.at, kept[start]!.at) === 0) end += 1;
    const slotsByScope = new Map<string, number[]>();
    for (let i = start; i < end; i += 1) {
      const scope = kept[i]!.rec.seq?.scope;
      if (scope === undefined) continue;
      const slots = slotsByScope.get(scope) ?? [];
      slots.push(i);
      slotsByScope.set(scope, slots);
    }
    for (const slots of slotsByScope.values()) {
      const inOrder = slots.map((i) => kept[i]!).sort((a, b) => {
        const [x, y] = [a.rec.seq!.n, b.rec.seq!.n];
        return x < y ? -1 : x > y ? 1 : 0;
      });
      slots.forEach((slot, k) => (kept[slot] = inOrder[k]!));
    }
    start = end;
  }
}

/** The common tail of every importer's options. */
export interface ImportOptions {
  /** IANA zone for source times that carry none (IB TWS, naive journal times). */
  readonly tz?: string | undefined;
  /** RFC 3339 time for listings that carry none (open positions, open trades). */
  readonly asOf?: string | undefined;
}

export interface ImportResult {
  readonly records: OutRecord[];
  readonly report: ImportReport;
  /** What the source states about the instruments it names (for --instruments). */
  readonly instruments?: InstrumentFacts | undefined;
}
