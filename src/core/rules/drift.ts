// Position drift: per symbol, engine vs broker net position, in units and in pips of average price.
// Pure.
//
// The headline `drift=` of summary.txt is a number of pips, and a drift in units alone has no
// measure in pips of average price (one side flat, the two on opposite sides, the same price on
// different quantities, an instrument with no pip size). So a drift beyond tolerance counts in the
// headline as the larger of its average-price drift and its value drift per unit held,
// |qty_e x avg_e - qty_b x avg_b| / max(|qty_e|, |qty_b|) / pip size (equal to the average-price
// drift when the quantities agree), and never less than HEADLINE_DRIFT_PIPS_MIN: a standing drift
// never reads 0.0.

import * as D from "../../domain/decimal.js";
import type { Dec } from "../../domain/decimal.js";
import type { Position } from "./position.js";

/** Named limit: the least a drift beyond tolerance counts for in the headline, in pips. */
export const HEADLINE_DRIFT_PIPS_MIN = D.parseDec("0.1")!;

export interface Drift {
  readonly units: Dec;
  /**
   * Pips of average price; compared only when both sides hold the same direction (else zero), and
   * undefined for an instrument with no pip or tick size (measured in units only).
   */
  readonly pips: Dec | undefined;
  /** Beyond tolerance: strictly more units or pips than allowed (at exactly the tolerance: within). */
  readonly beyond: boolean;
  /** What the drift counts for in the headline: `pips` within tolerance, the rule above beyond it. */
  readonly headlinePips: Dec;
}

export interface DriftTolerance {
  readonly units: Dec;
  readonly pips: Dec;
}

export function positionDrift(engine: Position, broker: Position, pipSize: Dec | undefined, tolerance: DriftTolerance): Drift {
  const units = D.abs(D.sub(engine.qty, broker.qty));
  const comparable = !D.isZero(engine.qty) && D.sign(engine.qty) === D.sign(broker.qty);
  const pips = pipSize === undefined ? undefined : comparable ? D.div(D.abs(D.sub(engine.avgPrice, broker.avgPrice)), pipSize) : D.ZERO;
  const beyond = units > tolerance.units || (pips ?? D.ZERO) > tolerance.pips;
  const headlinePips = beyond ? D.max(D.max(pips ?? D.ZERO, valueDriftPips(engine, broker, pipSize)), HEADLINE_DRIFT_PIPS_MIN) : (pips ?? D.ZERO);
  return { units, pips, beyond, headlinePips };
}

/** |qty_e x avg_e - qty_b x avg_b| / max(|qty_e|, |qty_b|), in pips: zero with both flat or no pip size. */
function valueDriftPips(engine: Position, broker: Position, pipSize: Dec | undefined): Dec {
  const held = D.max(D.abs(engine.qty), D.abs(broker.qty));
  if (pipSize === undefined || D.isZero(held)) return D.ZERO;
  const valueGap = D.abs(D.sub(D.mul(engine.qty, engine.avgPrice), D.mul(broker.qty, broker.avgPrice)));
  return D.div(D.div(valueGap, held), pipSize);
}

/** What a drift report is about: the same two positions are reported once while they last. */
export function driftSignature(engine: Position, broker: Position): string {
  return `${engine.qty}|${engine.avgPrice}|${broker.qty}|${broker.avgPrice}`;
}
