// Pricing a fill against what the engine expected (docs/reference/rules.md, "Slippage"): signed slippage in
// pips, its session, the preset it is held to, and for limit orders the improvement. Pure.

import type { Dec } from "../../domain/decimal.js";
import type { Config, SlippagePreset } from "../../domain/config.js";
import type { Side } from "../../domain/records.js";
import { findPreset, limitImprovementPips, slippagePips } from "../slippage.js";

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
export function priceFill(config: Config, fill: PricedFill, session: string, refPrice: Dec, limitPrice: Dec | undefined, unitSize: Dec): FillPricing {
  const pip = unitSize;
  const slip = slippagePips(fill.side, fill.price, refPrice, pip);
  const preset = findPreset(config, fill.symbol, session);
  return {
    slippagePips: slip, preset, breach: preset === undefined || slip > preset.maxSlippagePips,
    limitImprovementPips: limitPrice === undefined ? undefined : limitImprovementPips(fill.side, fill.price, limitPrice, pip),
  };
}
