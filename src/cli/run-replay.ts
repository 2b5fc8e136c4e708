// The imperative shell around one replay: read -> compute -> render -> write.

import { renderReportArtifacts } from "../report/render.js";
import { renderTradesHeader } from "../report/trades-csv.js";
import { hashFile, type LoadedConfig, openBroker, openJournal, loadConfig, type RecordStream, sha256Hex } from "../adapters/inputs.js";
import type { RunMeta } from "../report/meta.js";
import { TradeBatches } from "./trade-batches.js";
import { ArtifactSetWriter, checkOutDir } from "../adapters/artifacts.js";
import { SqliteCacheStore } from "../adapters/cache-store.js";
import { replay, replayShard } from "../core/replay.js";
import type { ShardSpec } from "../core/shard.js";
import { ConfigError } from "../domain/errors.js";
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
}

/** Runs one replay and writes its artifacts. Throws typed errors for bad input (nothing written). */
export function runReplay(args: ReplayArgs): ReplayOutcome {
  const loaded = loadConfig(args.config);
  checkOutDir(args.out);
  const journal = openJournal(args.journal, loaded.config);
  const broker = openBroker(args.broker, loaded.config);

  let store: SqliteCacheStore | null = null;
  let cacheEntries: readonly CacheEntry[] = [];
  let cacheFailure: string | null = null;
  let resumed = false;
  if (args.cache !== undefined) {
    // A replay is identified by what it reads: the same inputs and config resume the same run.
    const runKey = sha256Hex(`${hashFile(args.journal)}|${hashFile(args.broker)}|${loaded.hash}`);
    const opened = SqliteCacheStore.open(args.cache, runKey);
    ({ store, entries: cacheEntries, failure: cacheFailure, resuming: resumed } = opened);
    store?.setRecordsPerTransaction(args.cacheBatch ?? 1);
  }

  const progress = new Progress("replay");
  const writer = new ArtifactSetWriter(args.out, renderTradesHeader());
  const trades = new TradeBatches(writer);
  let steps = 0;
  let finalEntries: readonly CacheEntry[] = [];
  let report: Report;
  try {
    report = replay(loaded.config, journal, broker, { configHash: loaded.hash, cacheEntries, cacheFailure, recallBroker: broker.recall }, {
      afterStep: (engine, _record, index) => {
        steps = index + 1;
        // Drain even without a store: `store?.apply(..)` would skip evaluating its argument, and
        // undrained cache changes would pile up for the whole replay.
        const ops = engine.drainCacheOps();
        store?.apply(index, ops);
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
    writer.commit(renderReportArtifacts(report, runMeta(journal, broker, loaded)));
  } catch (err) {
    writer.abort();
    store?.abort();
    throw err;
  } finally {
    broker.recall.close();
    progress.done();
  }
  store?.commit(finalEntries);
  return { exitCode: report.totals.killSwitch ? EXIT.killSwitch : EXIT.ok, report, resumed };
}

/**
 * One shard of a sharded replay: reads both logs whole, owns its symbols, and writes shard.json and
 * groups.jsonl into --out (atomically, like an artifact set) for `recon-proof merge`.
 */
export function runShardReplay(args: ReplayArgs, spec: ShardSpec): { readonly groups: number } {
  if (args.cache !== undefined) {
    throw new ConfigError("--shard cannot be combined with --cache: the order-id cache is one file per replay; shard a replay that starts from a fresh cache");
  }
  const loaded = loadConfig(args.config);
  checkOutDir(args.out);
  const journal = openJournal(args.journal, loaded.config);
  const broker = openBroker(args.broker, loaded.config);
  const progress = new Progress(`replay shard ${spec.index}/${spec.count}`);
  const writer = new ArtifactSetWriter(args.out, "", { names: [SHARD_MANIFEST_NAME, SHARD_GROUPS_NAME], streamed: SHARD_GROUPS_NAME });
  let lines: string[] = [];
  let groups = 0;
  try {
    const result = replayShard(loaded.config, journal, broker, { configHash: loaded.hash, cacheEntries: [], cacheFailure: null, recallBroker: broker.recall }, spec,
      (group) => {
        lines.push(renderGroupLine(group));
        groups += 1;
        if (lines.length >= GROUP_LINES_PER_WRITE) {
          writer.appendStreamed(lines.join(""));
          lines = [];
        }
      },
      { afterStep: (_engine, _record, index) => { if ((index & 0xffff) === 0) progress.tick(index, "records"); } });
    writer.appendStreamed(lines.join(""));
    const meta = runMeta(journal, broker, loaded);
    writer.commit({
      [SHARD_MANIFEST_NAME]: renderShardManifest({
        format: SHARD_FORMAT, version: SHARD_FORMAT_VERSION, shard: spec, meta, state: result.state, evidence: result.evidence, groups,
      }),
    });
    return { groups };
  } catch (err) {
    writer.abort();
    throw err;
  } finally {
    broker.recall.close();
    progress.done();
  }
}

/** Provenance of a replay, once both inputs have been read to their end. */
function runMeta(journal: RecordStream<unknown>, broker: RecordStream<unknown>, loaded: LoadedConfig): RunMeta {
  return {
    journal: journal.meta(), broker: broker.meta(), configFile: loaded.file,
    configHash: loaded.hash, effectiveConfig: loaded.effective,
  };
}
