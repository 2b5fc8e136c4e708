// The files a shard replay writes for `merge`: shard.json (who it is, what it read, its end state,
// and digests of what it wrote) and groups.jsonl (its emitted groups, one per line, in sequence
// order). Pure: strings in, strings out. Decimals travel as {"$dec":"<plain decimal>"} so they come
// back exact.
//
// Both are read through checkers typed as the values they carry (json-check.ts), so a damaged or
// hand-edited file is bad input that names its line and field, never a crash further on; and a
// field added to those types and not to these checkers does not compile.
//
// Digests: shard.json records the sha256 of groups.jsonl as written, and ends with the sha256 of
// its own text before that last field. They catch damage, truncation and mix-ups after the shard
// was written; not someone who rewrites them too (docs/sharding.md, "What merge verifies").

import { createHash } from "node:crypto";
import * as D from "../domain/decimal.js";
import type { Dec } from "../domain/decimal.js";
import { DataError } from "../domain/errors.js";
import { ASSET_CLASSES, type Instrument } from "../domain/instruments.js";
import { isObject } from "../domain/json.js";
import { jsonSyntaxError } from "../domain/json-where.js";
import type {
  AlertName, AmbiguousMatch, BrokerLimitsMirror, OrderOutcome, PositionView, ReconcileRun, ReconcileTrigger, SkippedDecision, SlippageCell, StagedActionKind,
  TradeRow,
} from "../domain/report.js";
import { KILL_REASONS } from "../domain/report.js";
import type { EmitGroup, KillEngage, RawAction, RawAlert, RawFinding, RunRecord } from "../core/output/emit.js";
import type { ShardEvidence } from "../core/engine/engine.js";
import { SHARD_COUNT_MAX, type ShardSpec } from "../core/shard/shard.js";
import type { UndescribedSymbol } from "../core/engine/instruments.js";
import type { EngineState } from "../core/output/state.js";
import {
  arr, absentOr, bool, type Check, checker, decText, detailValue, fail, int, literal, members, nullable, num, objOf, pair, record, str, timestamp, type Where,
} from "../artifacts/json-check.js";
import type { InputFileMeta, RunMeta } from "../artifacts/meta.js";
import { SHARD_GROUPS_NAME, SHARD_MANIFEST_NAME } from "../artifacts/names.js";
import { ALERT_NAMES, FINDING_KINDS, RECONCILE_TRIGGERS, STAGED_ACTION_KINDS } from "../artifacts/report-schema.js";

export const SHARD_FORMAT = "recon-proof-shard";
/** 2: digests (groupsSha256, and the manifest's own sha256 as its last field); order outcomes in groups. */
export const SHARD_FORMAT_VERSION = 2;

export interface ShardManifest {
  readonly format: typeof SHARD_FORMAT;
  readonly version: typeof SHARD_FORMAT_VERSION;
  readonly shard: ShardSpec;
  readonly meta: RunMeta;
  readonly state: EngineState;
  readonly evidence: ShardEvidence;
  /** Lines in groups.jsonl: merge checks it read them all. */
  readonly groups: number;
  /** sha256 of groups.jsonl's bytes as the shard wrote them. */
  readonly groupsSha256: string;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

const encode = (_key: string, value: unknown): unknown =>
  typeof value === "bigint" ? { $dec: D.toPlain(value as Dec) } : value;

export function renderGroupLine(group: EmitGroup): string {
  return JSON.stringify(group, encode) + "\n";
}

// ------------------------------------------------------------------ checkers, one per carried type

const dec: Check<Dec> = checker(
  { type: "object", required: ["$dec"], properties: { $dec: decText.schema }, additionalProperties: false },
  (v, p, w) => {
    const parsed = isObject(v) && typeof v["$dec"] === "string" ? D.parseDec(v["$dec"]) : undefined;
    return parsed ?? fail(w, p, "a decimal written as {\"$dec\":\"<plain decimal>\"}", v);
  },
);
const SHA256_HEX = /^[0-9a-f]{64}$/;
const sha256Text: Check<string> = checker({ type: "string", pattern: SHA256_HEX.source }, (v, p, w) =>
  (typeof v === "string" && SHA256_HEX.test(v) ? v : fail(w, p, "a sha256 in hex", v)));
const side = literal("buy", "sell");
const detail = record(detailValue);

const runCounts = objOf<ReconcileRun["counts"]>()({
  staleLocalOrders: int, orphanBrokerOrders: int, driftingSymbols: int, fillsCaught: int, staleOrdersCancelled: int,
  inFlightOrders: int, ambiguousMatches: int,
});
const reconcileRun = objOf<ReconcileRun>()({
  reconcileId: str, ts: timestamp, trigger: members<ReconcileTrigger>()(RECONCILE_TRIGGERS),
  status: literal("ok", "failed"), failure: nullable(str), durationMs: int, counts: runCounts, maxDriftPips: dec, maxDriftUnits: dec,
});
const finding = objOf<RawFinding>()({
  kind: literal(...FINDING_KINDS), severity: literal("info", "warning", "critical"), ts: timestamp,
  reconcileId: nullable(str), clientOrderId: nullable(str), brokerOrderId: nullable(str), symbol: nullable(str), detail, evidence: arr(str),
  global: bool,
});
const alert = objOf<RawAlert>()({
  alert: members<AlertName>()(ALERT_NAMES),
  ts: timestamp, reconcileId: nullable(str), decisionId: nullable(str), counts: record(num), detail, global: bool,
});
const action = objOf<RawAction>()({
  action: members<StagedActionKind>()(STAGED_ACTION_KINDS),
  ts: timestamp, reconcileId: str, symbol: str, clientOrderId: nullable(str), brokerOrderId: nullable(str), side: nullable(side),
  qty: nullable(dec), reason: str,
});
const ambiguous = objOf<AmbiguousMatch>()({
  reconcileId: str, ts: timestamp, brokerOrderId: nullable(str), brokerClientOrderId: nullable(str), symbol: str, side, qty: dec,
  candidates: arr(str),
});
const decision = objOf<SkippedDecision>()({ decisionId: str, clientOrderId: str, ts: timestamp, line: int, reason: str });
const trade = objOf<TradeRow>()({
  ts: timestamp, decisionId: str, clientOrderId: str, brokerOrderId: str, symbol: str, side, qty: dec, price: dec,
  refPrice: absentOr(dec), slippagePips: absentOr(dec), session: str, fee: dec, realizedPnl: dec,
  source: literal("stream", "reconcile", "orphan"), currency: str, feeCurrency: str,
});
const outcome = objOf<OrderOutcome>()({
  ts: timestamp, outcome: literal("rejected", "cancelled", "expired"), reason: nullable(str), clientOrderId: str, brokerOrderId: nullable(str),
  decisionId: nullable(str), symbol: str, side, qty: dec, filledQty: dec, evidence: arr(str),
});
const kill = objOf<KillEngage>()({ reason: literal(...KILL_REASONS), ts: timestamp });

const group = objOf<EmitGroup>()({
  seq: int, run: nullable(objOf<RunRecord>()({ run: reconcileRun, divergence: bool })),
  findings: arr(finding), alerts: arr(alert), actions: arr(action), ambiguous: arr(ambiguous), outcomes: arr(outcome),
  skipped: arr(decision), blocked: arr(decision), trades: arr(trade), kills: arr(kill),
});

const shardSpecShape = objOf<ShardSpec>()({ index: int, count: int, by: literal("symbol") });
export const shardSpec: Check<ShardSpec> = checker(shardSpecShape.schema, (v, p, w) => {
  const s = shardSpecShape(v, p, w);
  if (s.count < 1 || s.count > SHARD_COUNT_MAX) fail(w, `${p}.count`, `a shard count from 1 to ${SHARD_COUNT_MAX}`, s.count);
  if (s.index < 1 || s.index > s.count) fail(w, `${p}.index`, `a shard index from 1 to ${s.count}`, s.index);
  return s;
});
const inputFile = objOf<InputFileMeta>()({ name: str, sha256: str, lines: int });
const jsonObject: Check<Record<string, unknown>> = checker({ type: "object" }, (v, p, w) => (isObject(v) ? v : fail(w, p, "an object", v)));
const runMeta = objOf<RunMeta>()({
  journal: inputFile, broker: inputFile, configFile: nullable(inputFile), configHash: str, effectiveConfig: jsonObject,
});
const amounts = arr(pair(str, dec));

const state = objOf<EngineState>()({
  positions: arr(objOf<PositionView>()({ symbol: str, engineQty: dec, engineAvgPrice: dec, brokerQty: dec, brokerAvgPrice: dec })),
  realizedPnlBySymbol: amounts,
  instruments: arr(objOf<Instrument>()({
    symbol: str, assetClass: literal(...ASSET_CLASSES), quoteCurrency: str, unit: literal("pips", "ticks"), unitSize: dec,
    baseCurrency: absentOr(str),
  })),
  undescribedInstruments: arr(objOf<UndescribedSymbol>()({ symbol: str, line: int })),
  slippage: arr(objOf<SlippageCell>()({
    symbol: str, session: str, unit: literal("pips", "ticks"), fills: int, presetPips: nullable(dec), presetHits: int, breaches: int,
    meanPips: dec, p50Pips: dec, p95Pips: dec, maxPips: dec, limitFills: int, meanLimitImprovementPips: nullable(dec),
  })),
  brokerLimits: nullable(objOf<BrokerLimitsMirror>()({ ts: timestamp, dailyLossCap: dec, symbolCaps: amounts })),
  cache: objOf<EngineState["cache"]>()({
    ok: bool, failure: nullable(str), entriesLoaded: int, entriesWritten: int, entriesPurged: int, liveEntries: int,
  }),
  counts: objOf<EngineState["counts"]>()({
    stale: int, orphan: int, driftPips: dec, driftUnits: dec, duplicatesSkipped: int, duplicateDeliveries: int,
    fillsCaughtByReconcile: int, staleOrdersCancelled: int, blockedDecisions: int, slippageBreaches: int,
    realizedPnlByCurrency: amounts, feesOutsidePnlByCurrency: amounts, ordersSent: int, fills: int, reconcileRuns: int, reconcileRunsCoalesced: int,
    reconcileFailures: int, journalRecords: int, brokerEvents: int, unreconciledFills: int,
  }),
});

/** -1 (no such group) or a group's sequence number. */
const groupOrNone: Check<number> = checker({ anyOf: [{ const: -1 }, int.schema] }, (v, p, w) => (v === -1 ? -1 : int(v, p, w)));

const manifest = objOf<ShardManifest>()({
  format: literal(SHARD_FORMAT), version: literal(SHARD_FORMAT_VERSION), shard: shardSpec, meta: runMeta, state,
  evidence: objOf<ShardEvidence>()({ lastUnblockedDecisionGroup: groupOrNone, dayPnlLows: amounts, cacheEntriesPeak: int }),
  groups: int, groupsSha256: sha256Text,
});

// ------------------------------------------------------------------ reading and writing

export function parseGroupLine(text: string, line: number): EmitGroup {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DataError(SHARD_GROUPS_NAME, line, "(line)", "one JSON group written by `replay --shard`", jsonSyntaxError(text).got);
  }
  return group(value, "", { source: SHARD_GROUPS_NAME, lineOf: () => line });
}

/** The manifest's own digest: its last field, over the text before it (closed as the object it is). */
const DIGEST_TAIL = /,\n {2}"sha256": "([0-9a-f]{64})"\n\}\n$/;

/** shard.json: the manifest, then the sha256 of the text it would be without that last field. */
export function renderShardManifest(m: ShardManifest): string {
  const body = JSON.stringify(m, encode, 2) + "\n";
  return `${body.slice(0, -3)},\n  "sha256": "${sha256Hex(body)}"\n}\n`;
}

/**
 * shard.json, checked: its format and version, every field's shape (DataError naming the line and
 * the field), then its own digest (the file as written, unchanged).
 */
export function parseShardManifest(text: string): ShardManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const { line, got } = jsonSyntaxError(text);
    throw new DataError(SHARD_MANIFEST_NAME, line, "(file)", "the JSON written by `replay --shard`", got);
  }
  const where: Where = { source: SHARD_MANIFEST_NAME, lineOf: (path) => bestEffortLine(value, path) };
  const head = isObject(value) ? value : {};
  literal(SHARD_FORMAT)(head["format"], "format", where);
  if (head["version"] !== SHARD_FORMAT_VERSION) {
    fail(where, "version", `${SHARD_FORMAT_VERSION} (a shard written by this version of recon-proof: replay the shard again)`, head["version"]);
  }
  const m = manifest(value, "", where);
  const tail = DIGEST_TAIL.exec(text);
  if (tail === null) fail(where, "sha256", "the file's digest as its last field, as `replay --shard` writes it", head["sha256"]);
  const actual = sha256Hex(text.slice(0, tail.index) + "\n}\n");
  if (actual !== tail[1]) {
    throw new DataError(SHARD_MANIFEST_NAME, where.lineOf("sha256"), "sha256",
      `${tail[1]!.slice(0, 12)}…, the digest of the file as the shard wrote it`, `a file whose digest is ${actual.slice(0, 12)}…: it was changed after it was written`);
  }
  return m;
}

/** The line of a field path for a message; 1 when the file nests too deep to count. */
function bestEffortLine(root: unknown, path: string): number {
  try {
    return lineOfPath(root, path);
  } catch (err) {
    if (err instanceof RangeError) return 1;
    throw err;
  }
}

/** Lines a value takes as JSON.stringify(value, null, 2) writes it. */
function linesOf(value: unknown): number {
  const children = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
  return children.length === 0 ? 1 : 2 + children.reduce((n: number, c) => n + linesOf(c), 0);
}

/**
 * The line of a field path ("state.positions[0].engineQty") in a file written with 2-space
 * indentation, as shard.json is: the line of the deepest part of the path that exists.
 */
function lineOfPath(root: unknown, path: string): number {
  let line = 1;
  let at = root;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    const entries: Array<[string, unknown]> = Array.isArray(at) ? at.map((v, i) => [String(i), v]) : isObject(at) ? Object.entries(at) : [];
    const index = entries.findIndex(([key]) => key === part);
    if (index < 0) return line;
    line += 1 + entries.slice(0, index).reduce((n, [, v]) => n + linesOf(v), 0);
    at = entries[index]![1];
  }
  return line;
}
