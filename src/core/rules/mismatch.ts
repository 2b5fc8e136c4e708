// The broker's live order under the engine's client order id against what the engine decided:
// symbol, side, size, and the limit price where both give one. Pure.

import * as D from "../../domain/decimal.js";
import type { Dec } from "../../domain/decimal.js";
import type { Side } from "../../domain/records.js";

export interface OrderTerms {
  readonly symbol: string;
  readonly side: Side;
  /** Undefined when the broker has not stated a size (an order known only from fills). */
  readonly qty: Dec | undefined;
  readonly limitPrice: Dec | undefined;
}

const NO_FIELDS: string[] = Object.freeze([]) as unknown as string[];

/** Each field that differs, as `field: engine=.. broker=..` (empty when the broker's order is the decision). */
export function orderMismatches(decided: OrderTerms, broker: OrderTerms): string[] {
  // Compared as values, written out only where they differ: this runs for every order a run looks at.
  const qtyDiffers = decided.qty !== undefined && broker.qty !== undefined && decided.qty !== broker.qty;
  const limitDiffers = decided.limitPrice !== undefined && broker.limitPrice !== undefined && decided.limitPrice !== broker.limitPrice;
  const symbolDiffers = broker.symbol !== "" && decided.symbol !== broker.symbol;
  const sideDiffers = broker.symbol !== "" && decided.side !== broker.side;
  if (!qtyDiffers && !limitDiffers && !symbolDiffers && !sideDiffers) return NO_FIELDS;
  const out: string[] = [];
  if (symbolDiffers) out.push(`symbol: engine=${decided.symbol} broker=${broker.symbol}`);
  if (sideDiffers) out.push(`side: engine=${decided.side} broker=${broker.side}`);
  if (qtyDiffers) out.push(`qty: engine=${D.toPlain(decided.qty!)} broker=${D.toPlain(broker.qty!)}`);
  if (limitDiffers) out.push(`limit_price: engine=${D.toPlain(decided.limitPrice!)} broker=${D.toPlain(broker.limitPrice!)}`);
  return out;
}
