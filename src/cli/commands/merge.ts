// `recon-proof merge --out DIR SHARD_DIR...`: the shards of a sharded replay -> one artifact set.

import type { Command } from "commander";
import { EXIT } from "../../runtime/exit-codes.js";
import { EXIT_MEANING, exitCodeOf, exitCodesHelp, printWarnings, reportFailure, type SetExit } from "../errors.js";
import { plural } from "../../text/plural.js";
import { runMerge } from "../../shard/merge.js";
import { ADOPT_OUT_OPTION, OUT_FOLDER_RULES, OUT_IO_REFUSALS, OUT_USAGE_REFUSALS } from "./out-help.js";

export function registerMerge(program: Command, setExit: SetExit): void {
  program
    .command("merge")
    .description("Combine the shard folders of a sharded replay (`replay --shard K/N`) into one artifact set, byte for byte the unsharded replay's.")
    .argument("<shard_dirs...>", "every shard folder of one sharded replay (all N of them, any order)")
    .requiredOption("--out <dir>", `output folder for the four artifacts, as with \`replay --out\`: ${OUT_FOLDER_RULES}`)
    .option(...ADOPT_OUT_OPTION)
    .addHelpText("after", `
Sharding runs one replay as N processes (a CI matrix, say). Each shard reads both logs whole,
owns the symbols that hash to it, validates their lines (it only peeks at the others' time and
ids), and writes shard.json and groups.jsonl; merge joins them. A bad line is refused by the shard
that owns it, and merge refuses a set without all N shards.

Where it is exact: every reconciliation rule that looks at one symbol (stale, orphan, drift,
caught fills, TTL, idempotency, slippage, symbol caps). Three things cross symbols, and merge
checks each; when one could have changed the result it refuses (exit 2) rather than guess:
  - the kill switch: once engaged it blocks every symbol's decisions, so a shard that took a
    decision after another shard's kill switch engaged would differ from the unsharded replay;
  - the daily loss cap: checked on the day's P&L over all symbols; merge refuses when the shards'
    worst losses of a day, added, could reach it;
  - cache_entries_max: it counts every symbol's order ids; merge refuses when the shards' peak
    cache sizes, added, exceed it.
--shard cannot be combined with --cache (one cache file belongs to one replay).

Merge verifies what it reads: each shard.json records digests of what the shard wrote, and
merge recomputes what the groups determine (counts, the verdict) instead of trusting the end
state. It cannot catch someone who rewrites the digests too; the report names the inputs'
sha256, so the logs can be replayed unsharded and the bytes compared.
${exitCodesHelp([
    [EXIT.ok, "artifacts written, byte for byte the unsharded replay's; healthy"],
    [EXIT.usage, `refused: a cross-symbol rule (kill switch, daily loss cap) could have changed the result,\n${OUT_USAGE_REFUSALS}, or a usage error`],
    [EXIT.killSwitch, "artifacts written, but the kill switch is engaged: manual intervention required"],
    [EXIT.dataError, "a shard's files are damaged or were changed after they were written (a field not as\n`replay --shard` writes it, a digest that does not match, an end state its groups contradict),\nthe folders are not all N shards of one replay of the same inputs and config, or\ncache_entries_max would have been exceeded; the message names the shard's file; nothing is written"],
    [EXIT.ioError, `${EXIT_MEANING.io} (${OUT_IO_REFUSALS})`],
  ])}

Example (three shards of the healthy scenario, then the merge):
  for k in 1 2 3; do
    recon-proof replay --journal fixtures/scenarios/healthy/journal.jsonl --broker fixtures/scenarios/healthy/broker.jsonl \\
      --config fixtures/scenarios/healthy/config.json --shard $k/3 --out shards/$k
  done
  recon-proof merge --out artifacts/merged shards/1 shards/2 shards/3`)
    .action((dirs: string[], opts: { out: string; adoptOut?: boolean }) => setExit(exitCodeOf(() => {
      const { exitCode, report, warnings } = runMerge(dirs, opts.out, { adopt: opts.adoptOut });
      printWarnings(warnings);
      const t = report.totals;
      process.stderr.write(`recon-proof: merged ${plural(dirs.length, "shard")}: ${t.journalRecords} journal records, ${t.brokerEvents} broker events -> ${opts.out}` +
        (t.killSwitch ? ` (kill switch engaged: ${report.killSwitch.reasons.join(", ")})` : " (healthy)") + "\n");
      return exitCode;
    }, (err) => reportFailure(err, { shards: "shards" }))));
}
