// Reading ccxt's input: the records as ccxt returns them, in any framing (one document, an array,
// JSON Lines), each told by its keys; or ccxt's own recorded responses ({"exchange", "methods":
// {name: [{input, parsedResponse}]}}, as its test suite keeps them), where each case is read as the
// method it records.

import { isObject, type Json, type Pos, str } from "../common.js";
import { isObjectItem, type JsonItem } from "../json-values.js";
import { type CcxtImport, problem } from "./context.js";
import { market } from "./identity.js";
import { order } from "./orders.js";
import { trade } from "./trades.js";

const ORDER_METHODS = new Set(["createOrder", "createOrders", "editOrder", "fetchOrder", "fetchOrders", "fetchOpenOrders", "fetchOpenOrder",
  "fetchClosedOrders", "fetchClosedOrder", "fetchCanceledOrders", "fetchCanceledAndClosedOrders", "cancelOrder", "cancelOrders",
  "createMarketBuyOrderWithCost", "createMarketSellOrderWithCost"]);
const TRADE_METHODS = new Set(["fetchMyTrades", "fetchOrderTrades"]);

export function readItem(p: CcxtImport, item: JsonItem): void {
  if (!isObjectItem(item, p.report, "a JSON object (a ccxt order, trade, position or market, or ccxt's recorded responses)")) return;
  const v = item.value;
  if (isObject(v["methods"])) return recorded(p, v["methods"], item.pos, str(v["exchange"]));
  record(p, v, item.pos, item.pos.item === undefined ? undefined : item.group);
}

/** One unified structure; `group` is its array's, when it came in one (a listing). */
function record(p: CcxtImport, v: Json, pos: Pos, group: number | undefined): void {
  if (v["precision"] !== undefined && v["base"] !== undefined && v["quote"] !== undefined) return market(p, v, pos);
  if (v["contracts"] !== undefined || v["entryPrice"] !== undefined) {
    if (group === undefined) return problem(p, pos, "a single position is not a complete position snapshot: not imported (use a fetchPositions listing)");
    const g = p.positionGroups.get(group) ?? { pos: { file: pos.file, line: pos.line }, list: [] };
    g.list.push(v);
    p.positionGroups.set(group, g);
    return;
  }
  if ("status" in v && ("filled" in v || "remaining" in v || "clientOrderId" in v)) return order(p, v, pos);
  if ("takerOrMaker" in v || ("order" in v && "amount" in v)) return trade(p, v, pos);
  if (v["code"] !== undefined && v["rate"] !== undefined) return p.report.ignore("funding payment (not an execution)");
  problem(p, pos, `not a ccxt order, trade, position or market (keys: ${Object.keys(v).slice(0, 6).join(", ")})`);
}

/** ccxt's recorded responses: each case's parsed response, read as the method it records. */
function recorded(p: CcxtImport, methods: Json, pos: Pos, exchange: string | undefined): void {
  for (const [method, cases] of Object.entries(methods)) {
    if (!Array.isArray(cases)) continue;
    cases.forEach((c, i) => {
      p.context = `${exchange ?? "ccxt"} ${method}[${i}]: `;
      const parsed = isObject(c) ? c["parsedResponse"] : undefined;
      if (parsed === undefined || parsed === null) return problem(p, pos, "a case without a parsedResponse: nothing to import");
      const list = Array.isArray(parsed) ? parsed : [parsed];
      if (ORDER_METHODS.has(method)) return list.forEach((o) => (isObject(o) ? order(p, o, pos) : undefined));
      if (TRADE_METHODS.has(method)) return list.forEach((t) => (isObject(t) ? trade(p, t, pos) : undefined));
      if (method === "fetchMarkets") return list.forEach((m) => (isObject(m) ? market(p, m, pos) : undefined));
      if (method === "fetchPositions" || method === "fetchPosition") return recordedPositions(p, method, c as Json, pos);
      if (method === "fetchTrades") return p.report.ignore("ccxt fetchTrades response (the market's public trades, not the account's)");
      p.report.ignore(`ccxt ${method} response (no orders, trades or positions)`);
    });
  }
  p.context = "";
}

function recordedPositions(p: CcxtImport, method: string, c: Json, pos: Pos): void {
  const input = Array.isArray(c["input"]) ? c["input"] : [];
  if (method === "fetchPosition" || !Array.isArray(c["parsedResponse"])) {
    return problem(p, pos, "a single position is not a complete position snapshot: not imported (use a fetchPositions listing)");
  }
  if (Array.isArray(input[0]) && input[0].length > 0) {
    return problem(p, pos, `the positions of ${input[0].map(String).join(", ")} only: not a snapshot of the whole book; not imported`);
  }
  p.positionLists.push({ pos, list: c["parsedResponse"].filter(isObject), prefix: p.context });
}
