// Broker risk limits against the engine's rails, and exposure against them. Pure.

import * as D from "../../domain/decimal.js";
import type { Dec } from "../../domain/decimal.js";

export interface RiskLimits {
  readonly dailyLossCap: Dec | undefined;
  /** Sorted by symbol. */
  readonly symbolCaps: ReadonlyArray<readonly [string, Dec]>;
}

const text = (d: Dec | undefined): string => (d === undefined ? "unset" : D.toPlain(d));

/** Each field where the broker's limits differ from the engine's, as `field: engine=.. broker=..`. */
export function limitMismatches(engine: RiskLimits, broker: RiskLimits): string[] {
  const out: string[] = [];
  if (engine.dailyLossCap === undefined || engine.dailyLossCap !== broker.dailyLossCap) {
    out.push(`daily_loss_cap: engine=${text(engine.dailyLossCap)} broker=${text(broker.dailyLossCap)}`);
  }
  const engineCaps = new Map(engine.symbolCaps);
  const brokerCaps = new Map(broker.symbolCaps);
  for (const symbol of [...new Set([...engineCaps.keys(), ...brokerCaps.keys()])].sort()) {
    const e = engineCaps.get(symbol);
    const b = brokerCaps.get(symbol);
    if (e !== b) out.push(`symbol_caps.${symbol}: engine=${text(e)} broker=${text(b)}`);
  }
  return out;
}

/** A position is over its cap when its size is strictly above it (at the cap: allowed). */
export function overCap(positionQty: Dec, capUnits: Dec): boolean {
  return D.abs(positionQty) > capUnits;
}

/** The day's realized P&L breaches the cap when the loss is strictly beyond it (at the cap: allowed). */
export function dailyLossBreached(dayPnl: Dec, cap: Dec | undefined): boolean {
  return cap !== undefined && dayPnl < D.neg(cap);
}
