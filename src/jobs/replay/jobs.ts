// `replay --jobs N`: the replay as N shards (by symbol, core/shard.ts) in worker threads of this
// process, their groups merged in memory as they arrive (core/combine.ts) into the same four
// artifacts, byte for byte, as one job writes. A shard must see every record's time and every
// account-wide event: the main thread reads and validates both logs once, judges redeliveries and
// routes (feed.ts), so each worker (worker.ts) gets the records it owns and a tick for the rest;
// workers.ts runs them and merges what they send.
//
// Where sharding is not exact (merge would refuse: the kill switch blocking another symbol's
// decisions, the daily loss cap across symbols, cache_entries_max over all symbols) the caller
// replays in one job and says so on stderr. A shard that stops on bad input is replayed in one job
// too, quietly: that replay reports the failure exactly as an unsharded replay does.

import { ArtifactSetWriter, checkOutDir } from "../../adapters/artifacts.js";
import { loadConfig } from "../../adapters/inputs.js";
import { renderedTradeBatches } from "../../adapters/trade-batches.js";
import { renderReportArtifacts } from "../../artifacts/render.js";
import { type RenderedTrade, renderTradesHeader } from "../../artifacts/trades-csv.js";
import { InexactMerge, MergedReport } from "../../core/shard/merge.js";
import { ShardMismatch } from "../../core/output/state.js";
import { replayInputBytes, type FolderReplayArgs, type ReplayOutcome } from "../../run/replay.js";
import { EXIT } from "../../runtime/exit-codes.js";
import { Progress } from "../../runtime/progress.js";
import { JOBS_FLOW_DEFAULT, type JobsFlow } from "./protocol.js";
import { ReaderStopped, ShardStopped } from "./stopped.js";
import { JobWorkers } from "./workers.js";

/** The worker's module, next to this one (tests running from the sources pass the built one). */
export const JOB_WORKER_URL = new URL("./worker.js", import.meta.url);

export type JobsResult =
  /**
   * `peakQueuedGroups`: the most groups of one shard that waited in the main thread at once;
   * `peakUntakenBatches`: the most batches sent to one worker and not yet taken.
   */
  | { readonly kind: "done"; readonly outcome: ReplayOutcome; readonly peakQueuedGroups: number; readonly peakUntakenBatches: number }
  /** Replay in one job instead; `quiet` when that replay reports the reason itself (bad input). */
  | { readonly kind: "fallback"; readonly why: string; readonly quiet: boolean };

/**
 * Runs one replay as `jobs` shards in worker threads and writes its artifacts, or says why it
 * should run in one job instead (nothing written then: --out is as it was).
 */
export async function runReplayInJobs(
  args: FolderReplayArgs,
  jobs: number,
  workerUrl: URL = JOB_WORKER_URL,
  flow: JobsFlow = JOBS_FLOW_DEFAULT,
): Promise<JobsResult> {
  const loaded = loadConfig(args.config);
  checkOutDir(args.out, { adopt: args.adoptOut });
  const ownProgress = args.progress === undefined ? new Progress("replay", replayInputBytes(args), "bytes") : null;
  const progress = args.progress ?? ownProgress!;
  const writer = new ArtifactSetWriter(args.out, renderTradesHeader(), undefined, undefined, { adopt: args.adoptOut, command: "replay --jobs" });
  const trades = renderedTradeBatches(writer);
  const merged = new MergedReport<RenderedTrade>(loaded.config, (rows) => trades.add(rows));
  const run = new JobWorkers({ args, loaded, jobs, workerUrl, flow, onGroup: (g) => merged.add(g), onBytes: (b) => progress.update(b) });
  let committed = false;
  try {
    const ends = await run.done;
    const report = merged.finish(ends.shards);
    trades.flush();
    const warnings = writer.commit(renderReportArtifacts(report, ends.meta));
    committed = true;
    return {
      kind: "done", peakQueuedGroups: run.peakQueued, peakUntakenBatches: run.peakUntaken,
      outcome: { exitCode: report.totals.killSwitch ? EXIT.killSwitch : EXIT.ok, report, resumed: false, rerun: false, warnings, artifacts: null },
    };
  } catch (err) {
    if (err instanceof InexactMerge) return { kind: "fallback", why: `the shards cannot be merged exactly (${err.why})`, quiet: false };
    if (err instanceof ShardMismatch) return { kind: "fallback", why: `the shards disagree (${err.message})`, quiet: false };
    if (err instanceof ShardStopped) return { kind: "fallback", why: err.message, quiet: err.inputError };
    if (err instanceof ReaderStopped) return { kind: "fallback", why: err.message, quiet: true };
    throw err;
  } finally {
    await run.stop();
    if (!committed) writer.abort();
    ownProgress?.done();
  }
}
