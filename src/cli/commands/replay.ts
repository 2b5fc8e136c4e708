// `recon-proof replay`: one journal against one broker log -> the four artifacts (or, with --shard,
// one shard's files for `recon-proof merge`).

import { basename } from "node:path";
import type { Command } from "commander";
import * as D from "../../domain/decimal.js";
import { entryTemplate } from "../../domain/instrument-entry.js";
import { CACHE_BATCH_DEFAULT } from "../../adapters/cache/store.js";
import { defaultConfigText } from "../../adapters/inputs.js";
import { parseShardSpec } from "../../core/shard/shard.js";
import { ConfigError } from "../../domain/errors.js";
import { totalsDoc } from "../../artifacts/report-json.js";
import { EXIT } from "../../runtime/exit-codes.js";
import { EXIT_MEANING, exitCodesHelp, printWarnings, type SetExit } from "../errors.js";
import { type CommandResult, type Output, outputFor, runWithOutput } from "../output.js";
import { chooseJobs, JOBS_AUTO_INPUT_BYTES_MIN, JOBS_MAX, parseJobs } from "../../jobs/replay/choose.js";
import { JOB_WORKER_URL, runReplayInJobs } from "../../jobs/replay/jobs.js";
import { JOBS_FLOW_DEFAULT } from "../../jobs/replay/protocol.js";
import { type FolderReplayArgs, runReplayInterruptibly, type ReplayOutcome } from "../../run/replay.js";
import { runShardReplayInterruptibly } from "../../shard/replay.js";
import { SIGNALS_HELP, withSignalsTrapped } from "../../runtime/signals.js";
import { ADOPT_OUT_OPTION, OUT_FOLDER_RULES, OUT_IO_REFUSALS, OUT_USAGE_REFUSALS } from "./out-help.js";

export function registerReplay(program: Command, setExit: SetExit): void {
  program
    .command("replay")
    .description("Replay one journal against one broker log and write trades.csv, reconcile-report.json, summary.txt and metrics.txt into --out.")
    .requiredOption("--journal <file>", "the engine's decision journal (JSON Lines; formats: docs/reference/formats.md, schemas/journal.schema.json)")
    .requiredOption("--broker <file>", "the broker's event log (JSON Lines; formats: docs/reference/formats.md, schemas/broker.schema.json)")
    .option("--config <file>", "config JSON; any field left out takes the default shown below")
    .option("--cache <db>", "SQLite order-id cache (create it with `recon-proof cache init`); survives restarts and lets a killed replay resume. Default: a fresh in-memory cache")
    .requiredOption("--out <dir>", `output folder of plain files, ${OUT_FOLDER_RULES}`)
    .option(...ADOPT_OUT_OPTION)
    .option("--cache-batch <records>", `with --cache: write the cache changes of this many input records per SQLite transaction (group commit; a kill loses at most these, which the resumed replay recomputes, byte for byte). Default ${CACHE_BATCH_DEFAULT}; 1 puts every record's changes on disk before the next`)
    .option("--shard <K/N>", "replay only shard K of N (by symbol) and write shard files for `recon-proof merge` instead of artifacts")
    .option("--shard-by <key>", "what --shard partitions by (the input formats carry no account, so only symbol)", "symbol")
    .option("--jobs <n>", `run the replay as N shards by symbol in worker threads of this process, merged in memory: the same artifacts, byte for byte, as one job. The main thread reads and validates both logs once and feeds each worker the records of its symbols; on 2 cores --jobs 2 took 0.88x the wall time of one job and 2.3x its memory (measured: docs/benchmarks.md); more cores are not measured here. auto: one per core when the inputs hold ${JOBS_AUTO_INPUT_BYTES_MIN / 1024 / 1024} MiB or more and there is no --cache, else 1. Where the shards cannot be merged exactly the replay runs in one job and says so on stderr. 1 to ${JOBS_MAX}; default 1`)
    .option("--json", "print one JSON document on stdout (verdict, kill switch, counts); the human lines stay on stderr")
    .addHelpText("after", `
Config defaults (a config file overrides any of these keys; unknown keys are an error):
${defaultConfigText().replace(/^/gm, "  ")}

What the keys mean (durations in milliseconds of event time):
  idempotency_ttl_ms[_by_symbol]  how long a sent client order id blocks a re-send (per symbol: overrides)
  reconcile_interval_ms           cadence of reconciliation (also at startup, restart, reconnect, end)
  in_flight_grace_ms              how long an order may go unseen by the broker before it is stale
  signature_match_window_ms       time window for naming candidate matches of an orphan (never linked)
  drift_tolerance_units / _pips   position drift allowed before it is a finding (and the kill switch)
  pip_sizes                       per-symbol pip (default 0.01 for *JPY, else 0.0001)
  sessions                        UTC-hour buckets for slippage presets; must cover each hour once
  slippage_presets                [{symbol, session, max_slippage_pips}]; a fill without one is a breach
  limits                          the engine's rails, compared with the broker's limits_snapshot
  recovery                        orphan_policy alert|flatten; open_positions_policy RESUME|CLOSE_ALL|
                                  EMERGENCY_EXIT (+ emergency_exit_loss_threshold) after a restart
  line_bytes_max, events_max, cache_entries_max
                                  named limits: exceeding one is an error (exit 65), never a silent cut
  report_list_items_max           report lists keep their first N items and say how many they omitted

Notes:
  - Events are replayed in event time: by timestamp, then journal before broker, then line.
  - Recovery actions (cancels, flattens, closes) are staged in the report, never executed.
${exitCodesHelp([
    [EXIT.ok, "artifacts written; healthy (the kill switch is not engaged)"],
    [EXIT.usage, `${EXIT_MEANING.usage}, or ${OUT_USAGE_REFUSALS}`],
    [EXIT.killSwitch, "artifacts written, but the kill switch is engaged: manual intervention required"],
    [EXIT.dataError, EXIT_MEANING.badInput],
    [EXIT.ioError, `I/O or persistence error (an input or the output folder, ${OUT_IO_REFUSALS},\na --cache that belongs to other inputs, that another replay holds, that cannot be written, or that another\nprocess holds SQLite's lock on past sqlite_busy_wait_ms; a full disk)`],
  ])}
${SIGNALS_HELP}

Example:
  recon-proof replay --journal fixtures/scenarios/healthy/journal.jsonl \\
    --broker fixtures/scenarios/healthy/broker.jsonl --config fixtures/scenarios/healthy/config.json --out artifacts/healthy`)
    .action((opts: ReplayOpts) => {
      const out = outputFor(opts.json === true);
      const files = { journal: opts.journal, broker: opts.broker, ...(opts.config === undefined ? {} : { config: opts.config }) };
      setExit(withSignalsTrapped(() => runWithOutput("replay", out, () => replay(opts, out), { files })));
    });
}

interface ReplayOpts {
  readonly journal: string;
  readonly broker: string;
  readonly config?: string;
  readonly cache?: string;
  readonly cacheBatch?: string;
  readonly out: string;
  readonly adoptOut?: boolean;
  readonly shard?: string;
  readonly shardBy: string;
  readonly jobs?: string;
  readonly json?: boolean;
}

/** One replay (or one shard of it, with --shard), its lines on stderr and its --json document. */
async function replay(opts: ReplayOpts, out: Output): Promise<CommandResult<"replay">> {
  const cacheBatch = parseCacheBatch(opts.cacheBatch);
  const jobsRequest = parseJobs(opts.jobs ?? "1");
  if (opts.shard !== undefined) {
    if (jobsRequest !== "auto" && jobsRequest > 1) throw new ConfigError("--jobs cannot be combined with --shard: a shard is one job; run the shards side by side instead");
    const spec = parseShardSpec(opts.shard, opts.shardBy);
    const { groups, warnings } = await runShardReplayInterruptibly({ ...opts, cacheBatch }, spec);
    printWarnings(warnings);
    out.note(`recon-proof: shard ${spec.index}/${spec.count} by ${spec.by}: ${groups} groups -> ${opts.out} (combine the shards with \`recon-proof merge\`)`);
    return { code: EXIT.ok, doc: { out: opts.out, shard: spec, groups } };
  }
  const outcome = await replayInJobs({ ...opts, cacheBatch }, jobsRequest, (line) => out.note(line));
  printWarnings(outcome.warnings);
  const { report } = outcome;
  const t = report.totals;
  if (report.cache.failure !== null) out.note(`recon-proof: order-id cache not used: ${report.cache.failure}`);
  for (const u of report.undescribedInstruments) {
    out.note(`recon-proof: ${basename(opts.broker)}:${u.line} names ${u.symbol}, which the config does not describe: its orders and fills ` +
      `are reported in units only. Describe it in the config's "instruments": ${entryTemplate(u.symbol)}`);
  }
  out.note(
    `recon-proof: ${outcome.resumed ? "resumed an interrupted replay: " : outcome.rerun ? "ran the cache's last completed replay again: " : ""}${t.journalRecords} journal records, ${t.brokerEvents} broker events -> ${opts.out}` +
    (t.killSwitch ? ` (kill switch engaged: ${report.killSwitch.reasons.join(", ")})` : " (healthy)"));
  return {
    code: outcome.exitCode,
    doc: {
      verdict: t.killSwitch ? "manual_intervention_required" : "healthy",
      out: opts.out,
      resumed: outcome.resumed,
      rerun: outcome.rerun,
      kill_switch: { engaged: report.killSwitch.engaged, engaged_at: report.killSwitch.engagedAt, reasons: report.killSwitch.reasons },
      counts: totalsDoc(report),
      realized_pnl_by_currency: report.totals.realizedPnlByCurrency.map(([currency, pnl]) => ({ currency, realized_pnl: D.toFixed(pnl, 2) })),
      findings: report.findingCounts,
    },
  };
}

/** The replay in as many jobs as asked for and possible; in one job where they cannot be merged exactly. */
async function replayInJobs(args: FolderReplayArgs, request: ReturnType<typeof parseJobs>, note: (line: string) => void): Promise<ReplayOutcome> {
  const { jobs, declined } = chooseJobs(request, args);
  if (declined !== null) note(`recon-proof: --jobs ${String(request)}: ${declined}; replaying in one job`);
  if (jobs > 1) {
    const result = await runReplayInJobs(args, jobs, JOB_WORKER_URL, JOBS_FLOW_DEFAULT);
    if (result.kind === "done") return result.outcome;
    if (!result.quiet) note(`recon-proof: --jobs ${jobs}: ${result.why}; replaying in one job`);
  }
  return runReplayInterruptibly(args);
}

/** --cache-batch: records per cache transaction (undefined: the store's default, CACHE_BATCH_DEFAULT). */
function parseCacheBatch(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(text) || Number(text) > 1_000_000) {
    throw new ConfigError(`--cache-batch takes a whole number of records from 1 to 1000000, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}
