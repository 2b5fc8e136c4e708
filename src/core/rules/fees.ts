// A fee is an amount in the currency it was charged in. Where it lands depends on that currency:
//
//   the instrument's quote currency   netted into the fill's realized P&L
//   the base asset of a balance       the quantity held moves: a buy delivers qty - fee, a sell
//   (crypto spot: ADA on ADAUSD)      costs qty + fee, on both books alike
//   anything else (BNB, EUR on a      kept out of P&L and totalled per currency
//   USD stock)
//
// Pure: the books ask this rule how a fill moves a position, then apply it.

import * as D from "../../domain/decimal.js";
import type { Dec } from "../../domain/decimal.js";
import { DataError } from "../../domain/errors.js";
import type { Side } from "../../domain/records.js";

export type FeeBooking = "quote" | "base" | "other";

/** What the rule needs of an instrument: its currencies (null where the config does not describe it). */
export interface FeeCurrencies {
  readonly quoteCurrency: string | null;
  readonly baseCurrency: string | undefined;
}

/**
 * Where a fee charged in `feeCurrency` lands. A fee with no stated currency is in the quote
 * currency (or, for an instrument the config does not describe, in a currency no one named).
 */
export function feeBooking(fee: Dec, feeCurrency: string | undefined, instrument: FeeCurrencies): FeeBooking {
  if (D.isZero(fee)) return "quote";
  if (feeCurrency === undefined || feeCurrency === instrument.quoteCurrency) return instrument.quoteCurrency === null ? "other" : "quote";
  return feeCurrency === instrument.baseCurrency ? "base" : "other";
}

/** The currency a fill's fee is in, as trades.csv names it ("" when no one names it). */
export function feeCurrencyOf(feeCurrency: string | undefined, instrument: FeeCurrencies): string {
  return feeCurrency ?? instrument.quoteCurrency ?? "";
}

/** A fill as a position sees it: units delivered (or given up) and the price per unit. */
export interface PositionChange {
  readonly qty: Dec;
  readonly price: Dec;
}

/**
 * How a fill moves a position. A fee in the base asset changes the units the fill delivers: a buy
 * of 30 with a fee of 0.01 delivers 29.99 for what 30 cost, a sell of 30 gives up 30.01 for what
 * 30 fetched, so the fee lands in the average cost (average-cost accounting, as on both books).
 */
export function positionChange(fill: { readonly side: Side; readonly qty: Dec; readonly price: Dec; readonly fee: Dec; readonly line: number }, booking: FeeBooking): PositionChange {
  const { side, qty, price, fee } = fill;
  if (booking !== "base") return { qty, price };
  const delivered = side === "buy" ? D.sub(qty, fee) : D.add(qty, fee);
  if (D.sign(delivered) <= 0) {
    throw new DataError("broker", fill.line, "fee", `a fee in the base asset below the fill's qty (${D.toPlain(qty)}): a buy delivers qty - fee`, D.toPlain(fee));
  }
  return { qty: delivered, price: D.div(D.mul(qty, price), delivered) };
}

/** The part of a fee that is netted into P&L: the whole fee in the quote currency, else nothing. */
export function feeInPnl(fee: Dec, booking: FeeBooking): Dec {
  return booking === "quote" ? fee : D.ZERO;
}
