// Reading a pair of recorded logs for fault injection: each line's object, the engine's own orders,
// where the link to the broker was down, and the helpers that splice a new line in. Lines a fault
// leaves alone keep their exact text.

import { isBlankLine } from "../domain/blank-line.js";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { normalizeSymbol } from "../domain/symbol.js";
import { compareInstants, type Instant, parseInputInstant } from "../domain/time.js";
import { loadConfig } from "../adapters/inputs.js";
import { type LogFileNames, type Logs, readLogs } from "./run.js";

export type Obj = Record<string, unknown>;

/** Two logs parsed once, with the lookups every injector needs. */
export interface ParsedLogs {
  readonly logs: Logs;
  readonly journal: readonly Obj[];
  readonly broker: readonly Obj[];
  /** The first decision of each client order id the engine decided. */
  readonly decided: ReadonlyMap<string, Obj>;
  /** The client order id a broker event concerns (a cancel names only the broker's id: found by its accept). */
  readonly coidOf: (o: Obj) => string | undefined;
  /** True when broker line `i` is its event's only delivery. */
  readonly deliveredOnce: (i: number) => boolean;
  /** True when the engine cannot see broker line `i` live: the link is down, or the engine is restarting. */
  readonly unseen: (i: number) => boolean;
}

/** A record's event time, to the nanosecond (a `ts` the replay would refuse falls back to Date's reading: the replay then names it). */
export const instantOf = (o: Obj): Instant =>
  parseInputInstant(String(o["ts"])) ?? { ms: Date.parse(String(o["ts"])), subNs: 0, text: String(o["ts"]) };

/** Milliseconds since the epoch of a record's `ts`, for durations. */
export const msOf = (o: Obj): number => instantOf(o).ms;

/** Negative, zero or positive as record `a` is earlier than, at the same instant as, or later than `b` in event time. */
export const timeOrder = (a: Obj | Instant, b: Obj | Instant): number =>
  compareInstants("subNs" in a ? a as Instant : instantOf(a), "subNs" in b ? b as Instant : instantOf(b));

export const symbolOf = (o: Obj): string => normalizeSymbol(String(o["symbol"]));

/**
 * The logs parsed for injection: every line validated as the replay validates it (a refused line
 * throws BadInputError naming its file and line), then blank lines left out (an injected fault's
 * logs number their lines afresh anyway).
 */
export function parseLogs(given: Logs): ParsedLogs {
  readLogs(given);
  const logs: Logs = { ...given, journal: given.journal.filter((l) => !isBlankLine(l)), broker: given.broker.filter((l) => !isBlankLine(l)) };
  const journal = logs.journal.map((l) => JSON.parse(l) as Obj);
  const broker = logs.broker.map((l) => JSON.parse(l) as Obj);
  const decided = new Map<string, Obj>();
  for (const o of journal) if (o["type"] === "decision" && !decided.has(String(o["client_order_id"]))) decided.set(String(o["client_order_id"]), o);
  const accepted = new Map<unknown, string>();
  for (const o of broker) if (o["type"] === "order_accepted") accepted.set(o["broker_order_id"], String(o["client_order_id"]));
  const deliveries = new Map<unknown, number>();
  for (const o of broker) deliveries.set(o["event_id"], (deliveries.get(o["event_id"]) ?? 0) + 1);
  const down = downLines(journal, broker);
  return {
    logs, journal, broker, decided,
    coidOf: (o) => (typeof o["client_order_id"] === "string" ? o["client_order_id"] : accepted.get(o["broker_order_id"])),
    deliveredOnce: (i) => deliveries.get(broker[i]!["event_id"]) === 1,
    unseen: (i) => down.has(i),
  };
}

/** Broker lines inside a disconnect window, or between a restart and the engine's next journal record. */
function downLines(journal: readonly Obj[], broker: readonly Obj[]): Set<number> {
  const down = new Set<number>();
  let linkDown = false;
  broker.forEach((o, i) => {
    if (o["type"] === "disconnect") linkDown = true;
    if (linkDown) down.add(i);
    if (o["type"] === "reconnect") linkDown = false;
  });
  journal.forEach((o, k) => {
    if (o["type"] !== "restart") return;
    const next = journal[k + 1];
    broker.forEach((b, i) => {
      if (timeOrder(b, o) >= 0 && (next === undefined || timeOrder(b, next) <= 0)) down.add(i);
    });
  });
  return down;
}

/** Broker lines that are fills of the engine's own orders, delivered once, that the engine sees live. */
export function liveFillsOfEngineOrders(p: ParsedLogs): number[] {
  return p.broker.flatMap((o, i) => {
    const coid = p.coidOf(o);
    return o["type"] === "fill" && coid !== undefined && p.decided.has(coid) && p.deliveredOnce(i) && !p.unseen(i) ? [i] : [];
  });
}

/** `lines` with `added` inserted before index `at` (at = length appends). */
export function insertAt(lines: readonly string[], at: number, ...added: string[]): string[] {
  return [...lines.slice(0, at), ...added, ...lines.slice(at)];
}

/** An event id no broker line uses, for an event a fault adds. */
export function freshEventId(p: ParsedLogs, base: string): string {
  const used = new Set(p.broker.map((o) => o["event_id"]));
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
  return id;
}

/** Index of the first journal record later in event time than `t` (where a record at `t` goes). */
export function journalIndexAfter(p: ParsedLogs, t: Instant): number {
  const k = p.journal.findIndex((o) => timeOrder(o, t) > 0);
  return k === -1 ? p.journal.length : k;
}

export type { LogFileNames };

/** A file's lines as the command line reads them: a leading BOM dropped, CRLF or LF endings, blank lines kept in place. */
function fileLines(path: string): string[] {
  const text = readFileSync(path, "utf8");
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r?\n/);
  // The final newline ends the last line; it starts none.
  return lines[lines.length - 1] === "" ? lines.slice(0, -1) : lines;
}

/**
 * Reads a recorded incident from a folder: journal.jsonl, broker.jsonl and (if present) config.json,
 * or the names given. Lines are kept as written, blank ones too (the replay skips them), so a
 * refused line is named by its file and line as the command line names it. The config is read by
 * the command line's own loader (exact decimals; a key twice is refused) and kept as its effective
 * settings.
 */
export function loadLogs(dir: string, names: LogFileNames = {}): Logs {
  const files = { journal: names.journal ?? "journal.jsonl", broker: names.broker ?? "broker.jsonl", config: names.config ?? "config.json" };
  const configPath = join(dir, files.config);
  const config = names.config !== undefined || existsSync(configPath) ? loadConfig(configPath).effective : undefined;
  return { journal: fileLines(join(dir, files.journal)), broker: fileLines(join(dir, files.broker)), ...(config === undefined ? {} : { config }),
    names: files };
}
