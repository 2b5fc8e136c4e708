// IB's positions → position_snapshot: the position messages (61) up to positionEnd (62) are one
// snapshot; it carries no time and takes a neighbour's at the end (timeline.ts). avgCost includes
// the contract multiplier (a future's cost per contract); the replay compares prices.

import { div, isZero, sign } from "../../../domain/decimal.js";
import { decText, type Pos } from "../common.js";
import type { IbImport } from "./context.js";
import { contractSymbol } from "./identity.js";
import { ibNumber } from "./wire.js";

export function position(p: IbImport, f: string[], pos: Pos): void {
  const [, , , , symbol, secType, , , , multiplier, , currency, localSymbol, , held, avgCost] = f;
  const qty = ibNumber(held);
  const cost = ibNumber(avgCost);
  if (symbol === undefined || qty === undefined) {
    p.report.problem(pos, "position: unexpected layout (expected symbol as field 5 and position as field 15)");
    return;
  }
  p.positions ??= { lines: [], pos };
  if (isZero(qty)) return;
  const mult = ibNumber(multiplier);
  const avg = cost === undefined ? undefined : mult !== undefined && sign(mult) > 0 ? div(cost, mult) : cost;
  p.positions.lines.push({
    symbol: contractSymbol(p, { secType, symbol, currency, localSymbol }, pos), qty: decText(qty),
    avg_price: avg === undefined ? "0" : decText(avg),
  });
}

export function positionEnd(p: IbImport, pos: Pos): void {
  const lines = p.positions?.lines ?? [];
  const at = p.positions?.pos ?? pos;
  p.positions = undefined;
  p.timeline.push({ ts: undefined, pos: at, fields: {
    type: "position_snapshot", ts: "", event_id: "", positions: lines, ts_inferred: true,
  } });
}

/** Positions left without their positionEnd: the book may be incomplete, so it is not a snapshot. */
export function reportUnclosedPositions(p: IbImport): void {
  if (p.positions !== undefined) {
    p.report.problem(p.positions.pos, "positions without a closing positionEnd (62): the snapshot may be incomplete and is not imported");
  }
}
