// PositionReports (35=AP) → position_snapshot. A report is one ticket of the book as of a request
// (PosReqID 710); the whole book is the TotalNumPosReports (727) reports of that request. Only a
// complete set is a snapshot: net quantity per symbol (LongQty 704 minus ShortQty 705), its average
// price weighted from the tickets' SettlPrice (730, FXCM's open price), at the SendingTime of the
// last report.

import { add, type Dec, div, isZero, mul, sub, ZERO } from "../../../domain/decimal.js";
import { compareInstants } from "../../../domain/time.js";
import { absDec, decOf, decText, instantOf, type Pos, snapshotEventId, symbolOf } from "../common.js";
import type { FixImport, PositionSet } from "./context.js";
import { describeInstrument } from "./identity.js";
import { fixTime, sessionOf } from "./messages.js";

export function positionReport(p: FixImport, f: ReadonlyMap<string, string>, pos: Pos): void {
  if (f.get("724") !== "0") {
    p.report.ignore(`35=AP with PosReqType 724=${f.get("724") ?? "?"} (closed positions: history, not the book)`);
    return;
  }
  const key = `${sessionOf(f)}|${f.get("710") ?? ""}`;
  const total = Number(f.get("727") ?? "NaN");
  describeInstrument(p, f, pos);
  const set = p.positionSets.get(key) ?? { request: f.get("710") ?? "?", total, reports: [], pos };
  set.reports.push({ fields: f, pos });
  p.positionSets.set(key, set);
}

/** Every complete set of position reports as a snapshot; an incomplete one is reported. */
export function positionSnapshots(p: FixImport): void {
  for (const set of p.positionSets.values()) {
    const tickets = new Map(set.reports.map((r) => [r.fields.get("721") ?? String(r.pos.line), r]));
    if (!Number.isInteger(set.total) || tickets.size !== set.total) {
      p.report.problem(set.pos, `position reports of request ${set.request} (PosReqID 710): ${tickets.size} of ${Number.isInteger(set.total) ? set.total : "?"} ` +
        "(TotalNumPosReports 727) in the input: an incomplete book is not a snapshot; not imported");
      continue;
    }
    const book = bookOf(p, [...tickets.values()]);
    if (book === undefined) continue;
    const lines = [...book.bySymbol].sort(([a], [b]) => (a < b ? -1 : 1)).filter(([, v]) => !isZero(v.qty))
      .map(([symbol, v]) => ({ symbol, qty: decText(v.qty), avg_price: decText(div(v.cost, absDec(v.qty))) }));
    const first = set.reports[0]!.fields;
    p.out.push({ ts: book.ts, pos: set.pos, fields: { type: "position_snapshot", ts: book.ts, event_id: snapshotEventId(`fix:${first.get("49") ?? ""}-${first.get("56") ?? ""}:positions`, lines, book.ts), positions: lines } });
  }
}

/** The tickets of one complete set summed per symbol, and when the last was sent; undefined when one is unreadable (reported). */
function bookOf(p: FixImport, tickets: PositionSet["reports"]): { bySymbol: Map<string, { qty: Dec; cost: Dec }>; ts: string } | undefined {
  const bySymbol = new Map<string, { qty: Dec; cost: Dec }>();
  let ts: string | undefined;
  for (const { fields: r, pos } of tickets) {
    const symbol = r.get("55");
    const qty = sub(decOf(r.get("704") ?? "0") ?? ZERO, decOf(r.get("705") ?? "0") ?? ZERO);
    const price = decOf(r.get("730") ?? "");
    const sent = fixTime(r.get("52"));
    if (symbol === undefined || price === undefined || sent === undefined) {
      p.report.problem(pos, "PositionReport: expected Symbol (55), SettlPrice (730) and SendingTime (52); the book of its request is not imported");
      return undefined;
    }
    if (ts === undefined || compareInstants(instantOf(sent), instantOf(ts)) > 0) ts = sent;
    const acc = bySymbol.get(symbolOf(symbol)) ?? { qty: ZERO, cost: ZERO };
    bySymbol.set(symbolOf(symbol), { qty: add(acc.qty, qty), cost: add(acc.cost, mul(absDec(qty), price)) });
  }
  return ts === undefined ? undefined : { bySymbol, ts };
}
