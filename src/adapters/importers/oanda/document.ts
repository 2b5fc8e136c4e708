// Reading OANDA's input: a JSON item is a transaction (a stream line) or a document holding API
// responses however they are wrapped (a capture keyed by endpoint, an HTTP exchange). Every
// transaction list, single transaction, order listing and position or trade listing is read
// wherever it sits, and each path read is noted.

import type { AssetClass } from "../../../domain/instruments.js";
import { plural } from "../../../text/plural.js";
import { isObject, type Json, type Pos, str, where } from "../common.js";
import { sizeText } from "../instruments.js";
import { isObjectItem, type JsonItem } from "../json-values.js";
import type { OandaImport } from "./context.js";
import { oandaSymbol } from "./identity.js";
import { transaction } from "./transactions.js";

/** Response keys holding one transaction each (order create/replace/close responses). */
const TX_KEY = /Transaction$/;
/** Parts of a recorded HTTP exchange that the client sent: beside a "response", not the broker's word. */
const HTTP_REQUEST_PARTS = new Set(["url", "params", "body", "request", "headers", "data"]);
/** OANDA's instrument types in our asset classes. */
const OANDA_ASSET_CLASSES: Readonly<Record<string, AssetClass>> = { CURRENCY: "fx", CFD: "cfd", METAL: "commodity" };

/** Where a document is being read: its item's position, the path inside it, the listing time it inherits. */
interface At {
  readonly pos: Pos;
  readonly path: string;
  readonly lastTx: string | undefined;
  /** Every path read so far in the document, noted at the end. */
  readonly read: string[];
}

export function readItem(p: OandaImport, item: JsonItem): void {
  p.ids.enterFile(item.pos.file);
  if (!isObjectItem(item, p.report, "a JSON object (a transaction or an API response)")) return;
  const v = item.value;
  if (typeof v["type"] === "string") {
    transaction(p, v, item.pos, true);
    return;
  }
  readDocument(p, v, item.pos);
}

/**
 * A JSON document: a REST response, or anything holding responses (a capture keyed by endpoint,
 * `{"_v3_...": {"url", "response": {...}}}`). Every transaction list, single transaction, order
 * listing and position or trade listing is read wherever it sits, and each path read is noted.
 */
function readDocument(p: OandaImport, doc: Json, pos: Pos): void {
  const read: string[] = [];
  const recognized = walk(p, doc, { pos, path: "$", lastTx: undefined, read });
  for (const r of read) p.report.note(`${where(pos)}: read ${r}`);
  if (!recognized) {
    p.report.problem(pos, "not an OANDA transaction, transaction listing, order, position or trade listing (no \"type\", \"transactions\", \"*Transaction\", \"orders\", \"positions\" or \"trades\" anywhere in it)");
  }
}

/** One object of a document: an OANDA response (it has a key OANDA answers with) or a wrapper. */
function walk(p: OandaImport, node: Json, inherited: At): boolean {
  const at: At = { ...inherited, lastTx: str(node["lastTransactionID"]) ?? inherited.lastTx };
  const transactions = readTransactions(p, node, at);
  const state = readState(p, node, at);
  return node["lastTransactionID"] !== undefined || transactions || state || descend(p, node, at);
}

/** A response's transactions: a list (idrange, sinceid, account changes), or single ones by key. */
function readTransactions(p: OandaImport, node: Json, { pos, path, read }: At): boolean {
  let response = false;
  const listing = Array.isArray(node["transactions"]) ? { list: node["transactions"], at: `${path}.transactions` }
    : isObject(node["changes"]) && Array.isArray(node["changes"]["transactions"]) ? { list: node["changes"]["transactions"], at: `${path}.changes.transactions` }
      : undefined;
  if (listing !== undefined) {
    response = true;
    transactionList(p, listing.list, pos);
    read.push(`${listing.at} (${listing.list.length} transaction${listing.list.length === 1 ? "" : "s"})`);
  }
  // Single-transaction keys: orderCreateTransaction, orderFillTransaction, ... in id order.
  const singles = Object.keys(node).filter((k) => (TX_KEY.test(k) || k === "transaction") && isObject(node[k]))
    .map((k) => ({ key: k, tx: node[k] as Json }))
    .sort((a, b) => compareIds(str(a.tx["id"]), str(b.tx["id"])));
  for (const { key, tx } of singles) {
    response = true;
    transaction(p, tx, pos, false);
    read.push(`${path}.${key}`);
  }
  if (singles.length > 0) p.links.dependentOrders(singles.map((x) => x.tx), node["relatedTransactionIDs"]);
  return response;
}

/** A response's state: order, position and trade listings, an account, listings with nothing to import. */
function readState(p: OandaImport, node: Json, at: At): boolean {
  const { pos, path, lastTx, read } = at;
  let response = readOrders(p, node, at);
  if (Array.isArray(node["positions"])) {
    response = true;
    p.positions.add(node["positions"], "positions", lastTx, pos);
    read.push(`${path}.positions`);
  } else if (Array.isArray(node["trades"])) {
    response = true;
    p.links.exitOrdersOfTrades(node["trades"]);
    p.positions.add(node["trades"], "trades", lastTx, pos);
    read.push(`${path}.trades`);
  }
  if (isObject(node["account"])) {
    response = true;
    const account = node["account"];
    const id = str(account["id"]);
    const currency = str(account["currency"]);
    if (id !== undefined && currency !== undefined) p.home.state(id, currency);
    const before = read.length;
    walk(p, account, { ...at, path: `${path}.account` });
    if (read.length === before) p.report.ignore("account summary (no orders, trades or positions in it)");
  }
  if (Array.isArray(node["pages"]) && read.length === 0) {
    response = true;
    p.report.problem(pos, `${path}.pages: a transaction page index (URLs): fetch the pages (transactions/idrange) and import those`);
  }
  for (const key of ["accounts", "instruments", "prices"]) {
    if (Array.isArray(node[key])) {
      response = true;
      if (key === "instruments") instrumentListing(p, node[key], pos);
      p.report.ignore(key === "prices" ? "pricing listing" : "account or instrument listing");
    }
  }
  return response;
}

/** An order listing, one order's details (read like a listing of one), or a single position or trade (refused). */
function readOrders(p: OandaImport, node: Json, { pos, path, read }: At): boolean {
  let response = false;
  if (Array.isArray(node["orders"])) {
    response = true;
    p.orderListings.add(node["orders"], pos);
    read.push(`${path}.orders (${node["orders"].length} order${node["orders"].length === 1 ? "" : "s"})`);
  }
  if (isObject(node["order"])) {
    response = true;
    if (str(node["order"]["id"]) === undefined) p.report.problem(pos, `${path}.order: an order request body (what was asked, not what the broker did): not imported`);
    else {
      p.orderListings.add([node["order"]], pos);
      read.push(`${path}.order`);
    }
  }
  if (isObject(node["position"]) || isObject(node["trade"])) {
    // One instrument's position (or one trade) is not the whole book: as a snapshot it would
    // make every other position vanish.
    response = true;
    const what = isObject(node["position"]) ? "position" : "trade";
    p.report.problem(pos, `${path}.${what}: a single ${what} is not a complete position snapshot: not imported (use openPositions / openTrades)`);
  }
  return response;
}

/** A wrapper: look inside. Beside a "response", the request parts are what the client sent. */
function descend(p: OandaImport, node: Json, at: At): boolean {
  const exchange = isObject(node["response"]) || Array.isArray(node["response"]);
  let found = false;
  for (const [key, value] of Object.entries(node)) {
    if (exchange && HTTP_REQUEST_PARTS.has(key)) continue;
    const path = `${at.path}.${key}`;
    if (isObject(value)) found = walk(p, value, { ...at, path }) || found;
    else if (Array.isArray(value) && value.length > 0 && value.every((v) => isObject(v) && typeof v["type"] === "string")) {
      // A recorded stream: transactions and heartbeats, one after the other.
      p.ids.startStream();
      value.forEach((tx, i) => transaction(p, tx as Json, { file: at.pos.file, line: at.pos.line, item: i }, true));
      at.read.push(`${path} (${value.length} stream line${value.length === 1 ? "" : "s"})`);
      found = true;
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => {
        if (isObject(v)) found = walk(p, v, { ...at, path: `${path}[${i}]` }) || found;
      });
    }
  }
  return found;
}

function transactionList(p: OandaImport, list: unknown[], pos: Pos): void {
  p.ids.startStream();
  list.forEach((tx, i) => {
    const at = { file: pos.file, line: pos.line, item: i };
    if (isObject(tx) && typeof tx["type"] === "string") transaction(p, tx, at, true);
    else p.report.problem(at, "expected a transaction object with a type");
  });
}

/**
 * The instruments listing: no record, but each instrument's type (CURRENCY, CFD, METAL) and its
 * pip (10^pipLocation), which is a currency pair's pip size. OANDA states no tick size; for the
 * others, what it does state is passed on beside the placeholder.
 */
function instrumentListing(p: OandaImport, list: unknown[], pos: Pos): void {
  list.forEach((item, i) => {
    const name = isObject(item) ? str(item["name"]) : undefined;
    if (!isObject(item) || name === undefined) return;
    const at: Pos = { file: pos.file, line: pos.line, item: i };
    const symbol = oandaSymbol(p.instruments, name, at);
    const type = str(item["type"]) ?? "";
    const asset = OANDA_ASSET_CLASSES[type];
    if (asset === undefined) p.instruments.hint(symbol, "asset_class", `OANDA's type ${JSON.stringify(type)} is none of them`);
    const location = str(item["pipLocation"]);
    const pip = location !== undefined && /^-?\d{1,2}$/.test(location) ? sizeText(`1e${location}`) : undefined;
    p.instruments.state(symbol, { asset_class: asset, pip_size: asset === "fx" ? pip : undefined }, at);
    const places = str(item["displayPrecision"]);
    if (asset !== "fx" && pip !== undefined) {
      p.instruments.hint(symbol, "tick_size", `OANDA states no tick size; its instruments listing gives a pip of ${pip} (pipLocation ${location})` +
        (places === undefined || !/^\d+$/.test(places) ? "" : ` and prices to ${plural(Number(places), "decimal place")} (displayPrecision)`));
    }
  });
}

function compareIds(a: string | undefined, b: string | undefined): number {
  const x = a !== undefined && /^\d+$/.test(a) ? BigInt(a) : -1n;
  const y = b !== undefined && /^\d+$/.test(b) ? BigInt(b) : -1n;
  return x < y ? -1 : x > y ? 1 : 0;
}
