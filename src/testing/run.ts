// In-process replay for the property-testing entry point: two logs' lines and a config in, the
// report and the four artifacts out, with no file, no cache file and no process. The optional crash
// stops the replay after a number of input records, as a killed process would, so a law can resume
// it and compare.

import { renderArtifacts, type RenderedArtifacts } from "../artifacts/render.js";
import type { CacheOp } from "../core/books/cache.js";
import { replay } from "../core/replay.js";
import { resolveConfig } from "../domain/config.js";
import { configToJson } from "../domain/config-json.js";
import * as D from "../domain/decimal.js";
import { badInput } from "../api/errors.js";
import { isBlankLine } from "../domain/blank-line.js";
import { DataError } from "../domain/errors.js";
import type { BrokerEvent, JournalRecord } from "../domain/records.js";
import type { Report } from "../domain/report.js";
import { parseBrokerLine, parseJournalLine } from "../domain/validate.js";

/** The files a pair of logs was read from: a refused line is named by them (default journal.jsonl, broker.jsonl, config.json). */
export interface LogFileNames {
  readonly journal?: string;
  readonly broker?: string;
  readonly config?: string;
}

/**
 * Two logs as the engine and the broker wrote them (one JSON object a line; a blank line is skipped
 * but keeps its place, so line numbers are the file's), and the replay's config.
 */
export interface Logs {
  readonly journal: readonly string[];
  readonly broker: readonly string[];
  /** The config file's object; absent, every default applies. */
  readonly config?: Record<string, unknown>;
  /** The files the lines came from, to name a refused line. */
  readonly names?: LogFileNames;
}

/** Runs `work`; a line it refuses throws the library's BadInputError, named by its file: "bad input: journal.jsonl:3: field ...". */
function namingRefusedLines<T>(logs: Logs, work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    throw badInput(err, { journal: logs.names?.journal ?? "journal.jsonl", broker: logs.names?.broker ?? "broker.jsonl" });
  }
}

/** Each line's record, validated as the command line validates it and numbered as in its file; a refused line throws BadInputError. */
export const readLogs = (logs: Logs): { journal: JournalRecord[]; broker: BrokerEvent[] } => namingRefusedLines(logs, () => ({
  journal: logs.journal.flatMap((text, i) => (isBlankLine(text) ? [] : [parseJournalLine(text, i + 1)])),
  broker: logs.broker.flatMap((text, i) => (isBlankLine(text) ? [] : [parseBrokerLine(text, i + 1)])),
}));

/** What reconciliation found, as reconcile-report.json names it. */
export interface FoundFinding {
  readonly kind: string;
  readonly severity: string;
  readonly client_order_id: string | null;
  readonly broker_order_id: string | null;
  readonly symbol: string | null;
}

/** One replay's outcome: the four artifacts' text, and the figures the laws compare. */
export interface ReplayOutcome {
  readonly artifacts: RenderedArtifacts;
  readonly findings: readonly FoundFinding[];
  readonly duplicateDeliveries: number;
  readonly killSwitch: boolean;
  /** Each symbol's net position in both books at the end (decimal strings). */
  readonly positions: readonly HeldPosition[];
}

export interface HeldPosition {
  readonly symbol: string;
  readonly engine_qty: string;
  readonly engine_avg_price: string;
  readonly broker_qty: string;
  readonly broker_avg_price: string;
}

/** A change of the order-id cache made while applying input record `index` (from 0). */
export interface CacheChange {
  readonly index: number;
  readonly ops: readonly CacheOp[];
}

export interface RunOptions {
  /** Stop, as if killed, after this many input records. */
  readonly crashAfter?: number;
  /** Where cache changes go as they happen (so a killed replay's are kept). */
  readonly changes?: CacheChange[];
}

const CONFIG_HASH = "recon-proof-testing";

/** Thrown when a replay stops at its crash point. */
export class ReplayKilled extends Error {}

/** Replays two logs in process; a refused line throws the library's BadInputError, worded as the command line words it. */
export function replayLogs(logs: Logs, opts: RunOptions = {}): ReplayOutcome {
  return namingRefusedLines(logs, () => replayInProcess(logs, opts));
}

function replayInProcess(logs: Logs, opts: RunOptions): ReplayOutcome {
  const config = resolveConfig(logs.config ?? {});
  const { journal, broker } = readLogs(logs);
  let trades: Report["trades"][number][] = [];
  const note = (index: number, ops: readonly CacheOp[]) => {
    if (ops.length > 0) opts.changes?.push({ index, ops });
  };
  const report = replay(config, journal, broker, { configHash: CONFIG_HASH, cacheEntries: [], cacheFailure: null }, {
    afterStep: (engine, _record, index) => {
      note(index, engine.drainCacheOps());
      trades = trades.concat(engine.drainTrades());
      if (opts.crashAfter !== undefined && index + 1 >= opts.crashAfter) throw new ReplayKilled(`killed after ${index + 1} records`);
    },
    beforeReport: (engine) => note(journal.length + broker.length, engine.drainCacheOps()),
  });
  const full: Report = { ...report, trades: trades.concat(report.trades) };
  const meta = {
    journal: { name: "journal.jsonl", sha256: "-", lines: journal.length },
    broker: { name: "broker.jsonl", sha256: "-", lines: broker.length },
    configFile: null, configHash: CONFIG_HASH, effectiveConfig: configToJson(config),
  };
  return {
    artifacts: renderArtifacts(full, meta),
    findings: full.findings.items.map((f) => ({ kind: f.kind, severity: f.severity, client_order_id: f.clientOrderId,
      broker_order_id: f.brokerOrderId, symbol: f.symbol })),
    duplicateDeliveries: full.totals.duplicateDeliveries,
    killSwitch: full.totals.killSwitch,
    positions: full.positions.map((p) => ({ symbol: p.symbol, engine_qty: D.toPlain(p.engineQty), engine_avg_price: D.toPlain(p.engineAvgPrice),
      broker_qty: D.toPlain(p.brokerQty),
      broker_avg_price: D.toPlain(p.brokerAvgPrice) })),
  };
}
