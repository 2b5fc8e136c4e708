// Pricing a fill against what the engine expected (docs/reference/rules.md, "Slippage"): signed
// slippage in pips (the implementation shortfall against the price the engine saw when it decided,
// positive is worse for the engine), its session (the UTC hour of the fill), the preset it is held
// to, and for limit orders the improvement. Pure.

import type { Dec } from "../../domain/decimal.js";
import type { Config, SlippagePreset } from "../../domain/config.js";
import type { Side } from "../../domain/records.js";
import * as D from "../../domain/decimal.js";

export interface FillPricing {
  readonly slippagePips: Dec;
  readonly preset: SlippagePreset | undefined;
  /** Over the preset, or no preset at all (fail safe). */
  readonly breach: boolean;
  readonly limitImprovementPips: Dec | undefined;
}

export interface PricedFill {
  readonly symbol: string;
  readonly side: Side;
  readonly price: Dec;
}

/**
 * Slippage against the decision's reference price, in units of `unitSize` (a pip for FX, a tick
 * otherwise); a breach is strictly over the preset.
 */
/** What a fill is priced against: its session, the decision's reference and limit prices, the instrument's unit. */
export interface PricingBasis {
  readonly session: string;
  readonly refPrice: Dec;
  readonly limitPrice: Dec | undefined;
  readonly unitSize: Dec;
}

export function priceFill(config: Config, fill: PricedFill, basis: PricingBasis): FillPricing {
  const { session, refPrice, limitPrice, unitSize: pip } = basis;
  const slip = slippagePips(fill.side, fill.price, refPrice, pip);
  const preset = findPreset(config, fill.symbol, session);
  return {
    slippagePips: slip, preset, breach: preset === undefined || slip > preset.maxSlippagePips,
    limitImprovementPips: limitPrice === undefined ? undefined : limitImprovementPips(fill.side, fill.price, limitPrice, pip),
  };
}

/** Paying more on a buy, or receiving less on a sell, is positive (worse). */
export function slippagePips(side: Side, price: Dec, refPrice: Dec, pip: Dec): Dec {
  const diff = side === "buy" ? D.sub(price, refPrice) : D.sub(refPrice, price);
  return D.div(diff, pip);
}

/** For limit orders: how far inside the limit the fill came, in pips (positive is better). */
export function limitImprovementPips(side: Side, price: Dec, limit: Dec, pip: Dec): Dec {
  const diff = side === "buy" ? D.sub(limit, price) : D.sub(price, limit);
  return D.div(diff, pip);
}

export function sessionOf(config: Config, hour: number): string {
  const name = config.sessionOfHour[hour];
  if (name === undefined) throw new Error(`invariant: no session for UTC hour ${hour}`);
  return name;
}

export function findPreset(config: Config, symbol: string, session: string): SlippagePreset | undefined {
  return config.slippagePresets.find((p) => p.symbol === symbol && p.session === session);
}
