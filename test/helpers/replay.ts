// In-process replays from literal records, for rule-level tests of the pure core.

import { resolveConfig } from "../../src/domain/config.js";
import { configToJson } from "../../src/domain/config-json.js";
import type { Report } from "../../src/domain/report.js";
import { parseBrokerLine, parseJournalLine } from "../../src/domain/validate.js";
import { replay } from "../../src/core/replay.js";
import type { CacheEntry } from "../../src/core/books/cache.js";
import { renderArtifacts, type RenderedArtifacts } from "../../src/artifacts/render.js";
import type { RunMeta } from "../../src/artifacts/meta.js";

export type Obj = Record<string, unknown>;

export const day = (hms: string): string => `2025-10-20T${hms}Z`;

export interface InProcessRun {
  readonly report: Report;
  readonly artifacts: RenderedArtifacts;
}

const META: RunMeta = {
  journal: { name: "journal.jsonl", sha256: "-", lines: 0 },
  broker: { name: "broker.jsonl", sha256: "-", lines: 0 },
  configFile: null, configHash: "test-config-hash", effectiveConfig: {},
};

export function run(journal: readonly Obj[], broker: readonly Obj[], config: Obj = {}, cache: { entries?: CacheEntry[]; failure?: string } = {}): InProcessRun {
  return runLines(journal.map((o) => JSON.stringify(o)), broker.map((o) => JSON.stringify(o)), config, cache);
}

/** The same from the lines' text, for inputs JSON.stringify cannot write (exact numbers, repeated keys). */
export function runLines(journal: readonly string[], broker: readonly string[], config: Obj = {}, cache: { entries?: CacheEntry[]; failure?: string } = {}): InProcessRun {
  const cfg = resolveConfig(config);
  const j = journal.map((text, i) => parseJournalLine(text, i + 1));
  const b = broker.map((text, i) => parseBrokerLine(text, i + 1));
  const report = replay(cfg, j, b, { configHash: "test-config-hash", cacheEntries: cache.entries ?? [], cacheFailure: cache.failure ?? null });
  return { report, artifacts: renderArtifacts(report, { ...META, effectiveConfig: configToJson(cfg) }) };
}

let seq = 0;
const eid = () => `e${++seq}`;

export const J = {
  snapshot: (ts: string, open_orders: Obj[] = [], positions: Obj[] = []): Obj => ({ type: "snapshot", ts: day(ts), open_orders, positions }),
  decision: (ts: string, coid: string, symbol: string, side: string, qty: number, ref: number, extra: Obj = {}): Obj =>
    ({ type: "decision", ts: day(ts), decision_id: `D-${coid}`, client_order_id: coid, symbol, side, qty, ref_price: ref, ...extra }),
  cancel: (ts: string, coid: string): Obj => ({ type: "cancel_request", ts: day(ts), client_order_id: coid }),
  restart: (ts: string, reason = "crash"): Obj => ({ type: "restart", ts: day(ts), reason }),
};

export const B = {
  snapshot: (ts: string, positions: Obj[] = []): Obj => ({ type: "position_snapshot", ts: day(ts), event_id: eid(), positions }),
  accepted: (ts: string, coid: string, bid: string, symbol: string, side: string, qty: number): Obj =>
    ({ type: "order_accepted", ts: day(ts), event_id: eid(), client_order_id: coid, broker_order_id: bid, symbol, side, qty }),
  fill: (ts: string, coid: string | undefined, bid: string, symbol: string, side: string, qty: number, price: number | string, fee: number | string = 0): Obj =>
    ({ type: "fill", ts: day(ts), event_id: eid(), ...(coid === undefined ? {} : { client_order_id: coid }), broker_order_id: bid, symbol, side, qty, price, fee }),
  cancelled: (ts: string, bid: string): Obj => ({ type: "order_cancelled", ts: day(ts), event_id: eid(), broker_order_id: bid }),
  rejected: (ts: string, coid: string): Obj => ({ type: "order_rejected", ts: day(ts), event_id: eid(), client_order_id: coid, reason: "INSUFFICIENT_MARGIN" }),
  limits: (ts: string, daily_loss_cap: number, symbol_caps: Obj): Obj => ({ type: "limits_snapshot", ts: day(ts), event_id: eid(), daily_loss_cap, symbol_caps }),
  disconnect: (ts: string): Obj => ({ type: "disconnect", ts: day(ts), event_id: eid() }),
  reconnect: (ts: string): Obj => ({ type: "reconnect", ts: day(ts), event_id: eid() }),
};

export function kinds(r: InProcessRun): string[] {
  return r.report.findings.items.map((f) => f.kind);
}

export function alertNames(r: InProcessRun): string[] {
  return r.report.alerts.items.map((a) => a.alert);
}
