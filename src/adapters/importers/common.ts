// Shared pieces of the importers: where a source record sits, what the importer did with it, exact
// decimals and UTC timestamps, and the last step every importer ends with (validate with the
// canonical parsers, drop exact duplicates, sort stably by event time).
//
// The importers are pure: they take an iterable of source items (already read and split by the
// shell) and return canonical records plus a report. No clock, no randomness, no I/O here.

import { plural } from "../../report/plural.js";
import { createHash } from "node:crypto";
import { type Dec, parseDec, decFromNumber, toPlain, sign, neg, SCALE_DIGITS } from "../../domain/decimal.js";
import { DataError } from "../../domain/errors.js";
import { normalizeSymbol } from "../../domain/symbol.js";
import { compareInstants, type Instant, parseInstant } from "../../domain/time.js";
import { canonicalJson, parseBrokerLine, parseJournalLine } from "../../domain/validate.js";

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

/** A decimal from a JSON number or a decimal string, exactly; undefined when it is neither. */
export function decOf(value: unknown): Dec | undefined {
  if (typeof value === "number") return decFromNumber(value);
  if (typeof value === "string") return parseDec(value.trim());
  return undefined;
}

/**
 * For derived figures only (an average entry price): more fractional digits than the replay keeps
 * (SCALE_DIGITS) are rounded half away from zero, and `rounded` says so. Executions are never rounded.
 */
export function decOfRounded(value: unknown): { dec: Dec; rounded: boolean } | undefined {
  const exact = decOf(value);
  if (exact !== undefined) return { dec: exact, rounded: false };
  const text = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : "";
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
  return undefined;
}

export function symbolOf(raw: string): string {
  return normalizeSymbol(raw.trim());
}

const RFC3339_ANY_OFFSET = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:?\d{2})$/;

/**
 * An RFC 3339 timestamp with any offset, as UTC with `Z`. The fractional digits are carried over
 * verbatim (never through a Date, which keeps only milliseconds). Undefined when malformed.
 */
export function toUtc(text: string): string | undefined {
  const m = RFC3339_ANY_OFFSET.exec(text.trim());
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  const frac = m[7] ?? "";
  const zone = m[8]!;
  let offsetMinutes = 0;
  if (zone !== "Z" && zone !== "z") {
    const digits = zone.replace(":", "");
    offsetMinutes = (digits[0] === "-" ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  return utcText(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) - offsetMinutes * 60_000, frac, { y: y!, mo: mo!, d: d!, h: h!, mi: mi!, s: s! });
}

interface Fields { y: number; mo: number; d: number; h: number; mi: number; s: number }

/** Whole-second epoch ms plus a verbatim fraction (".123456789" or "") as RFC 3339 UTC. */
export function utcText(epochMs: number, frac: string, local: Fields): string | undefined {
  // Reject what Date.UTC would silently roll over (2025-02-30, 24:00).
  const back = new Date(Date.UTC(local.y, local.mo - 1, local.d, local.h, local.mi, local.s));
  if (back.getUTCDate() !== local.d || back.getUTCHours() !== local.h || local.mo < 1 || local.mo > 12) return undefined;
  if (!Number.isFinite(epochMs)) return undefined;
  return new Date(epochMs).toISOString().slice(0, 19) + frac + "Z";
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
 * delivered twice), and sorts stably by event time: ties keep source order.
 */
export function finishRecords(records: readonly OutRecord[], kind: "broker" | "journal", report: ImportReport): Finished {
  const parse = kind === "broker" ? parseBrokerLine : parseJournalLine;
  const seen = new Map<string, string>();
  const kept: { rec: OutRecord; text: string; at: Instant; seq: number }[] = [];
  let duplicates = 0;
  records.forEach((rec, seq) => {
    const text = JSON.stringify(rec.fields);
    try {
      parse(text, seq + 1);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
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
  kept.sort((a, b) => compareInstants(a.at, b.at) || a.seq - b.seq);
  if (duplicates > 0) report.note(`${plural(duplicates, "exact duplicate record")} dropped (same event_id, same content)`);
  return { lines: kept.map((k) => k.text), outOfOrder, duplicatesDropped: duplicates };
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
}
