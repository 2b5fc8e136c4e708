// Position drift (CONTRACT §4): per symbol, engine vs broker net position, in units and in pips of
// average price. Pure.

import * as D from "../../domain/decimal.js";
import type { Dec } from "../../domain/decimal.js";
import type { Position } from "../position.js";

export interface Drift {
  readonly units: Dec;
  /** Pips of average price; compared only when both sides hold the same direction (else zero). */
  readonly pips: Dec;
  /** Beyond tolerance: strictly more units or pips than allowed (at exactly the tolerance: within). */
  readonly beyond: boolean;
}

export interface DriftTolerance {
  readonly units: Dec;
  readonly pips: Dec;
}

export function positionDrift(engine: Position, broker: Position, pipSize: Dec, tolerance: DriftTolerance): Drift {
  const units = D.abs(D.sub(engine.qty, broker.qty));
  const comparable = !D.isZero(engine.qty) && D.sign(engine.qty) === D.sign(broker.qty);
  const pips = comparable ? D.div(D.abs(D.sub(engine.avgPrice, broker.avgPrice)), pipSize) : D.ZERO;
  return { units, pips, beyond: units > tolerance.units || pips > tolerance.pips };
}

/** What a drift report is about: the same two positions are reported once while they last. */
export function driftSignature(engine: Position, broker: Position): string {
  return `${engine.qty}|${engine.avgPrice}|${broker.qty}|${broker.avgPrice}`;
}
