// Net position per symbol, average-cost method. Used for both books: the engine's view and the
// broker's truth apply fills through this one function, so they can only differ by which fills
// (or which snapshot) they saw, never by how they count.

import * as D from "../../domain/decimal.js";
import type { Dec } from "../../domain/decimal.js";
import type { Side } from "../../domain/records.js";

export interface Position {
  /** Signed: negative is short. */
  readonly qty: Dec;
  /** Average entry price of the open quantity; zero when flat. */
  readonly avgPrice: Dec;
}

export const FLAT: Position = { qty: D.ZERO, avgPrice: D.ZERO };

export function signedQty(side: Side, qty: Dec): Dec {
  return side === "buy" ? qty : D.neg(qty);
}

/** Applies one execution. Returns the new position and the gross realized P&L in quote currency. */
export function applyFill(pos: Position, side: Side, qty: Dec, price: Dec): { pos: Position; realized: Dec } {
  const delta = signedQty(side, qty);
  const newQty = D.add(pos.qty, delta);
  if (D.isZero(pos.qty) || D.sign(pos.qty) === D.sign(delta)) {
    // Opening or adding: the average moves toward the fill price, weighted by quantity.
    const cost = D.add(D.mul(D.abs(pos.qty), pos.avgPrice), D.mul(qty, price));
    return { pos: { qty: newQty, avgPrice: D.div(cost, D.abs(newQty)) }, realized: D.ZERO };
  }
  // Reducing, closing or flipping: the closed part realizes against the average.
  const closed = D.min(qty, D.abs(pos.qty));
  const perUnit = D.sign(pos.qty) > 0 ? D.sub(price, pos.avgPrice) : D.sub(pos.avgPrice, price);
  const realized = D.mul(closed, perUnit);
  if (D.isZero(newQty)) return { pos: FLAT, realized };
  const flipped = D.sign(newQty) !== D.sign(pos.qty);
  return { pos: { qty: newQty, avgPrice: flipped ? price : pos.avgPrice }, realized };
}
