// Interactive Brokers TWS API messages, as recorded by client libraries → canonical broker events.
//
// Input: one incoming message per line with fields separated by `|` (NUL on the wire) or NUL, a
// recorded session YAML whose responses are `- raw: "..."` lines with `\0` separators, or a raw TWS
// API log (`// hh:mm:ss:mmm -> ` lines, NUL shown as "-", see rawLogFields). Only messages from TWS
// are read (a request is what the client sent, with clashing message ids).
// The layout is that of current TWS servers (no version field in orderStatus / execDetails).
//
// Joins and quirks: commissionReport is joined to its execDetails by execId; an execId whose last
// segment is higher (`.02`) corrects the one before it (`.01`), and only the latest is imported;
// 1.7976931348623157E308 (Double.MAX_VALUE) means "not set"; sides are BOT/SLD on executions.
// Execution times carry no zone ("20230224  12:04:56" is in the TWS login's zone): without --tz
// the importer refuses (exit 2) rather than guess. openOrder / orderStatus / position carry no time
// at all: they take the time of the nearest timed message before them (else after them, else
// --as-of), and say so with `ts_inferred: true`.

import { type Dec, div, isZero, parseDec, sign } from "../../../domain/decimal.js";
import { ConfigError } from "../../../domain/errors.js";
import type { AssetClass } from "../../../domain/instruments.js";
import {
  type BrokerSeq, decOf, decText, ImportReport, instantOf, type ImportOptions, type ImportResult, type OutRecord, type Pos, snapshotEventId, symbolOf, toUtc, where,
} from "../common.js";
import { InstrumentFacts, sizeText } from "../instruments.js";
import { wallToUtc } from "../tz.js";
import { compareInstants } from "../../../domain/time.js";

const UNSET_DOUBLE = "1.7976931348623157E308";
const UNSET_INTS = new Set(["2147483647", "9223372036854775807", "-2147483648"]);
const EXEC_ID = /^[0-9a-f]+\.[0-9a-f]+\.[0-9a-f]+\.([0-9a-f]+)$/i;
const INFO_MESSAGES: Readonly<Record<string, string>> = {
  "9": "nextValidId", "15": "managedAccounts", "53": "openOrderEnd", "55": "execDetailsEnd", "63": "accountSummary",
  "64": "accountSummaryEnd", "102": "completedOrdersEnd",
  "1": "tickPrice", "2": "tickSize", "6": "updateAccountValue", "7": "updatePortfolio", "8": "updateAccountTime",
  "46": "tickString", "52": "contractDataEnd", "17": "historicalData",
};
/** IB's secType in our asset classes; the other secTypes (WAR, BAG, FUND, ...) have no counterpart. */
const IB_ASSET_CLASSES: Readonly<Record<string, AssetClass>> = {
  STK: "equity", CASH: "fx", FUT: "future", CONTFUT: "future", OPT: "option", FOP: "option", CRYPTO: "crypto", CFD: "cfd",
  IND: "index", CMDTY: "commodity", BOND: "bond",
};
const IB_SEC_TYPES = new Set([...Object.keys(IB_ASSET_CLASSES), "WAR", "IOPT", "FWD", "BAG", "BILL", "FUND", "FIXED", "SLB", "NEWS", "BSK", "ICU", "ICS"]);
/**
 * Where contractData (10) holds the fields read, by layout: with a version field (older servers),
 * without it, and without it but with lastTradeDate after lastTradeDateOrContractMonth.
 */
const MESSAGE_10_LAYOUTS = [
  { symbol: 3, secType: 4, strike: 6, currency: 9, localSymbol: 10, conId: 13, minTick: 14 },
  { symbol: 2, secType: 3, strike: 5, currency: 8, localSymbol: 9, conId: 12, minTick: 13 },
  { symbol: 2, secType: 3, strike: 6, currency: 9, localSymbol: 10, conId: 13, minTick: 14 },
] as const;
const LIVE_STATES = new Set(["PreSubmitted", "Submitted", "PendingSubmit", "ApiPending", "PendingCancel", "Filled"]);

/** An IB number, or undefined for empty and the "not set" sentinels. */
export function ibNumber(text: string | undefined): Dec | undefined {
  if (text === undefined || text === "" || text.toUpperCase() === UNSET_DOUBLE.toUpperCase() || UNSET_INTS.has(text)) return undefined;
  return decOf(text);
}

/** Splits one recorded line into a message's fields; undefined when the line holds no message. */
export function ibFields(text: string): { fields: string[] } | { request: true } | { bad: string } | undefined {
  const yaml = /^(\s*)(-\s+)?raw:\s*"(.*)"\s*$/.exec(text);
  if (yaml !== null) {
    if (yaml[2] === undefined) return { request: true };
    const unescaped = yaml[3]!.replace(/\\(0|"|\\|n|t)/g, (_m, c: string) => (c === "0" ? "\u0000" : c === "n" ? "\n" : c === "t" ? "\t" : c));
    return { fields: dropTerminator(unescaped.split("\u0000")) };
  }
  if (text.startsWith("//")) return rawLogFields(text);
  if (!/^\d+[|\u0000]/.test(text)) return undefined;
  return { fields: dropTerminator(text.split(/[|\u0000]/)) };
}

const RAW_LINE = /^\/\/ \d{2}:\d{2}:\d{2}:\d{3} (<-|->) (.*)$/;

/**
 * A raw TWS API log line (`// 11:49:32:834 -> ` then the message as sent on the wire): a 4-byte
 * length prefix, then fields with NUL shown as "-". The prefix is checked when all four bytes were
 * printable ("---T" is 84); bytes above 127 show as U+FFFD and cannot be read back. A "-" also
 * starts a negative number: execDetails' reqId (-1 for live executions) is the one the importer
 * reads; the other fields it reads are never negative, and each message's layout is checked.
 */
function rawLogFields(text: string): { fields: string[] } | { request: true } | { bad: string } | undefined {
  const m = RAW_LINE.exec(text);
  if (m === null) return undefined; // a comment
  if (m[1] === "<-") return { request: true };
  const chars = [...m[2]!];
  const prefix = chars.slice(0, 4);
  const body = chars.slice(4).join("");
  if (prefix.length === 4 && prefix.every((c) => c === "-" || (c > " " && c <= "~"))) {
    const declared = prefix.reduce((n, c) => n * 256 + (c === "-" ? 0 : c.charCodeAt(0)), 0);
    const actual = Buffer.byteLength(body, "utf8");
    if (declared !== actual) return { bad: `raw TWS message: its length prefix says ${declared} bytes but it has ${actual}: not imported` };
  }
  const fields = dropTerminator(body.split("-"));
  if (fields[0] === "11" && fields[1] === "" && /^\d+$/.test(fields[2] ?? "")) fields.splice(1, 2, `-${fields[2]}`);
  return { fields };
}

function dropTerminator(fields: string[]): string[] {
  return fields.length > 1 && fields[fields.length - 1] === "" ? fields.slice(0, -1) : fields;
}

interface OrderInfo {
  readonly permId: string;
  readonly coid: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly qty: Dec | undefined;
}

/** A record with an optional time: untimed ones borrow a neighbour's time at the end. */
interface Entry {
  ts: string | undefined;
  readonly fields: Record<string, unknown> | undefined;
  readonly pos: Pos;
  /** An execution's place in the account's sequence (its execId). */
  readonly seq?: BrokerSeq;
}

interface Exec {
  readonly entry: Entry;
  readonly execId: string;
  readonly rev: bigint;
}

class IbImporter {
  readonly report = new ImportReport();
  private readonly timeline: Entry[] = [];
  private readonly orders = new Map<string, OrderInfo>();
  private readonly permByOrderId = new Map<string, string>();
  private readonly acked = new Set<string>();
  private readonly terminal = new Set<string>();
  private readonly execs = new Map<string, Exec>();
  private readonly commissions = new Map<string, { commission: Dec | undefined; currency: string }>();
  private readonly completed: { info: OrderInfo; ts: string; status: string; action: string; anchor: Entry; pos: Pos }[] = [];
  private positions: Record<string, unknown>[] | undefined;
  private positionsPos: Pos | undefined;
  private zonelessWarned = false;
  readonly instruments = new InstrumentFacts({
    tick_size: "not stated by the source (IB states minTick in contract details: import a reqContractDetails answer, message 10, with the messages)",
  });

  constructor(private readonly opts: ImportOptions) {}

  line(text: string, pos: Pos): void {
    const parsed = ibFields(text);
    if (parsed === undefined) return; // YAML structure, blank or comment lines
    if ("request" in parsed) {
      this.report.ignore("request sent to TWS");
      return;
    }
    if ("bad" in parsed) {
      this.report.problem(pos, parsed.bad);
      return;
    }
    this.message(parsed.fields, pos);
  }

  private message(f: string[], pos: Pos): void {
    const id = f[0]!;
    switch (id) {
      case "5": return this.openOrder(f, pos);
      case "3": return this.orderStatus(f, pos);
      case "4": return this.error(f, pos);
      case "11": return this.execDetails(f, pos);
      case "59": return this.commissionReport(f);
      case "10": return this.contractData(f, pos);
      case "61": return this.position(f, pos);
      case "101": return this.completedOrder(f, pos);
      case "62": return this.positionEnd(pos);
      case "49": {
        const secs = f[2] ?? f[1];
        if (secs !== undefined && /^\d+$/.test(secs)) this.timeline.push({ ts: new Date(Number(secs) * 1000).toISOString().slice(0, 19) + "Z", fields: undefined, pos });
        this.report.ignore("currentTime (used as a time anchor)");
        return;
      }
      default:
        this.report.ignore(`message ${id} ${INFO_MESSAGES[id] ?? "(not an order, execution or position)"}`);
    }
  }

  private coidOf(orderRef: string | undefined, clientId: string | undefined, orderId: string | undefined): string {
    if (orderRef !== undefined && orderRef !== "") return orderRef;
    return `ib:${clientId ?? "?"}:${orderId ?? "?"}`;
  }

  /** The symbol of a contract; what its fields say of the instrument is kept for --instruments. */
  private symbolOf(secType: string, symbol: string, currency: string, localSymbol: string, pos: Pos): string {
    const sym = secType === "CASH" ? symbolOf(symbol + currency)
      : secType === "STK" || localSymbol === "" ? symbolOf(symbol) : symbolOf(localSymbol.replace(/\s+/g, ""));
    const asset = IB_ASSET_CLASSES[secType];
    if (asset === undefined && secType !== "") this.instruments.hint(sym, "asset_class", `IB's secType ${JSON.stringify(secType)} is none of them`);
    this.instruments.state(sym, { asset_class: asset, quote_currency: currency, base_currency: secType === "CRYPTO" ? symbol : undefined }, pos);
    return sym;
  }

  /**
   * contractData (10), the answer to reqContractDetails: no record, but the contract's minTick is
   * its tick size. Its layout depends on the server version; the one layout whose fields read as a
   * contract is used, and a message no single layout fits is noted and left out.
   */
  private contractData(f: string[], pos: Pos): void {
    this.report.ignore("message 10 contractData (read for --instruments)");
    const minTick = (text: string | undefined) => (ibNumber(text) === undefined ? undefined : sizeText(text));
    const fits = MESSAGE_10_LAYOUTS.filter((at) => IB_SEC_TYPES.has(f[at.secType] ?? "") && /^[A-Z]{3}$/.test(f[at.currency] ?? "") &&
      /^\d+$/.test(f[at.conId] ?? "") && (f[at.strike] === "" || parseDec(f[at.strike] ?? "") !== undefined) && minTick(f[at.minTick]) !== undefined);
    if (fits.length !== 1) {
      this.report.note(`${where(pos)}: contractData: ${fits.length === 0 ? "no" : "more than one"} known layout fits; its minTick is not read`);
      return;
    }
    const at = fits[0]!;
    const symbol = this.symbolOf(f[at.secType]!, f[at.symbol] ?? "", f[at.currency]!, f[at.localSymbol] ?? "", pos);
    this.instruments.state(symbol, { tick_size: minTick(f[at.minTick]) }, pos);
  }

  private openOrder(f: string[], pos: Pos): void {
    const [, orderId, , symbol, secType, , , , , , currency, localSymbol, , action, totalQty, , , , , , , , , orderRef, clientId, permId] = f;
    if (permId === undefined || action === undefined || symbol === undefined || !/^\d+$/.test(permId)) {
      this.report.problem(pos, "openOrder: unexpected layout (expected permId as field 26 and action BUY/SELL as field 14)");
      return;
    }
    const side = action === "BUY" ? "buy" : action === "SELL" || action === "SSHORT" ? "sell" : undefined;
    if (side === undefined) {
      this.report.problem(pos, `openOrder ${orderId}: action ${JSON.stringify(action)}: expected BUY or SELL`);
      return;
    }
    const info: OrderInfo = {
      permId, coid: this.coidOf(orderRef, clientId, orderId), symbol: this.symbolOf(secType ?? "", symbol, currency ?? "", localSymbol ?? "", pos),
      side, qty: ibNumber(totalQty),
    };
    if (!this.orders.has(permId)) this.orders.set(permId, info);
    if (orderId !== undefined) this.permByOrderId.set(orderId, permId);
    if (this.acked.has(permId)) {
      this.report.ignore("openOrder repeat (order already acknowledged)");
      return;
    }
    if (info.qty === undefined || sign(info.qty) <= 0) {
      this.report.problem(pos, `openOrder ${orderId}: totalQuantity ${JSON.stringify(totalQty)}: expected a positive quantity`);
      return;
    }
    this.acked.add(permId);
    this.timeline.push({ ts: undefined, pos, fields: {
      type: "order_accepted", ts: "", event_id: `ib:order:${permId}:accepted`, client_order_id: info.coid, broker_order_id: permId,
      symbol: info.symbol, side, qty: decText(info.qty), ts_inferred: true,
    } });
  }

  private orderStatus(f: string[], pos: Pos): void {
    const [, orderId, status, , , , permId, , , clientId] = f;
    if (orderId !== undefined && permId !== undefined && permId !== "0") this.permByOrderId.set(orderId, permId);
    const perm = permId !== undefined && permId !== "0" ? permId : orderId === undefined ? undefined : this.permByOrderId.get(orderId);
    if (status === "Cancelled" || status === "ApiCancelled") return this.cancelled(perm, status, pos);
    if (status === "Inactive") {
      const info = perm === undefined ? undefined : this.orders.get(perm);
      return this.rejected(perm ?? `${clientId}:${orderId}`, info?.coid ?? this.coidOf(undefined, clientId, orderId), "Inactive", pos);
    }
    if (status !== undefined && LIVE_STATES.has(status)) {
      this.report.ignore(`orderStatus ${status}`);
      return;
    }
    this.report.problem(pos, `orderStatus: unknown status ${JSON.stringify(status)}`);
  }

  private cancelled(perm: string | undefined, reason: string, pos: Pos): void {
    if (perm === undefined) {
      this.report.problem(pos, "order cancel: no permId known for this order (its openOrder / orderStatus is not in the input)");
      return;
    }
    if (this.terminal.has(perm)) {
      this.report.ignore("repeated cancel of an order");
      return;
    }
    this.terminal.add(perm);
    this.timeline.push({ ts: undefined, pos, fields: {
      type: "order_cancelled", ts: "", event_id: `ib:order:${perm}:cancelled`, broker_order_id: perm, reason, ts_inferred: true,
    } });
  }

  private rejected(key: string, coid: string, reason: string, pos: Pos): void {
    if (this.terminal.has(key)) return;
    this.terminal.add(key);
    this.timeline.push({ ts: undefined, pos, fields: {
      type: "order_rejected", ts: "", event_id: `ib:order:${key}:rejected`, client_order_id: coid, reason, ts_inferred: true,
    } });
  }

  private error(f: string[], pos: Pos): void {
    const [, , orderId, code, message] = f;
    const perm = orderId === undefined ? undefined : this.permByOrderId.get(orderId);
    if (code === "202") return this.cancelled(perm, `error 202: ${message ?? ""}`.trim(), pos);
    if (code === "201") {
      const info = perm === undefined ? undefined : this.orders.get(perm);
      return this.rejected(perm ?? `order-${orderId}`, info?.coid ?? this.coidOf(undefined, undefined, orderId), `error 201: ${message ?? ""}`.trim(), pos);
    }
    this.report.ignore(`error/notice ${code}`);
  }

  private execDetails(f: string[], pos: Pos): void {
    const [, , orderId, , symbol, secType, , , , , , currency, localSymbol, , execId, time, acct, , side, shares, price, permId, clientId, , , , orderRef] = f;
    const rev = execId === undefined ? null : EXEC_ID.exec(execId);
    if (rev === null || execId === undefined || (side !== "BOT" && side !== "SLD") || symbol === undefined) {
      this.report.problem(pos, `execDetails: unexpected layout (expected execId as field 15 and side BOT/SLD as field 19, got ${JSON.stringify(execId)} / ${JSON.stringify(side)})`);
      return;
    }
    const ts = this.execTime(time ?? "", pos);
    if (ts === undefined) return;
    const base = execId.slice(0, execId.lastIndexOf("."));
    const perm = permId !== undefined && permId !== "0" ? permId : `${clientId}:${orderId}`;
    const entry: Entry = { ts, pos, seq: { scope: `ib:${acct ?? ""}`, n: execIdNumber(execId) }, fields: {
      type: "fill", ts, event_id: `ib:exec:${acct ?? ""}:${base}`, client_order_id: this.orders.get(perm)?.coid ?? this.coidOf(orderRef, clientId, orderId),
      broker_order_id: perm, symbol: this.symbolOf(secType ?? "", symbol, currency ?? "", localSymbol ?? "", pos),
      side: side === "BOT" ? "buy" : "sell", qty: shares, price, exec_id: execId,
    } };
    this.timeline.push(entry);
    const revision = BigInt("0x" + rev[1]!);
    const prior = this.execs.get(base);
    if (prior === undefined || revision > prior.rev) {
      if (prior !== undefined) this.report.ignore("execution superseded by its correction (.02 corrects .01)");
      this.execs.set(base, { entry, execId, rev: revision });
    } else {
      this.report.ignore(revision === prior.rev ? "execution reported again (same execId)" : "execution superseded by its correction (.02 corrects .01)");
    }
  }

  /** "20230224  12:04:56" (TWS-local: needs --tz), "… 12:04:56 US/Eastern" (named), "20230224-12:04:56" (UTC). */
  private execTime(text: string, pos: Pos): string | undefined {
    const m = /^(\d{4})(\d{2})(\d{2})( +|-)(\d{2}):(\d{2}):(\d{2})(?:\s+(\S+))?$/.exec(text.trim());
    if (m === null) {
      this.report.problem(pos, `execDetails time ${JSON.stringify(text)}: expected "yyyymmdd  hh:mm:ss" with an optional zone`);
      return undefined;
    }
    const w = { y: Number(m[1]), mo: Number(m[2]), d: Number(m[3]), h: Number(m[5]), mi: Number(m[6]), s: Number(m[7]) };
    const zone = m[8] ?? (m[4] === "-" ? "UTC" : this.opts.tz);
    if (zone === undefined) {
      throw new ConfigError(`${pos.file}:${pos.line}: execution time ${JSON.stringify(text)} carries no zone (TWS writes its login's local time); ` +
        "pass --tz with that zone, e.g. --tz America/New_York. The importer does not guess.");
    }
    let r: ReturnType<typeof wallToUtc>;
    try {
      r = wallToUtc(w, zone);
    } catch {
      this.report.problem(pos, `execution time zone ${JSON.stringify(zone)} is not an IANA zone`);
      return undefined;
    }
    if ("nonexistent" in r) {
      this.report.problem(pos, `execution time ${JSON.stringify(text)} does not exist in ${zone} (skipped by a daylight-saving jump)`);
      return undefined;
    }
    let ms: number;
    if ("ambiguous" in r) {
      this.report.problem(pos, `execution time ${JSON.stringify(text)} happens twice in ${zone} (clocks set back); the earlier instant is used`);
      ms = r.ambiguous[0];
    } else {
      ms = r.ms;
    }
    if (!this.zonelessWarned && m[8] === undefined && m[4] !== "-") {
      this.zonelessWarned = true;
      this.report.note(`zoneless TWS times read as ${zone} (--tz)`);
    }
    return new Date(ms).toISOString().slice(0, 19) + "Z";
  }

  /**
   * completedOrder (101): an order's end, with its completedTime in a named zone. Its fixed head
   * holds the order (action at 12, totalQuantity 13, orderRef 22, permId 23); completedTime and
   * completedStatus are the last "yyyymmdd hh:mm:ss zone" field and the one after it (the fields
   * between vary with the order's features). Settled at the end, against the executions seen.
   */
  private completedOrder(f: string[], pos: Pos): void {
    const [, , symbol, secType, , , , , , currency, localSymbol, , action, totalQty, , , , , , , , , orderRef, permId] = f;
    let at = f.length - 1;
    while (at >= 0 && !/^\d{8} +\d{2}:\d{2}:\d{2}( \S+)?$/.test(f[at]!)) at -= 1;
    const side = action === "BUY" ? "buy" : action === "SELL" || action === "SSHORT" ? "sell" : undefined;
    if (permId === undefined || !/^\d+$/.test(permId) || side === undefined || symbol === undefined || at === -1) {
      this.report.problem(pos, "completedOrder: unexpected layout (expected action BUY/SELL as field 13, permId as field 24 and a completedTime)");
      return;
    }
    const ts = this.execTime(f[at]!, pos);
    if (ts === undefined) return;
    const status = f[at + 1] ?? "";
    const coid = this.orders.get(permId)?.coid ?? (orderRef !== undefined && orderRef !== "" ? orderRef : `ib:perm:${permId}`);
    const info: OrderInfo = { permId, coid, symbol: this.symbolOf(secType ?? "", symbol, currency ?? "", localSymbol ?? "", pos), side, qty: ibNumber(totalQty) };
    if (!this.orders.has(permId)) this.orders.set(permId, info);
    // Where its events go in the timeline (a placeholder: no record, no time).
    const anchor: Entry = { ts: undefined, fields: undefined, pos };
    this.timeline.push(anchor);
    this.completed.push({ info: this.orders.get(permId)!, ts, status, action: action!, anchor, pos });
  }

  /** The completed orders' events: a cancel with its order; a fill's order beside its executions. */
  private settleCompleted(): void {
    for (const c of this.completed) {
      const { info, ts, status, pos } = c;
      const what = `completedOrder ${info.permId} (${c.action} ${info.qty === undefined ? "?" : decText(info.qty)} ${info.symbol})`;
      const ack = (at: string): Entry | undefined => {
        if (this.acked.has(info.permId) || info.qty === undefined || sign(info.qty) <= 0) return undefined;
        this.acked.add(info.permId);
        return { ts: at, pos, fields: {
          type: "order_accepted", ts: at, event_id: `ib:order:${info.permId}:accepted`, client_order_id: info.coid, broker_order_id: info.permId,
          symbol: info.symbol, side: info.side, qty: decText(info.qty), ts_inferred: true,
        } };
      };
      if (/^(Api)?Cancel/.test(status)) {
        const entries = [ack(ts)];
        if (!this.terminal.has(info.permId)) {
          this.terminal.add(info.permId);
          entries.push({ ts, pos, fields: { type: "order_cancelled", ts, event_id: `ib:order:${info.permId}:cancelled`, broker_order_id: info.permId, reason: status } });
        }
        this.timeline.splice(this.timeline.indexOf(c.anchor), 0, ...entries.filter((e): e is Entry => e !== undefined));
      } else if (status.startsWith("Filled")) {
        const execs = [...this.execs.values()].filter((e) => e.entry.fields!["broker_order_id"] === info.permId);
        if (execs.length === 0) {
          this.report.problem(pos, `${what} Filled, but none of its executions are in the input (a completedOrder carries no fill price): ` +
            "not imported; import its execDetails (reqExecutions) with it");
          continue;
        }
        const first = execs.map((e) => e.entry).reduce((a, b) => (compareInstants(instantOf(b.ts!), instantOf(a.ts!)) < 0 ? b : a));
        const entry = ack(first.ts!);
        if (entry !== undefined) this.timeline.splice(this.timeline.indexOf(first), 0, entry);
      } else {
        this.report.ignore(`completedOrder ${status || "(no status)"}`);
      }
    }
  }

  private commissionReport(f: string[]): void {
    const [, , execId, commission, currency] = f;
    if (execId === undefined) return;
    this.commissions.set(execId, { commission: ibNumber(commission), currency: currency ?? "" });
  }

  private position(f: string[], pos: Pos): void {
    const [, , , , symbol, secType, , , , multiplier, , currency, localSymbol, , position, avgCost] = f;
    const qty = ibNumber(position);
    const cost = ibNumber(avgCost);
    if (symbol === undefined || qty === undefined) {
      this.report.problem(pos, "position: unexpected layout (expected symbol as field 5 and position as field 15)");
      return;
    }
    if (this.positions === undefined) {
      this.positions = [];
      this.positionsPos = pos;
    }
    if (isZero(qty)) return;
    // avgCost includes the contract multiplier (a future's cost per contract); the replay compares prices.
    const mult = ibNumber(multiplier);
    const avg = cost === undefined ? undefined : mult !== undefined && sign(mult) > 0 ? div(cost, mult) : cost;
    this.positions.push({
      symbol: this.symbolOf(secType ?? "", symbol, currency ?? "", localSymbol ?? "", pos), qty: decText(qty),
      avg_price: avg === undefined ? "0" : decText(avg),
    });
  }

  private positionEnd(pos: Pos): void {
    const lines = this.positions ?? [];
    const at = this.positionsPos ?? pos;
    this.positions = undefined;
    this.positionsPos = undefined;
    this.timeline.push({ ts: undefined, pos: at, fields: {
      type: "position_snapshot", ts: "", event_id: "", positions: lines, ts_inferred: true,
    } });
  }

  finish(): ImportResult {
    this.settleCompleted();
    if (this.positions !== undefined && this.positionsPos !== undefined) {
      this.report.problem(this.positionsPos, "positions without a closing positionEnd (62): the snapshot may be incomplete and is not imported");
    }
    // Keep only the latest revision of each execution, with its own commission (else its base's).
    const keep = new Set<Entry>([...this.execs.values()].map((e) => e.entry));
    for (const e of this.execs.values()) {
      const base = e.execId.slice(0, e.execId.lastIndexOf("."));
      const c = this.commissions.get(e.execId) ?? [...this.commissions].find(([k]) => k.startsWith(base + "."))?.[1];
      if (c?.commission !== undefined && sign(c.commission) > 0) {
        e.entry.fields!["fee"] = decText(c.commission);
        if (c.currency !== "") e.entry.fields!["fee_currency"] = c.currency;
      }
    }
    const asOf = this.opts.asOf === undefined ? undefined : toUtc(this.opts.asOf);
    // An untimed message borrows the nearest time in its own file (files may be hours apart):
    // the last timed message before it, else the first after it, else --as-of.
    const n = this.timeline.length;
    const before: (string | undefined)[] = new Array(n);
    const after: (string | undefined)[] = new Array(n);
    for (let i = 0, last: string | undefined, file = ""; i < n; i += 1) {
      const e = this.timeline[i]!;
      if (e.pos.file !== file) [last, file] = [undefined, e.pos.file];
      before[i] = last;
      last = e.ts ?? last;
    }
    for (let i = n - 1, next: string | undefined, file = ""; i >= 0; i -= 1) {
      const e = this.timeline[i]!;
      if (e.pos.file !== file) [next, file] = [undefined, e.pos.file];
      after[i] = next;
      next = e.ts ?? next;
    }
    const records: OutRecord[] = [];
    this.timeline.forEach((e, i) => {
      if (e.fields === undefined) return;
      if (e.fields["type"] === "fill" && !keep.has(e)) return;
      let ts = e.ts;
      if (ts === undefined) {
        ts = before[i] ?? after[i] ?? asOf;
      }
      if (ts === undefined) {
        this.report.problem(e.pos, `${String(e.fields["type"])}: IB sends no time with this message and no timed message or --as-of is available; not imported`);
        return;
      }
      e.fields["ts"] = ts;
      if (e.fields["type"] === "position_snapshot") e.fields["event_id"] = snapshotEventId("ib:positions", e.fields["positions"], ts);
      records.push({ ts, fields: e.fields, pos: e.pos, seq: e.seq });
    });
    return { records, report: this.report, instruments: this.instruments };
  }
}

/** An execId's segments (hex: "0000e0d5.64305db8.01.01") as one number, each segment padded alike. */
function execIdNumber(execId: string): bigint {
  return BigInt("0x" + execId.split(".").map((p) => p.padStart(16, "0")).join(""));
}

/** Pure: recorded IB lines in, canonical broker records and a report out. Throws ConfigError without --tz. */
export function importIb(lines: Iterable<{ text: string; line: number; file: string }>, opts: ImportOptions = {}): ImportResult {
  const imp = new IbImporter(opts);
  for (const l of lines) imp.line(l.text, { file: l.file, line: l.line });
  return imp.finish();
}
