// The imperative shell around one replay: read -> compute -> render -> write.

import { renderReportArtifacts } from "../report/render.js";
import { renderTradesHeader } from "../report/trades-csv.js";
import { hashFile, type LoadedConfig, openBroker, openJournal, loadConfig, type RecordStream, sha256Hex } from "../adapters/inputs.js";
import type { RunMeta } from "../report/meta.js";
import { TradeBatches } from "./trade-batches.js";
import { ArtifactSetWriter, checkOutDir } from "../adapters/artifacts.js";
import { faultAfterRecord, faultPoint } from "../adapters/fault-points.js";
import { SqliteCacheStore } from "../adapters/cache-store.js";
import { replay, replayShard } from "../core/replay.js";
import type { ShardSpec } from "../core/shard.js";
import { ConfigError, IoError } from "../domain/errors.js";
import {
  renderGroupLine, renderShardManifest, SHARD_FORMAT, SHARD_FORMAT_VERSION, SHARD_GROUPS_NAME, SHARD_MANIFEST_NAME,
} from "../report/shard-codec.js";
import type { CacheEntry } from "../core/cache.js";
import type { Report } from "../domain/report.js";
import { EXIT } from "./exit-codes.js";
import { Progress } from "./progress.js";

const GROUP_LINES_PER_WRITE = 1024;

export interface ReplayArgs {
  readonly journal: string;
  readonly broker: string;
  readonly config?: string | undefined;
  /** SQLite order-id cache; absent means a fresh in-memory cache. */
  readonly cache?: string | undefined;
  /** Input records whose cache changes go in one transaction (default 1: write-through per record). */
  readonly cacheBatch?: number | undefined;
  readonly out: string;
}

export interface ReplayOutcome {
  readonly exitCode: number;
  readonly report: Report;
  /** True when this run continued one that was killed part way (same inputs, same cache). */
  readonly resumed: boolean;
  /** True when this run repeated the cache's last completed replay (same inputs): same artifacts. */
  readonly rerun: boolean;
  /** What failed after the artifacts were swapped in (they are written all the same). */
  readonly warnings: readonly string[];
}

/** What both kinds of replay open before they run: the config, both inputs, the output folder. */
interface ReplayInputs {
  readonly loaded: LoadedConfig;
  readonly journal: ReturnType<typeof openJournal>;
  readonly broker: ReturnType<typeof openBroker>;
}

function openInputs(args: ReplayArgs): ReplayInputs {
  const loaded = loadConfig(args.config);
  checkOutDir(args.out);
  return { loaded, journal: openJournal(args.journal, loaded.config), broker: openBroker(args.broker, loaded.config) };
}

/**
 * Runs `body` with the inputs open and a progress line on stderr. On any failure the staged output
 * (and whatever else `abort` names) is discarded before the error goes on; the broker's re-read
 * handle is closed either way.
 */
function withInputs<T>(args: ReplayArgs, label: string, abort: () => void, body: (inputs: ReplayInputs, progress: Progress) => T): T {
  const inputs = openInputs(args);
  const progress = new Progress(label);
  try {
    return body(inputs, progress);
  } catch (err) {
    abort();
    throw err;
  } finally {
    inputs.broker.recall.close();
    progress.done();
  }
}

/** Runs one replay and writes its artifacts. Throws typed errors for bad input (nothing written). */
export function runReplay(args: ReplayArgs): ReplayOutcome {
  // Opened inside the run, released by it: what a failure must discard.
  const staged: { writer?: ArtifactSetWriter; store?: SqliteCacheStore | null } = {};
  const abort = () => {
    staged.writer?.abort();
    staged.store?.abort();
  };
  let finalEntries: readonly CacheEntry[] = [];
  const { report, resumed, rerun, warnings } = withInputs(args, "replay", abort, ({ loaded, journal, broker }, progress) => {
    let cacheEntries: readonly CacheEntry[] = [];
    let cacheFailure: string | null = null;
    let resumed = false;
    let rerun = false;
    let store: SqliteCacheStore | null = null;
    if (args.cache !== undefined) {
      // A replay is identified by what it reads: the same inputs and config resume the same run.
      const runKey = sha256Hex(`${hashFile(args.journal)}|${hashFile(args.broker)}|${loaded.hash}`);
      ({ store, entries: cacheEntries, failure: cacheFailure, resuming: resumed, rerun } = SqliteCacheStore.open(args.cache, runKey));
      store?.setRecordsPerTransaction(args.cacheBatch ?? 1);
      staged.store = store;
    }
    const out = new ArtifactSetWriter(args.out, renderTradesHeader());
    staged.writer = out;
    const trades = new TradeBatches(out);
    let steps = 0;
    const report = replay(loaded.config, journal, broker, { configHash: loaded.hash, cacheEntries, cacheFailure, recallBroker: broker.recall }, {
      afterStep: (engine, _record, index) => {
        steps = index + 1;
        // Drain even without a store: `store?.apply(..)` would skip evaluating its argument, and
        // undrained cache changes would pile up for the whole replay.
        const ops = engine.drainCacheOps();
        store?.apply(index, ops);
        faultAfterRecord(index + 1);
        trades.add(engine.drainTrades());
        if ((index & 0xffff) === 0) progress.tick(index, "records");
      },
      beforeReport: (engine) => {
        const ops = engine.drainCacheOps();
        store?.apply(steps, ops);
        finalEntries = engine.cacheEntries();
      },
    });
    trades.add(report.trades);
    trades.flush();
    const warnings = out.commit(renderReportArtifacts(report, runMeta(journal, broker, loaded)));
    return { report, resumed, rerun, warnings };
  });
  try {
    staged.store?.commit(finalEntries);
  } catch (err) {
    if (!(err instanceof IoError)) throw err;
    throw new IoError(`${err.message} (the artifacts in ${args.out} are written; the same replay run again finishes recording it)`);
  }
  faultPoint("cache-committed");
  return { exitCode: report.totals.killSwitch ? EXIT.killSwitch : EXIT.ok, report, resumed, rerun, warnings };
}

/**
 * One shard of a sharded replay: reads both logs whole, owns its symbols, and writes shard.json and
 * groups.jsonl into --out (atomically, like an artifact set) for `recon-proof merge`.
 */
export function runShardReplay(args: ReplayArgs, spec: ShardSpec): { readonly groups: number; readonly warnings: readonly string[] } {
  if (args.cache !== undefined) {
    throw new ConfigError("--shard cannot be combined with --cache: the order-id cache is one file per replay; shard a replay that starts from a fresh cache");
  }
  const staged: { writer?: ArtifactSetWriter } = {};
  return withInputs(args, `replay shard ${spec.index}/${spec.count}`, () => staged.writer?.abort(), ({ loaded, journal, broker }, progress) => {
    const out = new ArtifactSetWriter(args.out, "", { names: [SHARD_MANIFEST_NAME, SHARD_GROUPS_NAME], streamed: SHARD_GROUPS_NAME });
    staged.writer = out;
    let lines: string[] = [];
    let groups = 0;
    const result = replayShard(loaded.config, journal, broker, { configHash: loaded.hash, cacheEntries: [], cacheFailure: null, recallBroker: broker.recall }, spec,
      (group) => {
        lines.push(renderGroupLine(group));
        groups += 1;
        if (lines.length >= GROUP_LINES_PER_WRITE) {
          out.appendStreamed(lines.join(""));
          lines = [];
        }
      },
      { afterStep: (_engine, _record, index) => { if ((index & 0xffff) === 0) progress.tick(index, "records"); } });
    out.appendStreamed(lines.join(""));
    const warnings = out.commit({
      [SHARD_MANIFEST_NAME]: renderShardManifest({
        format: SHARD_FORMAT, version: SHARD_FORMAT_VERSION, shard: spec, meta: runMeta(journal, broker, loaded),
        state: result.state, evidence: result.evidence, groups,
      }),
    });
    return { groups, warnings };
  });
}

/** Provenance of a replay, once both inputs have been read to their end. */
function runMeta(journal: RecordStream<unknown>, broker: RecordStream<unknown>, loaded: LoadedConfig): RunMeta {
  return {
    journal: journal.meta(), broker: broker.meta(), configFile: loaded.file,
    configHash: loaded.hash, effectiveConfig: loaded.effective,
  };
}
