// What a broker fill does to the engine's order it belongs to. Pure: state in, decision out.

import * as D from "../../domain/decimal.js";
import type { Dec } from "../../domain/decimal.js";
import { type CacheStatus, type EngineStatus, isOpen } from "./types.js";

export interface FillOutcome {
  readonly filledQty: Dec;
  readonly status: EngineStatus;
  readonly cacheStatus: CacheStatus;
  /** The order is now filled to (or past) its size. */
  readonly complete: boolean;
  /** Filled past its size: always reported. */
  readonly overfill: boolean;
}

/**
 * The order after one more fill of `fillQty`. Filled to its size, it is `filled` (unless already
 * finished otherwise) and its cache entry closes; short of it, an open order is part-filled.
 */
export function fillOutcome(order: { readonly qty: Dec; readonly filledQty: Dec; readonly status: EngineStatus }, fillQty: Dec): FillOutcome {
  const filledQty = D.add(order.filledQty, fillQty);
  if (filledQty >= order.qty) {
    const finished = order.status === "cancelled" || order.status === "rejected" || order.status === "closed";
    return { filledQty, status: finished ? order.status : "filled", cacheStatus: "closed", complete: true, overfill: filledQty > order.qty };
  }
  return { filledQty, status: isOpen(order.status) ? "partially_filled" : order.status, cacheStatus: "pending_fill", complete: false, overfill: false };
}
