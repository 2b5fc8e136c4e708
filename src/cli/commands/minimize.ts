// `recon-proof minimize`: an incident's two logs reduced to a smallest subset that still keeps a
// predicate (expect.txt's language), written as a proof scenario ready for proofs/.

import type { Command } from "commander";
import { formatResult } from "../../proofs/verify.js";
import { criterionDoc } from "../json-docs.js";
import { plural } from "../../text/plural.js";
import { EXIT } from "../../runtime/exit-codes.js";
import { EXIT_MEANING, exitCodesHelp } from "../errors.js";
import { parseWorkers } from "../../jobs/minimize/pool.js";
import { type CommandResult, outputFor, runWithOutput } from "../output.js";
import { runMinimize, SCENARIO_FILES } from "../../run/minimize.js";
import { ADOPT_OUT_OPTION, OUT_FOLDER_RULES, OUT_IO_REFUSALS, OUT_USAGE_REFUSALS } from "./out-help.js";

interface MinimizeOpts {
  readonly journal: string;
  readonly broker: string;
  readonly config?: string;
  readonly keep: string[];
  readonly out: string;
  readonly adoptOut?: boolean;
  readonly note?: string;
  readonly workers: string;
  readonly json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerMinimize(program: Command, setExit: (code: number) => void): void {
  program
    .command("minimize")
    .description("Reduce a journal and a broker log to a smallest subset that still keeps a predicate, and write it as a proof scenario.")
    .requiredOption("--journal <file>", "the engine's decision journal of the incident")
    .requiredOption("--broker <file>", "the broker's event log of the incident")
    .option("--config <file>", "the config the incident was replayed with (copied into the scenario); all defaults when left out")
    .option("--keep <criterion>", "what must still hold, as a line of expect.txt (repeat it: every line must hold)", collect, [])
    .requiredOption("--out <dir>", `the scenario folder to write (${Object.values(SCENARIO_FILES).join(", ")}), ${OUT_FOLDER_RULES}`)
    .option(...ADOPT_OUT_OPTION)
    .option("--note <text>", "a comment for expect.txt: where the incident came from (e.g. the gen seed)")
    .option("--workers <n>", "worker threads that replay candidates side by side (0: all on this thread)", "0")
    .option("--json", "print one JSON document on stdout (the lines before and after, replays); human lines on stderr")
    .addHelpText("after", `
The predicate is written as expect.txt lines (see \`recon-proof proof --help\`):
  summary.txt: orphan=1 drift=                      the text must appear
  summary.txt: = duplicate_deliveries=1             a whole line must appear
  reconcile-report.json: "kind": "position_drift"   ...in any artifact
  reconcile-report.json: !"kind": "overfill"        the text must not appear
  exit: 3                                           the replay's exit code (0 or 3)
Only these criteria count: none of a proof's built-in ones, and no exit code unless named.

How: the replays run in-process on the pure core (no process per try), deterministically: the
same inputs and predicate give the same scenario. First the smallest window of the logs that
keeps the predicate, trying only windows that start at a journal record, at ever finer cuts; then
delta debugging (ddmin) over its lines; then each field (or array element) the input formats can
do without; again over lines while that dropped anything. The result is 1-minimal: removing any
one of its lines loses the predicate. A candidate the validator refuses (a line back in time, a
snapshot without its restart, an empty log, a conflicting redelivery) is not a reduction.

The scenario's expect.txt holds a comment saying where it came from (and --note), the predicate,
and the criteria that pin its verdict (as \`recon-proof expect\` writes them); it is replayed from
the files before DIR is written, so \`recon-proof proof DIR\` passes. On a terminal, progress shows
the lines left and the replays tried.
${exitCodesHelp([
    [EXIT.ok, "the scenario is written"],
    [EXIT.proofFailed, "the inputs do not keep the predicate (each failing criterion is printed); nothing is written"],
    [EXIT.usage, `usage or config error (a malformed --keep, an exit code a replay cannot have, a bad config),\nor ${OUT_USAGE_REFUSALS}`],
    [EXIT.dataError, EXIT_MEANING.badInput],
    [EXIT.ioError, `${EXIT_MEANING.io} (${OUT_IO_REFUSALS})`],
  ])}

Example (a generated incident with a manual trade, down to the lines that make the orphan):
  recon-proof gen --seed 7 --events 2000 --faults orphan --out generated/s7
  recon-proof minimize --journal generated/s7/journal.jsonl --broker generated/s7/broker.jsonl \\
    --config generated/s7/config.json --keep 'reconcile-report.json: "client_order_id": "MANUAL-' \\
    --keep 'summary.txt: orphan=1 drift=' \\
    --note 'gen --seed 7 --events 2000 --faults orphan' --out proofs-new/orphan-s7
  recon-proof proof proofs-new/orphan-s7`)
    .action(async (opts: MinimizeOpts) => {
      const out = outputFor(opts.json === true);
      setExit(await runWithOutput("minimize", out, async (): Promise<CommandResult<"minimize">> => {
        const started = Date.now();
        const outcome = await runMinimize({
          journal: opts.journal, broker: opts.broker, config: opts.config, keep: opts.keep, out: opts.out, adoptOut: opts.adoptOut, note: opts.note,
          workers: parseWorkers(opts.workers),
        });
        if (!outcome.kept) {
          for (const r of outcome.results) out.result(formatResult("inputs", r));
          out.note("recon-proof: the inputs do not keep the predicate: nothing to minimize, nothing written");
          return { code: EXIT.proofFailed, doc: { kept: false, criteria: outcome.results.map(criterionDoc) } };
        }
        const { lines } = outcome;
        out.note(`recon-proof: minimized ${plural(lines.journal.before, "journal line")} to ${lines.journal.after} and ${plural(lines.broker.before, "broker line")} to ${lines.broker.after} ` +
          `in ${plural(outcome.replays, "replay")} (${((Date.now() - started) / 1000).toFixed(1)} s) -> ${opts.out} (it replays to exit ${outcome.exitCode})`);
        return { code: EXIT.ok, doc: { kept: true, out: opts.out, predicate: outcome.predicate, lines, replays: outcome.replays, scenario_exit_code: outcome.exitCode } };
      }, { files: { journal: opts.journal, broker: opts.broker, ...(opts.config === undefined ? {} : { config: opts.config }) }, consequence: "nothing was written" }));
    });
}
