// `recon-proof explain DIR ID`: one finding, alert or the kill switch of a replay, explained: the
// rule that fired, the input lines it rests on, both books at that moment, and what would have made
// it healthy.

import type { Command } from "commander";
import { printToStdout } from "../../adapters/stdout.js";
import { explanationDoc, renderExplanation } from "../../explain/explain.js";
import { EXIT } from "../../runtime/exit-codes.js";
import { exitCodesHelp } from "../errors.js";
import { type CommandResult, outputFor, runWithOutput } from "../output.js";
import { runExplain } from "../../run/explain.js";

interface ExplainOpts {
  readonly inputs?: string;
  readonly journal?: string;
  readonly broker?: string;
  readonly json?: boolean;
}

export function registerExplain(program: Command, setExit: (code: number) => void): void {
  program
    .command("explain")
    .description("Explain one finding, alert or the kill switch of a replay: the rule that fired, the input lines it rests on, the engine's and the broker's view at that moment, and what would have made it healthy.")
    .argument("<dir>", "an artifacts folder written by `replay --out DIR` (or by `proof`)")
    .argument("<id>", "a finding id (F00001), an alert id (A00001), kill_switch (its first reason) or kill_switch:REASON")
    .option("--inputs <folder>", "the folder holding the replay's journal and broker log (by the names the report records)")
    .option("--journal <file>", "the replay's journal, when it is not in --inputs")
    .option("--broker <file>", "the replay's broker log, when it is not in --inputs")
    .option("--json", "print one JSON document on stdout instead of the text")
    .addHelpText("after", `
With the inputs, explain checks they are the very files the replay read (their sha256 must be the
report's), replays them in-process up to the item, and shows the engine's and the broker's view of
its order and symbol just before the record whose handling raised it and right after; it prints
the input lines the item rests on. Without them it explains the rule and names the lines.
The config is the one the report records (its hash is checked). A replay that started from a
non-empty --cache cannot be replayed here: the views are then left out, and said so.
${exitCodesHelp([
    [EXIT.ok, "explained"],
    [EXIT.usage, "usage error: no such item in the report, or an input that is not the file the replay read\n(sha256 differs), or inputs that do not raise the item"],
    [EXIT.dataError, "reconcile-report.json is malformed, or an input line is (the message names file:line)"],
    [EXIT.ioError, "DIR, reconcile-report.json or an input is missing or unreadable"],
  ])}

Example:
  recon-proof replay --journal fixtures/scenarios/orphan-manual-trade/journal.jsonl \\
    --broker fixtures/scenarios/orphan-manual-trade/broker.jsonl \\
    --config fixtures/scenarios/orphan-manual-trade/config.json --out artifacts/orphan || test $? -eq 3
  recon-proof explain artifacts/orphan F00001 --inputs fixtures/scenarios/orphan-manual-trade
(replay exits 3 there: the kill switch is engaged, which is what there is to explain)`)
    .action((dir: string, id: string, opts: ExplainOpts) => {
      const out = outputFor(opts.json === true);
      setExit(runWithOutput("explain", out, (): CommandResult<"explain"> => {
        const e = runExplain({ dir, id, inputs: opts.inputs, journal: opts.journal, broker: opts.broker });
        if (!out.json) printToStdout(renderExplanation(e));
        return { code: EXIT.ok, doc: explanationDoc(e) };
      }, { consequence: null }));
    });
}
