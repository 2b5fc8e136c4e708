// Reading Alpaca's input: each JSON item is told by its keys, in any mix: `trade_updates` frames
// from the trading websocket (`{"stream":"trade_updates","data":{...}}`), Broker API trade events
// (SSE `data:` lines), order objects (single, listings, multi-status responses), account
// activities (FILL; other activity types carry no execution), position listings and assets.

import { isObject, type Json, type Pos, str, symbolOf } from "../common.js";
import { sizeText } from "../instruments.js";
import { isObjectItem, type JsonItem } from "../json-values.js";
import type { AlpacaImport } from "./context.js";
import { activity } from "./fills.js";
import { describeInstrument } from "./identity.js";
import { orderObject, tradeUpdate } from "./orders.js";
import { positionItem, positionListing } from "./snapshots.js";

export function readItem(p: AlpacaImport, item: JsonItem): void {
  if (!isObjectItem(item, p.report, "a JSON object (a trade update, order, activity or position)")) return;
  if (readMessage(p, item.value, item.pos)) return;
  readRecord(p, item.value, item.pos, item.group);
}

/** Websocket frames and requests, trade events, activities, multi-status answers: true when `v` is one. */
function readMessage(p: AlpacaImport, v: Json, pos: Pos): boolean {
  const stream = str(v["stream"]);
  if (stream !== undefined) {
    if (stream === "trade_updates" && isObject(v["data"])) tradeUpdate(p, v["data"], pos);
    else p.report.ignore(`websocket ${stream} message`);
    return true;
  }
  if (str(v["action"]) !== undefined && v["order"] === undefined) {
    p.report.ignore("websocket request");
    return true;
  }
  if (str(v["event"]) !== undefined && isObject(v["order"])) tradeUpdate(p, v, pos);
  else if (str(v["activity_type"]) !== undefined) activity(p, v, pos);
  else if (str(v["entry_type"]) !== undefined) p.report.ignore(`non-trade activity ${str(v["entry_type"])}`);
  else if (isObject(v["body"]) && v["status"] !== undefined) multiStatus(p, v, pos);
  else if (typeof v["status"] === "number" && str(v["id"]) !== undefined && v["body"] === undefined) p.report.ignore("cancel request acknowledged (no order state)");
  else return false;
  return true;
}

/** Positions, account events, assets and order objects, told by their keys. */
function readRecord(p: AlpacaImport, v: Json, pos: Pos, group: number): void {
  if (isObject(v["positions"]) || Array.isArray(v["positions"])) return positionListing(p, v, pos);
  if (v["avg_entry_price"] !== undefined && v["qty"] !== undefined) return positionItem(p, v, pos, group);
  if (str(v["event_id"]) !== undefined && str(v["account_id"]) !== undefined && v["order"] === undefined) {
    p.report.ignore("Broker API account/status event");
    return;
  }
  if (str(v["class"]) !== undefined && str(v["symbol"]) !== undefined && v["tradable"] !== undefined) return asset(p, v, pos);
  if (str(v["id"]) !== undefined && str(v["status"]) !== undefined && str(v["side"]) !== undefined) return orderObject(p, v, pos);
  if (str(v["side"]) !== undefined && str(v["symbol"]) !== undefined && v["id"] === undefined) {
    p.report.problem(pos, "an order request body (what was asked, not what the broker did): not imported");
    return;
  }
  p.report.problem(pos, "not an Alpaca trade update, order, activity or position (unrecognized keys: " +
    Object.keys(v).slice(0, 6).join(", ") + ")");
}

/** An asset (GET /v2/assets): no record, but its class and, where it has one, its price_increment. */
function asset(p: AlpacaImport, v: Json, pos: Pos): void {
  p.report.ignore("asset (read for --instruments)");
  describeInstrument(p.instruments, v, pos, "class");
  const symbol = symbolOf(str(v["symbol"])!);
  p.instruments.state(symbol, { tick_size: sizeText(str(v["price_increment"])) }, pos);
}

function multiStatus(p: AlpacaImport, v: Json, pos: Pos): void {
  const status = Number(v["status"]);
  const body = v["body"] as Json;
  if (status >= 200 && status < 300 && str(body["id"]) !== undefined) {
    orderObject(p, body, pos);
    return;
  }
  p.report.problem(pos, `multi-status item ${str(v["id"]) ?? str(v["symbol"]) ?? ""} answered ${v["status"]}: ${str(body["message"]) ?? "no order"}; nothing to import`);
}
