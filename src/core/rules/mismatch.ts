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

/** Each field that differs, as `field: engine=.. broker=..` (empty when the broker's order is the decision). */
export function orderMismatches(decided: OrderTerms, broker: OrderTerms): string[] {
  const out: string[] = [];
  const differ = (field: string, e: string, b: string) => { if (e !== b) out.push(`${field}: engine=${e} broker=${b}`); };
  if (broker.symbol !== "") differ("symbol", decided.symbol, broker.symbol);
  if (broker.symbol !== "") differ("side", decided.side, broker.side);
  if (decided.qty !== undefined && broker.qty !== undefined) differ("qty", D.toPlain(decided.qty), D.toPlain(broker.qty));
  if (decided.limitPrice !== undefined && broker.limitPrice !== undefined) differ("limit_price", D.toPlain(decided.limitPrice), D.toPlain(broker.limitPrice));
  return out;
}
