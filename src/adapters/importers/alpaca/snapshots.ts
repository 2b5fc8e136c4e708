// Alpaca's position listings → position_snapshot: at the listing's `as_of`, else at --as-of. A
// listing may come as one document (`positions`, per account in the Broker API) or as a top-level
// array of position objects, which together are one snapshot (gathered while reading, written at
// the end). A single position is not the whole book and is refused.

import { type Dec, isZero, SCALE_DIGITS, sign } from "../../../domain/decimal.js";
import { absDec, decOf, decOfRounded, decText, isObject, type Json, type Pos, snapshotEventId, str, symbolOf, toUtc } from "../common.js";
import type { AlpacaImport } from "./context.js";
import { describeInstrument } from "./identity.js";

/** A position object read on its own: part of its array's snapshot, or refused when it is alone. */
export function positionItem(p: AlpacaImport, v: Json, pos: Pos, group: number): void {
  if (pos.item === undefined) {
    p.report.problem(pos, "a single position is not a complete position snapshot: not imported (use the GET /positions listing)");
    return;
  }
  const g = p.positionGroups.get(group) ?? { pos: { file: pos.file, line: pos.line }, list: [] };
  g.list.push(v);
  p.positionGroups.set(group, g);
}

/** The snapshots of position objects given one by one, each array as one listing. */
export function settlePositionGroups(p: AlpacaImport): void {
  for (const g of p.positionGroups.values()) positions(p, g.list, undefined, "listing", g.pos);
}

export function positionListing(p: AlpacaImport, v: Json, pos: Pos): void {
  const asOf = str(v["as_of"]);
  const list = v["positions"];
  if (Array.isArray(list)) return positions(p, list, asOf, "listing", pos);
  const accounts = Object.keys(list as Json).sort();
  if (accounts.length > 1) {
    p.report.problem(pos, `positions of ${accounts.length} accounts in one listing: a replay is one account; each gets its own snapshot, so import one account's at a time`);
  }
  for (const account of accounts) {
    const held = (list as Json)[account];
    if (Array.isArray(held)) positions(p, held, asOf, account, pos);
  }
}

function positions(p: AlpacaImport, list: unknown[], asOfRaw: string | undefined, scope: string, pos: Pos): void {
  const raw = asOfRaw ?? p.opts.asOf;
  if (raw === undefined) {
    p.report.problem(pos, "position listing not imported: it carries no time; pass --as-of with the time it was taken");
    return;
  }
  const ts = toUtc(raw);
  if (ts === undefined) {
    p.report.problem(pos, `position listing: as-of time ${JSON.stringify(raw)} is not an RFC 3339 timestamp`);
    return;
  }
  const lines: Record<string, unknown>[] = [];
  for (const [i, held] of list.entries()) {
    const symbol = isObject(held) ? str(held["symbol"]) : undefined;
    const qty = isObject(held) ? decOf(held["qty"]) : undefined;
    const avgR = isObject(held) ? decOfRounded(held["avg_entry_price"]) : undefined;
    if (isObject(held)) describeInstrument(p.instruments, held, { ...pos, item: i });
    if (avgR?.rounded === true) p.report.note(`average entry prices with more than ${SCALE_DIGITS} decimal places rounded to ${SCALE_DIGITS}`);
    const avg = avgR?.dec;
    if (symbol === undefined || qty === undefined || avg === undefined) {
      p.report.problem({ ...pos, item: i }, `position: expected "symbol", "qty" and "avg_entry_price"; snapshot not imported`);
      return;
    }
    // Short positions may come as a positive qty with side "short": the snapshot is signed.
    const signed = isObject(held) && held["side"] === "short" && sign(qty) > 0 ? negated(qty) : qty;
    if (!isZero(signed)) lines.push({ symbol: symbolOf(symbol), qty: decText(signed), avg_price: decText(absDec(avg)) });
  }
  p.out.push({ ts, pos, fields: { type: "position_snapshot", ts, event_id: snapshotEventId(`alpaca:positions:${scope}`, lines, ts), positions: lines } });
}

function negated(d: Dec): Dec {
  return (-d) as Dec;
}
