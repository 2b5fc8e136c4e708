// Which broker order an event belongs to. An event that names a known broker order id but
// contradicts that order's other fields (client order id, symbol, side) is not that order's: an id
// match that another field contradicts is evidence of a conflict, never a link. Pure.

import type { Side } from "../../domain/records.js";

export type IdentityField = "client_order_id" | "symbol" | "side";

export interface OrderIdentity {
  readonly clientOrderId: string | undefined;
  /** "" when not known yet (then side is not known either). */
  readonly symbol: string;
  readonly side: Side;
}

/** The fields of `named` (what an event says) that contradict `known` (the order its broker id names). */
export function idMatchContradictions(known: OrderIdentity, named: OrderIdentity): IdentityField[] {
  const out: IdentityField[] = [];
  if (known.clientOrderId !== undefined && named.clientOrderId !== undefined && known.clientOrderId !== named.clientOrderId) {
    out.push("client_order_id");
  }
  if (known.symbol !== "" && named.symbol !== "" && known.symbol !== named.symbol) out.push("symbol");
  if (known.symbol !== "" && named.symbol !== "" && known.side !== named.side) out.push("side");
  return out;
}
