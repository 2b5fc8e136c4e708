// `recon-proof replay`: one journal against one broker log -> the four artifacts (or, with --shard,
// one shard's files for `recon-proof merge`).

import type { Command } from "commander";
import { defaultConfigText } from "../../adapters/inputs.js";
import { parseShardSpec } from "../../core/shard.js";
import { ConfigError } from "../../domain/errors.js";
import { EXIT } from "../exit-codes.js";
import { EXIT_CODES_HELP, exitCodeOf, printWarnings, reportFailure, type SetExit } from "../errors.js";
import { runReplayInterruptibly, runShardReplayInterruptibly } from "../run-replay.js";
import { SIGNALS_HELP, withSignalsTrapped } from "../signals.js";

export function registerReplay(program: Command, setExit: SetExit): void {
  program
    .command("replay")
    .description("Replay one journal against one broker log and write trades.csv, reconcile-report.json, summary.txt and metrics.txt into --out.")
    .requiredOption("--journal <file>", "the engine's decision journal (JSON Lines, CONTRACT §3)")
    .requiredOption("--broker <file>", "the broker's event log (JSON Lines, CONTRACT §3)")
    .option("--config <file>", "config JSON; any field left out takes the default shown below")
    .option("--cache <db>", "SQLite order-id cache (create it with `recon-proof cache init`); survives restarts and lets a killed replay resume. Default: a fresh in-memory cache")
    .requiredOption("--out <dir>", "output folder: a link to the current artifact set, swapped atomically (the complete old set or the complete new one, never a mix); your own files in it are kept. A symbolic link recon-proof did not make is refused (not followed); a read-only folder is refused")
    .option("--cache-batch <records>", "with --cache: write the cache changes of this many input records per SQLite transaction (group commit; a kill loses at most these, which the resumed replay recomputes). Default 1: every record's changes on disk before the next", "1")
    .option("--shard <K/N>", "replay only shard K of N (by symbol) and write shard files for `recon-proof merge` instead of artifacts")
    .option("--shard-by <key>", "what --shard partitions by (only `symbol`: the input formats carry no account)", "symbol")
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
${EXIT_CODES_HELP}
${SIGNALS_HELP}

Example:
  recon-proof replay --journal fixtures/scenarios/healthy/journal.jsonl \\
    --broker fixtures/scenarios/healthy/broker.jsonl --config fixtures/scenarios/healthy/config.json --out /tmp/healthy`)
    .action((opts: { journal: string; broker: string; config?: string; cache?: string; cacheBatch: string; out: string; shard?: string; shardBy: string }) => setExit(withSignalsTrapped(async () => exitCodeOf(async () => {
      const cacheBatch = Number(opts.cacheBatch);
      if (!/^[1-9][0-9]*$/.test(opts.cacheBatch) || cacheBatch > 1_000_000) {
        throw new ConfigError(`--cache-batch takes a whole number of records from 1 to 1000000, got ${JSON.stringify(opts.cacheBatch)}`);
      }
      if (opts.shard !== undefined) {
        const spec = parseShardSpec(opts.shard, opts.shardBy);
        const { groups, warnings } = await runShardReplayInterruptibly({ ...opts, cacheBatch }, spec);
        printWarnings(warnings);
        process.stderr.write(`recon-proof: shard ${spec.index}/${spec.count} by ${spec.by}: ${groups} groups -> ${opts.out} (combine the shards with \`recon-proof merge\`)\n`);
        return EXIT.ok;
      }
      const outcome = await runReplayInterruptibly({ ...opts, cacheBatch });
      printWarnings(outcome.warnings);
      const t = outcome.report.totals;
      if (outcome.report.cache.failure !== null) {
        process.stderr.write(`recon-proof: order-id cache not used: ${outcome.report.cache.failure}\n`);
      }
      process.stderr.write(
        `recon-proof: ${outcome.resumed ? "resumed an interrupted replay: " : outcome.rerun ? "ran the cache's last completed replay again: " : ""}${t.journalRecords} journal records, ${t.brokerEvents} broker events -> ${opts.out}` +
        (t.killSwitch ? ` (kill switch engaged: ${outcome.report.killSwitch.reasons.join(", ")})` : " (healthy)") + "\n");
      return outcome.exitCode;
    }, (err) => reportFailure(err, { journal: opts.journal, broker: opts.broker, config: opts.config ?? "config" })))));
}
