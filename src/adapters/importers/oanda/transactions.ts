// One OANDA transaction → its canonical records: checked (id, time), remembered for the sequence,
// and handed to the translation of its type. Every record it gives sorts by its transaction id
// among records of the same instant.

import { type Json, type Pos, str, toUtc } from "../common.js";
import type { OandaImport, TxContext } from "./context.js";
import { dailyFinancing, fill } from "./fills.js";
import { ENTRY_ORDER_TYPES, EXIT_ORDER_TYPES } from "./identity.js";
import { cancel, clientExtensionsModify, exitOrder, orderCreate, reject } from "./orders.js";

const ENTRY_REJECT_TYPES = new Set([...ENTRY_ORDER_TYPES].map((t) => `${t}_REJECT`));
/** Transaction types that move no order, fill or position the replay tracks (v20 TransactionType). */
const NON_TRADING_TYPES = new Set([
  "CREATE", "CLOSE", "REOPEN", "CLIENT_CONFIGURE", "CLIENT_CONFIGURE_REJECT", "TRANSFER_FUNDS", "TRANSFER_FUNDS_REJECT",
  "TAKE_PROFIT_ORDER_REJECT", "STOP_LOSS_ORDER_REJECT", "TRAILING_STOP_LOSS_ORDER_REJECT", "GUARANTEED_STOP_LOSS_ORDER_REJECT",
  "ORDER_CANCEL_REJECT", "ORDER_CLIENT_EXTENSIONS_MODIFY_REJECT", "TRADE_CLIENT_EXTENSIONS_MODIFY",
  "TRADE_CLIENT_EXTENSIONS_MODIFY_REJECT", "MARGIN_CALL_ENTER", "MARGIN_CALL_EXTEND", "MARGIN_CALL_EXIT",
  "DELAYED_TRADE_CLOSURE", "DIVIDEND_ADJUSTMENT", "RESET_RESETTABLE_PL",
]);

/** A transaction; `sequential` when it comes in a stream or listing, whose ids must not jump. */
export function transaction(p: OandaImport, tx: Json, pos: Pos, sequential: boolean): void {
  const type = str(tx["type"])!;
  if (type === "HEARTBEAT") {
    p.ids.heartbeat(tx, pos);
    return;
  }
  if (type === "PRICE") {
    p.report.ignore("PRICE (pricing stream line)");
    return;
  }
  const id = str(tx["id"]);
  const ts = toUtc(str(tx["time"]) ?? "");
  if (id === undefined || !/^\d+$/.test(id)) {
    p.report.problem(pos, `${type}: field "id": expected a transaction id (decimal digits), got ${JSON.stringify(tx["id"])}`);
    return;
  }
  if (ts === undefined) {
    p.report.problem(pos, `${type} ${id}: field "time": expected an RFC 3339 timestamp, got ${JSON.stringify(tx["time"])}`);
    return;
  }
  if (sequential) p.ids.checkSequence(BigInt(id), pos);
  const account = str(tx["accountID"]);
  p.ids.remember(account ?? "", BigInt(id), { ts, pos, type });
  const eventId = account === undefined ? `oanda:${id}` : `oanda:${account}:${id}`;
  const from = p.out.length;
  dispatch(p, { tx, type, id, ts, eventId, pos });
  for (let i = from; i < p.out.length; i += 1) p.out[i]!.seq = { scope: `oanda:${account ?? ""}`, n: BigInt(id) * 2n };
}

function dispatch(p: OandaImport, ctx: TxContext): void {
  const { type, id, pos } = ctx;
  if (ENTRY_ORDER_TYPES.has(type)) orderCreate(p, ctx);
  else if (EXIT_ORDER_TYPES.has(type)) exitOrder(p, ctx);
  else if (type === "ORDER_FILL") fill(p, ctx);
  else if (type === "ORDER_CANCEL") cancel(p, ctx);
  else if (ENTRY_REJECT_TYPES.has(type)) reject(p, ctx);
  else if (type === "ORDER_CLIENT_EXTENSIONS_MODIFY") clientExtensionsModify(p, ctx);
  else if (type === "DAILY_FINANCING") dailyFinancing(p, ctx);
  else if (NON_TRADING_TYPES.has(type)) {
    // The account's creation states its home currency, the currency of its fees and financing.
    const home = type === "CREATE" ? str(ctx.tx["homeCurrency"]) : undefined;
    if (home !== undefined) p.home.state(str(ctx.tx["accountID"]) ?? "", home);
    p.report.ignore(type);
  }
  else p.report.problem(pos, `transaction ${id}: unknown transaction type ${JSON.stringify(type)} (not in the v20 TransactionType list)`);
}
