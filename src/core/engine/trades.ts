// A reconciled fill becomes one trades.csv row, priced against the decision (slippage, session,
// preset) and counted in the report's P&L, exactly once.

import * as D from "../../domain/decimal.js";
import type { Dec } from "../../domain/decimal.js";
import { utcHour } from "../../domain/time.js";
import type { BrokerFill } from "../books/broker-book.js";
import type { EngineCore } from "./context.js";
import type { TradeRow } from "../../domain/report.js";
import type { EngineOrder } from "../books/engine-view.js";
import * as F from "../output/findings.js";
import { feeCurrencyOf, priceFill, sessionOf } from "../rules/index.js";

/**
 * Writes the fill's row (once), with slippage when the engine's order gives a reference price. An
 * orphan's row is shown but kept out of the engine's P&L.
 */
export function writeTradeRow(core: EngineCore, fill: BrokerFill, e: EngineOrder | undefined, source: TradeRow["source"]): void {
  if (core.reported.rowWritten(fill)) return;
  core.reported.markRowWritten(fill);
  const ev = fill.ev;
  const session = sessionOf(core.config, utcHour(ev.ts));
  const instrument = core.instruments.find(ev.symbol);
  const refPrice = instrument === undefined ? undefined : e?.refPrice;
  const slip = refPrice === undefined ? undefined : recordSlippage(core, fill, e, session, refPrice);
  const currencies = core.instruments.feeCurrencies(ev.symbol);
  const feeCurrency = feeCurrencyOf(ev.feeCurrency, currencies);
  if (source !== "orphan") {
    addRealized(core, ev.symbol, fill.realizedPnl);
    if (fill.feeBooking === "other") addFeeOutsidePnl(core, feeCurrency, ev.fee);
  }
  core.out.trade({
    ts: ev.ts.text, decisionId: e?.decisionId ?? "", clientOrderId: e?.clientOrderId ?? ev.clientOrderId ?? "",
    brokerOrderId: ev.brokerOrderId, symbol: ev.symbol, side: ev.side, qty: ev.qty, price: ev.price,
    refPrice, slippagePips: slip, session, fee: ev.fee, realizedPnl: fill.realizedPnl, source,
    currency: currencies.quoteCurrency ?? "", feeCurrency,
  });
}

/** A fee neither in the quote currency nor in the base asset held: kept apart, per currency. */
function addFeeOutsidePnl(core: EngineCore, currency: string, fee: Dec): void {
  const fees = core.totals.feesOutsidePnlByCurrency;
  fees.set(currency, D.add(fees.get(currency) ?? D.ZERO, fee));
}

/** Reported P&L is that of the engine's rows, so summary.txt always equals the sum of trades.csv's. */
function addRealized(core: EngineCore, symbol: string, pnl: Dec): void {
  const t = core.totals;
  const currency = core.instruments.of(symbol).quoteCurrency;
  t.realizedBySymbol.set(symbol, D.add(t.realizedBySymbol.get(symbol) ?? D.ZERO, pnl));
  t.realizedByCurrency.set(currency, D.add(t.realizedByCurrency.get(currency) ?? D.ZERO, pnl));
}

/** Prices the fill, counts a breach, and alerts once per cell without a preset. Returns the slippage. */
function recordSlippage(core: EngineCore, fill: BrokerFill, e: EngineOrder | undefined, session: string, refPrice: Dec): Dec {
  const ev = fill.ev;
  const t = core.totals;
  const instrument = core.instruments.of(ev.symbol);
  const p = priceFill(core.config, ev, { session, refPrice, limitPrice: e?.limitPrice, unitSize: instrument.unitSize });
  if (p.breach) {
    t.slippageBreaches += 1;
    t.breachesBySymbol.set(ev.symbol, (t.breachesBySymbol.get(ev.symbol) ?? 0) + 1);
  }
  t.slippage.record({ symbol: ev.symbol, session, unit: instrument.unit }, p);
  const cell = `${ev.symbol}|${session}`;
  if (p.preset === undefined && !core.reported.missingPresets.has(cell)) {
    core.reported.missingPresets.add(cell);
    core.out.alert(F.slippagePresetMissing(fill, session, e, p.slippagePips, t.breachesBySymbol.get(ev.symbol) ?? 0));
  }
  return p.slippagePips;
}
