// `recon-proof report DIR`: reads DIR's artifacts and writes DIR/report.html for Ops review.
// Shell only: read (adapter) -> render (pure) -> write (atomic rename, so a reader never sees half a page).

import type { Command } from "commander";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readArtifactBundle } from "../../adapters/read-artifacts.js";
import { IoError } from "../../domain/errors.js";
import { renderReportHtml } from "../../report/html/page.js";
import { chart_points_max, table_rows_max } from "../../report/html/limits.js";
import { REPORT_HTML_NAME } from "../../report/artifact-names.js";
import { EXIT } from "../exit-codes.js";
import { exitCodeOf, type SetExit } from "../errors.js";


function writeAtomically(dir: string, text: string): string {
  const target = join(dir, REPORT_HTML_NAME);
  const temp = join(dir, `.${REPORT_HTML_NAME}.tmp`);
  try {
    writeFileSync(temp, text);
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new IoError(`cannot write ${target}: ${(err as Error).message}`);
  }
  return target;
}

export function registerReport(program: Command, setExit: SetExit): void {
  program
    .command("report")
    .description("Write DIR/report.html, a self-contained page for Ops review of DIR's artifacts.")
    .argument("<dir>", "an artifacts folder written by `replay --out DIR` (or by `proof`)")
    .addHelpText("after", `
Reads reconcile-report.json, trades.csv and summary.txt from DIR and writes DIR/report.html beside them:
the verdict and kill-switch reasons, reconcile runs on a timeline, findings and alerts (filterable),
staged actions, cumulative realized P&L (overall and per symbol), slippage by symbol x session
against presets, engine vs broker positions, cache and duplicate figures, and input hashes.

The page is one file with no network access (inline CSS, SVG and a small filter script; everything
is readable with JavaScript off), prints cleanly, and is deterministic: the same artifacts give the
same bytes. Large runs stay fast: charts keep at most ${chart_points_max} points per line and tables
at most ${table_rows_max} rows, with a note saying what was left out.

The exit code says whether the page was written, not whether the replay was healthy
(the verdict is on the page, and in replay's exit code).

Exit codes:
  0   report.html written
  65  an artifact is malformed (the message names file:line and the field)
  74  DIR or one of its artifacts is missing or unreadable, or report.html cannot be written

Example:
  recon-proof replay --journal j.jsonl --broker b.jsonl --out artifacts/run1
  recon-proof report artifacts/run1        # then open artifacts/run1/report.html`)
    .action((dir: string) => setExit(exitCodeOf(() => {
      const bundle = readArtifactBundle(dir);
      const target = writeAtomically(dir, renderReportHtml(bundle));
      process.stderr.write(`recon-proof: wrote ${target} (${bundle.doc.verdict})\n`);
      return EXIT.ok;
    })));
}
