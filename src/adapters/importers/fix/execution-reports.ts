// FIX 4.4 ExecutionReports (35=8) → canonical broker events. ExecType (150) decides the event:
// 0 new → order_accepted (once per order), F trade → fill when LastQty (32) > 0 — FXCM fills LastPx
// (31) with the market price even on reports that fill nothing — 4/C/3 → order_cancelled,
// 8 → order_rejected (or order_cancelled when part of the order had filled: the remainder was
// refused), 5 replaced → order_accepted of the replacement, which keeps the client order id at the
// root of the OrigClOrdID (41) chain. H (trade cancel) and G (trade correct) amend an earlier fill
// at the end (amendments.ts).

import { type Dec, isZero, SCALE_DIGITS, sign, sub } from "../../../domain/decimal.js";
import { decOf, decText, type Pos, symbolOf } from "../common.js";
import type { FixImport } from "./context.js";
import { describeInstrument, eventIdOf, rootClOrdId } from "./identity.js";
import { executionTime, type FixMessage, sessionOf } from "./messages.js";

const SIDES: Readonly<Record<string, "buy" | "sell">> = { "1": "buy", "2": "sell", "5": "sell", "6": "sell" };

/** One ExecutionReport as read: its fields, ExecType, the ids it names, and what every record of it carries. */
interface Report {
  readonly f: ReadonlyMap<string, string>;
  readonly execType: string;
  readonly base: { readonly ts: string; readonly event_id: string };
  readonly clOrdId: string | undefined;
  readonly orig: string | undefined;
  /** The engine's key: the root of the ClOrdID's replace chain. */
  readonly coid: string | undefined;
  readonly brokerOrderId: string | undefined;
  readonly pos: Pos;
}

export function executionReport(p: FixImport, msg: FixMessage, pos: Pos): void {
  const f = msg.fields;
  const execType = f.get("150") ?? "";
  const ts = executionTime(f.get("60"), f.get("52"));
  if (ts === undefined) {
    p.report.problem(pos, `ExecutionReport: TransactTime (60) / SendingTime (52): expected YYYYMMDD-HH:MM:SS[.fff], got ${JSON.stringify(f.get("60") ?? f.get("52"))}`);
    return;
  }
  const clOrdId = f.get("11");
  const orig = f.get("41");
  if (clOrdId !== undefined && orig !== undefined && orig !== clOrdId) p.replaces.set(clOrdId, orig);
  const coid = clOrdId === undefined ? undefined : rootClOrdId(p, clOrdId);
  const orderId = f.get("37");
  const brokerOrderId = orderId !== undefined && orderId !== "NONE" ? orderId : undefined;
  const r: Report = { f, execType, base: { ts, event_id: eventIdOf(msg) }, clOrdId, orig, coid, brokerOrderId, pos };
  switch (execType) {
    case "0":
    case "5":
      return acknowledged(p, r);
    case "F":
    case "1":
    case "2":
      return trade(p, r);
    case "4":
    case "C":
    case "3":
      return cancelled(p, r);
    case "8":
      return rejected(p, r);
    case "H":
    case "G":
      return amended(p, r);
    default:
      p.report.ignore(`ExecutionReport ExecType ${execType}`);
  }
}

/** 0 new, 5 replaced: the order (or its replacement) acknowledged, once. */
function acknowledged(p: FixImport, r: Report): void {
  const { execType, brokerOrderId, coid, pos } = r;
  if (brokerOrderId === undefined || coid === undefined) {
    p.report.problem(pos, `ExecType ${execType}: expected ClOrdID (11) and OrderID (37)`);
    return;
  }
  const key = `${brokerOrderId}|${r.clOrdId}`;
  if (p.acked.has(key)) {
    p.report.ignore("ExecType 0 restatement of an acknowledged order");
    return;
  }
  p.acked.add(key);
  const ack = orderFields(p, r.f, pos);
  if (ack === undefined) return;
  const fields: Record<string, unknown> = { type: "order_accepted", ...r.base, client_order_id: coid, broker_order_id: brokerOrderId, ...ack };
  if (execType === "5") fields["replaces_client_order_id"] = r.orig;
  push(p, fields, pos);
}

function cancelled(p: FixImport, r: Report): void {
  if (r.brokerOrderId === undefined) {
    p.report.problem(r.pos, `ExecType ${r.execType} (cancel): expected OrderID (37)`);
    return;
  }
  const reason = r.execType === "C" ? "expired" : r.execType === "3" ? "done_for_day" : "canceled";
  push(p, { type: "order_cancelled", ...r.base, broker_order_id: r.brokerOrderId, reason }, r.pos);
}

function rejected(p: FixImport, r: Report): void {
  const { f, brokerOrderId, coid, pos } = r;
  const reason = f.get("58") ?? f.get("103") ?? "rejected";
  const cum = decOf(f.get("14") ?? "0");
  if (cum !== undefined && sign(cum) > 0 && brokerOrderId !== undefined) {
    // Part of the order had filled: the remainder was refused, which for the book is a cancel.
    push(p, { type: "order_cancelled", ...r.base, broker_order_id: brokerOrderId, reason: `remainder rejected: ${reason}` }, pos);
    return;
  }
  if (coid === undefined) {
    p.report.problem(pos, "ExecType 8 (rejected): expected ClOrdID (11)");
    return;
  }
  push(p, { type: "order_rejected", ...r.base, client_order_id: coid, reason, ...(brokerOrderId === undefined ? {} : { broker_order_id: brokerOrderId }) }, pos);
}

/** H (trade cancel), G (trade correction): kept to apply at the end to the fill they name. */
function amended(p: FixImport, r: Report): void {
  const { f, execType, pos } = r;
  const ref = f.get("19"); // ExecRefID: the execution busted or corrected
  if (ref === undefined) {
    p.report.problem(pos, `ExecType ${execType} (trade ${execType === "H" ? "cancel" : "correction"}): expected ExecRefID (19)`);
    return;
  }
  p.amendments.push({ kind: execType as "H" | "G", ref, execId: f.get("17") ?? "", session: sessionOf(f), qty: decOf(f.get("32") ?? ""), price: f.get("31"), pos });
  // The order's CumQty after the bust or correction: later fills are counted from it.
  const cum = decOf(f.get("14") ?? "");
  if (cum !== undefined && r.brokerOrderId !== undefined) p.cumByOrder.set(r.brokerOrderId, cum);
}

function trade(p: FixImport, r: Report): void {
  const { f, brokerOrderId, coid, pos } = r;
  const lastQty = decOf(f.get("32") ?? "0");
  if (lastQty === undefined || isZero(lastQty)) {
    // FXCM sets LastPx (31) to the market price on reports that executed nothing.
    p.report.ignore("ExecType F with LastQty 0 (not a fill)");
    return;
  }
  if (brokerOrderId === undefined) {
    p.report.problem(pos, "fill: expected OrderID (37)");
    return;
  }
  let qty = lastQty;
  const cum = decOf(f.get("14") ?? "");
  if (cum !== undefined) {
    // A later report of the same execution (FXCM's fill, then "order done") must not fill twice.
    const before = p.cumByOrder.get(brokerOrderId);
    const fresh = before === undefined ? cum : sub(cum, before);
    if (sign(fresh) <= 0) {
      p.report.ignore("fill report whose CumQty (14) was already imported");
      return;
    }
    if (fresh < qty) qty = fresh;
    p.cumByOrder.set(brokerOrderId, cum);
  }
  const order = orderFields(p, f, pos);
  if (order === undefined) return;
  const fields: Record<string, unknown> = {
    type: "fill", ...r.base, ...(coid === undefined ? {} : { client_order_id: coid }), broker_order_id: brokerOrderId,
    symbol: order["symbol"], side: order["side"], qty: decText(qty), price: f.get("31"),
  };
  p.fillsByExec.set(`${sessionOf(f)}|${f.get("17") ?? ""}`, { fields, pos });
  const fee = commission(p, f, qty, pos);
  if (fee !== undefined && sign(fee) > 0) {
    fields["fee"] = decText(fee);
    const currency = f.get("479"); // CommCurrency
    if (currency !== undefined && currency !== "") fields["fee_currency"] = currency;
  }
  push(p, fields, pos);
}

/**
 * An execution's fee: Commission (12) read as CommType (13) says. 3 (absolute), or no CommType, is
 * the amount; 1 (per unit) is per unit filled; 2 (percentage, 5% written .05) is that share of the
 * execution's value (LastQty x LastPx). Other types (percentages waived, points per bond or
 * contract) are reported and the fee left out, as is a product the replay's decimals cannot hold.
 */
function commission(p: FixImport, f: ReadonlyMap<string, string>, qty: Dec, pos: Pos): Dec | undefined {
  const amount = decOf(f.get("12") ?? "");
  if (amount === undefined || sign(amount) <= 0) return undefined;
  const type = f.get("13") ?? "3";
  if (type === "3") return amount;
  const price = decOf(f.get("31") ?? "");
  const fee = type === "1" ? exactProduct([amount, qty]) : type === "2" && price !== undefined ? exactProduct([amount, qty, price]) : undefined;
  if (fee === undefined) {
    p.report.problem(pos, type === "1" || type === "2"
      ? `Commission (12) ${f.get("12")} with CommType (13) ${type}: the fee has more than ${SCALE_DIGITS} decimal places${type === "2" && price === undefined ? " or no LastPx (31)" : ""}; fee left out`
      : `Commission (12) ${f.get("12")} with CommType (13) ${JSON.stringify(type)}: only 1 (per unit), 2 (percentage) and 3 (absolute) say what the fee is; fee left out`);
  }
  return fee;
}

function orderFields(p: FixImport, f: ReadonlyMap<string, string>, pos: Pos): Record<string, unknown> | undefined {
  const side = SIDES[f.get("54") ?? ""];
  const symbol = f.get("55");
  const qty = decOf(f.get("38") ?? "");
  if (side === undefined || symbol === undefined) {
    p.report.problem(pos, `expected Side (54) 1/2/5/6 and Symbol (55), got ${JSON.stringify(f.get("54"))} / ${JSON.stringify(symbol)}`);
    return undefined;
  }
  describeInstrument(p, f, pos);
  return { symbol: symbolOf(symbol), side, ...(qty === undefined ? {} : { qty: decText(qty) }) };
}

/** The product of decimals, when the replay's decimals hold it exactly. */
function exactProduct(factors: readonly Dec[]): Dec | undefined {
  const scale = 10n ** BigInt(SCALE_DIGITS);
  const product = factors.reduce<bigint>((acc, d) => acc * d, 1n);
  const divisor = scale ** BigInt(factors.length - 1);
  return product % divisor === 0n ? (product / divisor) as Dec : undefined;
}

function push(p: FixImport, fields: Record<string, unknown>, pos: Pos): void {
  p.out.push({ ts: fields["ts"] as string, fields, pos, seq: p.seq });
}
