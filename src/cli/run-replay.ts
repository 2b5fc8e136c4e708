// The imperative shell around one replay: read -> compute -> render -> write.

import { renderReportArtifacts } from "../report/render.js";
import { renderTradesHeader } from "../report/trades-csv.js";
import { fileBytes, hashFile, type LoadedConfig, openBroker, openJournal, loadConfig, type RecordStream, sha256Hex } from "../adapters/inputs.js";
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
import { Progress, type ProgressSink } from "./progress.js";

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
  /** Where progress goes (in bytes of both inputs); default a progress line of its own on stderr. */
  readonly progress?: ProgressSink | undefined;
}

export interface ReplayOutcome {
  readonly exitCode: number;
  readonly report: Report;
  /** True when this run continued one that was killed part way (same inputs, same cache). */
  readonly resumed: boolean;
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

/** Bytes of both inputs: what a replay's progress counts. */
export function replayInputBytes(args: Pick<ReplayArgs, "journal" | "broker">): number {
  return fileBytes(args.journal) + fileBytes(args.broker);
}

/**
 * Runs `body` with the inputs open and a progress line on stderr (or the caller's progress). On any
 * failure the staged output (and whatever else `abort` names) is discarded before the error goes
 * on; the broker's re-read handle is closed either way.
 */
function withInputs<T>(args: ReplayArgs, label: string, abort: () => void, body: (inputs: ReplayInputs, step: () => void) => T): T {
  const inputs = openInputs(args);
  const own = args.progress === undefined ? new Progress(label, replayInputBytes(args), "bytes") : null;
  const progress = args.progress ?? own!;
  const step = () => progress.update(inputs.journal.bytesRead() + inputs.broker.bytesRead());
  try {
    return body(inputs, step);
  } catch (err) {
    abort();
    throw err;
  } finally {
    inputs.broker.recall.close();
    own?.done();
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
  const { report, resumed } = withInputs(args, "replay", abort, ({ loaded, journal, broker }, step) => {
    let cacheEntries: readonly CacheEntry[] = [];
    let cacheFailure: string | null = null;
    let resumed = false;
    let store: SqliteCacheStore | null = null;
    if (args.cache !== undefined) {
      // A replay is identified by what it reads: the same inputs and config resume the same run.
      const runKey = sha256Hex(`${hashFile(args.journal)}|${hashFile(args.broker)}|${loaded.hash}`);
      ({ store, entries: cacheEntries, failure: cacheFailure, resuming: resumed } = SqliteCacheStore.open(args.cache, runKey));
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
        trades.add(engine.drainTrades());
        step();
      },
      beforeReport: (engine) => {
        const ops = engine.drainCacheOps();
        store?.apply(steps, ops);
        finalEntries = engine.cacheEntries();
      },
    });
    trades.add(report.trades);
    trades.flush();
    out.commit(renderReportArtifacts(report, runMeta(journal, broker, loaded)));
    return { report, resumed };
  });
  staged.store?.commit(finalEntries);
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
  const staged: { writer?: ArtifactSetWriter } = {};
  return withInputs(args, `replay shard ${spec.index}/${spec.count}`, () => staged.writer?.abort(), ({ loaded, journal, broker }, step) => {
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
      { afterStep: step });
    out.appendStreamed(lines.join(""));
    out.commit({
      [SHARD_MANIFEST_NAME]: renderShardManifest({
        format: SHARD_FORMAT, version: SHARD_FORMAT_VERSION, shard: spec, meta: runMeta(journal, broker, loaded),
        state: result.state, evidence: result.evidence, groups,
      }),
    });
    return { groups };
  });
}

/** Provenance of a replay, once both inputs have been read to their end. */
function runMeta(journal: RecordStream<unknown>, broker: RecordStream<unknown>, loaded: LoadedConfig): RunMeta {
  return {
    journal: journal.meta(), broker: broker.meta(), configFile: loaded.file,
    configHash: loaded.hash, effectiveConfig: loaded.effective,
  };
}
