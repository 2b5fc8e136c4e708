#!/usr/bin/env node
// Writes a scenario's proof result to the GitHub Actions job summary and raises one error
// annotation per FAIL line. Runs once dist/ is built (scripts/ci/install-runtime.sh or npm ci).
//   usage: node scripts/ci/proof-summary.mjs --name NAME --artifacts DIR --results FILE --exit-code N
//          [--expect FILE] [--artifact-name NAME]
//          [--replay-only [--suggested-expect FILE]]
// --results holds the output of `recon-proof proof`; --exit-code is that command's exit code;
// --artifact-name is the name the artifacts are uploaded under, which the summary links.
// --replay-only: there was no expect.txt, so --results and --exit-code are those of `recon-proof
// replay`, and --suggested-expect is the expect.txt `recon-proof expect` wrote from the artifacts.
// Outside Actions (no GITHUB_STEP_SUMMARY) the markdown goes to stdout. It always exits 0 unless
// its own arguments are wrong: the proof's exit code is what decides the step, not this report.
import * as core from "@actions/core";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildJobSummary, buildReplaySummary } from "../../dist/proofs/job-summary.js";
import { renderVerdictMarkdown } from "../../dist/proofs/verdict-markdown.js";

const { values: args } = parseArgs({
  options: {
    name: { type: "string" },
    artifacts: { type: "string" },
    results: { type: "string" },
    "exit-code": { type: "string" },
    expect: { type: "string" },
    "artifact-name": { type: "string" },
    "replay-only": { type: "boolean", default: false },
    "suggested-expect": { type: "string" },
  },
});
const exitCode = Number(args["exit-code"]);
if (!args.name || !args.artifacts || !args.results || !Number.isInteger(exitCode)) {
  process.stderr.write("usage: proof-summary.mjs --name NAME --artifacts DIR --results FILE --exit-code N [--expect FILE] [--artifact-name NAME] [--replay-only [--suggested-expect FILE]]\n");
  process.exit(2);
}

const readIfThere = (path) => (existsSync(path) ? readFileSync(path, "utf8") : undefined);
const output = readIfThere(args.results) ?? "";
const summaryTxt = readIfThere(join(args.artifacts, "summary.txt"));
const summary = args["replay-only"]
  ? buildReplaySummary({
    scenario: args.name,
    replayExitCode: exitCode,
    replayOutput: output,
    summaryTxt,
    suggestedExpect: args["suggested-expect"] ? readIfThere(args["suggested-expect"]) : undefined,
  })
  : buildJobSummary({
    scenario: args.name,
    proofExitCode: exitCode,
    proofOutput: output,
    summaryTxt,
    expect: args.expect && existsSync(args.expect) ? { path: args.expect, text: readFileSync(args.expect, "utf8") } : undefined,
  });

for (const a of summary.annotations) {
  core.error(a.message, { title: a.title, file: a.file, startLine: a.startLine });
}

// Link the run's artifacts (uploaded by the next step) by the name they are uploaded under, so Ops
// go from the verdict to the files.
const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: runId } = process.env;
const artifactName = args["artifact-name"];
const artifactsLink = server && repo && runId && artifactName
  ? `\nArtifacts for Ops review: [\`${artifactName}\`](${server}/${repo}/actions/runs/${runId}#artifacts) (report.html, trades.csv, reconcile-report.json, summary.txt, metrics.txt)\n`
  : "";

// The replay's own verdict (why the kill switch engaged, the key counts) under the proof's table.
const reportText = readIfThere(join(args.artifacts, "reconcile-report.json"));
let verdictMarkdown = "";
if (reportText !== undefined) {
  try {
    verdictMarkdown = "\n" + renderVerdictMarkdown(JSON.parse(reportText), args.name);
  } catch (err) {
    verdictMarkdown = `\n(reconcile-report.json could not be summarized: ${String(err.message ?? err).slice(0, 200)})\n`;
  }
}

if (process.env.GITHUB_STEP_SUMMARY) {
  await core.summary.addRaw(summary.markdown + verdictMarkdown + artifactsLink, true).write();
} else {
  process.stdout.write(summary.markdown + verdictMarkdown + "\n");
}

// Plain key=value (not core.setOutput's heredoc form): the values are single tokens, and a
// caller's workflow, or a test, can read them with grep.
if (process.env.GITHUB_OUTPUT) {
  appendFileSync(process.env.GITHUB_OUTPUT, `verdict=${summary.verdict}\nexit-code=${exitCode}\n`);
}
