// IB's executions → fills: execDetails (11), joined to its commissionReport (59) by execId. An
// execId whose last segment is higher (`.02`) corrects the one before it (`.01`), and only the
// latest is imported; sides are BOT/SLD.

import { sign } from "../../../domain/decimal.js";
import { decText, type Pos } from "../common.js";
import type { Entry, IbImport } from "./context.js";
import { coidOf, contractSymbol } from "./identity.js";
import { execTime } from "./timeline.js";
import { ibNumber } from "./wire.js";

const EXEC_ID = /^[0-9a-f]+\.[0-9a-f]+\.[0-9a-f]+\.([0-9a-f]+)$/i;

export function execDetails(p: IbImport, f: string[], pos: Pos): void {
  const [, , orderId, , symbol, secType, , , , , , currency, localSymbol, , execId, time, acct, , side, shares, price, permId, clientId, , , , orderRef] = f;
  const rev = execId === undefined ? null : EXEC_ID.exec(execId);
  if (rev === null || execId === undefined || (side !== "BOT" && side !== "SLD") || symbol === undefined) {
    p.report.problem(pos, `execDetails: unexpected layout (expected execId as field 15 and side BOT/SLD as field 19, got ${JSON.stringify(execId)} / ${JSON.stringify(side)})`);
    return;
  }
  const ts = execTime(p, time ?? "", pos);
  if (ts === undefined) return;
  const base = execId.slice(0, execId.lastIndexOf("."));
  const perm = permId !== undefined && permId !== "0" ? permId : `${clientId}:${orderId}`;
  const entry: Entry = { ts, pos, seq: { scope: `ib:${acct ?? ""}`, n: execIdNumber(execId) }, fields: {
    type: "fill", ts, event_id: `ib:exec:${acct ?? ""}:${base}`, client_order_id: p.orders.get(perm)?.coid ?? coidOf(orderRef, clientId, orderId),
    broker_order_id: perm, symbol: contractSymbol(p, { secType, symbol, currency, localSymbol }, pos),
    side: side === "BOT" ? "buy" : "sell", qty: shares, price, exec_id: execId,
  } };
  p.timeline.push(entry);
  const revision = BigInt("0x" + rev[1]!);
  const prior = p.execs.get(base);
  if (prior === undefined || revision > prior.rev) {
    if (prior !== undefined) p.report.ignore("execution superseded by its correction (.02 corrects .01)");
    p.execs.set(base, { entry, execId, rev: revision });
  } else {
    p.report.ignore(revision === prior.rev ? "execution reported again (same execId)" : "execution superseded by its correction (.02 corrects .01)");
  }
}

export function commissionReport(p: IbImport, f: string[]): void {
  const [, , execId, commission, currency] = f;
  if (execId === undefined) return;
  p.commissions.set(execId, { commission: ibNumber(commission), currency: currency ?? "" });
}

/** The latest revision of each execution, with its own commission (else its base's): the fills to write. */
export function latestExecutions(p: IbImport): Set<Entry> {
  const keep = new Set<Entry>([...p.execs.values()].map((e) => e.entry));
  for (const e of p.execs.values()) {
    const base = e.execId.slice(0, e.execId.lastIndexOf("."));
    const c = p.commissions.get(e.execId) ?? [...p.commissions].find(([k]) => k.startsWith(base + "."))?.[1];
    if (c?.commission !== undefined && sign(c.commission) > 0) {
      e.entry.fields!["fee"] = decText(c.commission);
      if (c.currency !== "") e.entry.fields!["fee_currency"] = c.currency;
    }
  }
  return keep;
}

/** An execId's segments (hex: "0000e0d5.64305db8.01.01") as one number, each segment padded alike. */
function execIdNumber(execId: string): bigint {
  return BigInt("0x" + execId.split(".").map((s) => s.padStart(16, "0")).join(""));
}
