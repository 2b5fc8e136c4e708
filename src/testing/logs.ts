// Reading a pair of recorded logs for fault injection: each line's object, the engine's own orders,
// where the link to the broker was down, and the helpers that splice a new line in. Lines a fault
// leaves alone keep their exact text.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { normalizeSymbol } from "../domain/symbol.js";
import type { Logs } from "./run.js";

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

/** Milliseconds since the epoch of a record's `ts` (finer digits dropped: enough to pick a point). */
export const msOf = (o: Obj): number => Date.parse(String(o["ts"]));

export const symbolOf = (o: Obj): string => normalizeSymbol(String(o["symbol"]));

export function parseLogs(logs: Logs): ParsedLogs {
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
    const from = msOf(o);
    const until = k + 1 < journal.length ? msOf(journal[k + 1]!) : Infinity;
    broker.forEach((b, i) => {
      if (msOf(b) >= from && msOf(b) <= until) down.add(i);
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

/** Index of the first journal record later in event time than `ms` (where a record at `ms` goes). */
export function journalIndexAfter(p: ParsedLogs, ms: number): number {
  const k = p.journal.findIndex((o) => msOf(o) > ms);
  return k === -1 ? p.journal.length : k;
}

export interface LogFileNames {
  readonly journal?: string;
  readonly broker?: string;
  readonly config?: string;
}

/**
 * Reads a recorded incident from a folder: journal.jsonl, broker.jsonl and (if present) config.json,
 * or the names given. Blank lines are dropped; every other line is kept as written.
 */
export function loadLogs(dir: string, names: LogFileNames = {}): Logs {
  const lines = (name: string) => readFileSync(join(dir, name), "utf8").split(/\r?\n/).filter((l) => l.trim() !== "");
  let config: Record<string, unknown> | undefined;
  try {
    config = JSON.parse(readFileSync(join(dir, names.config ?? "config.json"), "utf8")) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT" || names.config !== undefined) throw err;
  }
  return { journal: lines(names.journal ?? "journal.jsonl"), broker: lines(names.broker ?? "broker.jsonl"), ...(config === undefined ? {} : { config }) };
}
