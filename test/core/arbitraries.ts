// fast-check arbitraries for the core's rule tests: exact decimals, positions, sides. One seed
// (FC_SEED) drives them all; fast-check prints the seed and path of any failure.

import fc from "fast-check";
import * as D from "../../src/domain/decimal.js";
import type { Dec } from "../../src/domain/decimal.js";
import type { Position } from "../../src/core/rules/position.js";

export const PARAMS = {
  numRuns: Number(process.env["RULE_RUNS"] ?? 300),
  ...(process.env["FC_SEED"] === undefined ? {} : { seed: Number(process.env["FC_SEED"]) }),
};

/** A decimal with up to `places` fractional digits, from an integer count of those units. */
export const dec = (min: number, max: number, places = 2): fc.Arbitrary<Dec> =>
  fc.integer({ min: min * 10 ** places, max: max * 10 ** places }).map((n) => D.div(D.decFromInt(n), D.decFromInt(10 ** places)));

export const positiveQty = dec(1, 1_000_000, 0);
export const price = dec(1, 200, 5);
export const side = fc.constantFrom("buy" as const, "sell" as const);

export const position: fc.Arbitrary<Position> = fc.oneof(
  fc.constant({ qty: D.ZERO, avgPrice: D.ZERO }),
  fc.record({ qty: dec(-1_000_000, 1_000_000, 0).filter((q) => !D.isZero(q)), avgPrice: price }),
);

export const d = (text: string): Dec => {
  const v = D.parseDec(text);
  if (v === undefined) throw new Error(`not a decimal: ${text}`);
  return v;
};
