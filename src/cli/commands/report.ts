// `recon-proof report DIR`: reads DIR's artifacts (and, given them, the replay's inputs for the
// evidence lines) and writes DIR/report.html for Ops review. Shell only: read (adapter) -> render
// (pure) -> write (atomic rename, so a reader never sees half a page).

import type { Command } from "commander";
import { join } from "node:path";
import { readArtifactBundle } from "../../adapters/read-artifacts.js";
import { withOutDirLock } from "../../adapters/out-dir.js";
import { writeTextAtomically } from "../../adapters/write-lines.js";
import { PAGE_NEEDS, renderReportHtml } from "../../report-html/page.js";
import { CHART_POINTS_MAX, TABLE_ROWS_MAX, TRIAGE_CARDS_MAX } from "../../report-html/limits.js";
import { REPORT_HTML_NAME } from "../../artifacts/names.js";
import { EXIT } from "../../runtime/exit-codes.js";
import { exitCodeOf, exitCodesHelp, type SetExit } from "../errors.js";
import { Progress } from "../../runtime/progress.js";

interface ReportOpts {
  readonly inputs?: string;
  readonly journal?: string;
  readonly broker?: string;
}

export function registerReport(program: Command, setExit: SetExit): void {
  program
    .command("report")
    .description("Write DIR/report.html, a self-contained page for Ops review of DIR's artifacts.")
    .argument("<dir>", "an artifacts folder written by `replay --out DIR` (or by `proof`)")
    .option("--inputs <folder>", "the folder holding the replay's journal and broker log (by the names the report records), to show the evidence lines of the critical findings")
    .option("--journal <file>", "the replay's journal, when it is not in --inputs")
    .option("--broker <file>", "the replay's broker log, when it is not in --inputs")
    .addHelpText("after", `
Reads reconcile-report.json, trades.csv and summary.txt from DIR and writes DIR/report.html beside
them. The top answers "what must I do now": the verdict, then each critical finding (up to
${TRIAGE_CARDS_MAX}) with the rule that fired, its evidence lines and the staged action or next step;
other findings grouped by kind, clean runs only counted. Below: the figures, reconcile runs on a
timeline, findings, alerts, trades (filter, sort, pages), staged actions, P&L, slippage against
presets, positions, cache and duplicates, broker limits and input hashes.

Evidence lines are read from the inputs only when they are given (--inputs, --journal, --broker),
and only from the very files the replay read: their sha256 must match the report's.

The page is one file with no network access (inline CSS, SVG and a small script; everything is
readable with JavaScript off), prints cleanly, and is deterministic: the same artifacts and inputs
give the same bytes. Large runs stay small: charts keep at most ${CHART_POINTS_MAX} points per line
and tables at most ${TABLE_ROWS_MAX} rows, with a note saying what was left out.

The exit code says whether the page was written, not whether the replay was healthy (the verdict
is on the page, and in replay's exit code).
${exitCodesHelp([
    [EXIT.ok, "report.html written"],
    [EXIT.usage, "usage error, or an input given is not the file the replay read (sha256 differs)"],
    [EXIT.dataError, "an artifact is malformed (the message names file:line and the field)"],
    [EXIT.ioError, "DIR, an artifact or a given input is missing or unreadable, report.html cannot be written,\nor another recon-proof is writing DIR"],
  ])}

Example:
  recon-proof replay --journal fixtures/scenarios/orphan-manual-trade/journal.jsonl \\
    --broker fixtures/scenarios/orphan-manual-trade/broker.jsonl \\
    --config fixtures/scenarios/orphan-manual-trade/config.json --out artifacts/orphan || test $? -eq 3
  recon-proof report artifacts/orphan --inputs fixtures/scenarios/orphan-manual-trade
(replay exits 3 there: the kill switch is engaged, which is what the report is for)`)
    .action((dir: string, opts: ReportOpts) => setExit(exitCodeOf(() => {
      const target = join(dir, REPORT_HTML_NAME);
      const progress: { line: Progress | null } = { line: null };
      let verdict: string;
      try {
        // As DIR's owner: a replay cannot swap DIR while the page is written into it.
        verdict = withOutDirLock(dir, "report", () => {
          const bundle = readArtifactBundle(dir, {
            needs: PAGE_NEEDS,
            paths: { inputs: opts.inputs, journal: opts.journal, broker: opts.broker },
            progress: (total) => (progress.line = new Progress("report", total, "bytes")),
          });
          writeTextAtomically(target, renderReportHtml(bundle));
          return bundle.doc.verdict;
        });
      } finally {
        progress.line?.done();
      }
      process.stderr.write(`recon-proof: wrote ${target} (${verdict})\n`);
      return EXIT.ok;
    })));
}
