// The pure half of the CI job summary: the PASS/FAIL output of `recon-proof proof` and the
// scenario's summary.txt in, a markdown table and a list of error annotations out. The I/O half
// (`scripts/ci/proof-summary.mjs`) hands these to @actions/core; keeping this part pure lets the
// tests pin the exact text a reviewer sees on GitHub without a runner.

/** One `PASS|FAIL <scenario> <artifact>: <criterion>[  (why)]` line, as `formatResult` prints it. */
export interface ProofLine {
  readonly pass: boolean;
  readonly scenario: string;
  readonly artifact: string;
  readonly criterion: string;
  readonly why: string | null;
}

export interface ParsedProofOutput {
  readonly lines: readonly ProofLine[];
  /** Anything else the command printed (e.g. a usage error on stderr), minus the closing tally. */
  readonly other: readonly string[];
}

/** An error annotation; `file`/`startLine` point at the expect.txt line when it can be found. */
export interface Annotation {
  readonly title: string;
  readonly message: string;
  readonly file?: string;
  readonly startLine?: number;
}

/** `healthy` or `manual_intervention_required` (as in reconcile-report.json), `none` without artifacts. */
export type Verdict = "healthy" | "manual_intervention_required" | "none";

export interface JobSummaryInput {
  readonly scenario: string;
  /** Exit code of `recon-proof proof`: 0 passed, 1 a criterion failed, 2/65/74 it could not run. */
  readonly proofExitCode: number;
  /** stdout (and stderr) of `recon-proof proof`. */
  readonly proofOutput: string;
  /** summary.txt, or undefined when the replay wrote no artifacts. */
  readonly summaryTxt?: string;
  /** The scenario's expect.txt, so an annotation can point at the line that failed. */
  readonly expect?: { readonly path: string; readonly text: string };
}

export interface JobSummary {
  readonly markdown: string;
  readonly annotations: readonly Annotation[];
  readonly verdict: Verdict;
  readonly passed: number;
  readonly failed: number;
}

const PROOF_LINE = /^(PASS|FAIL) (\S+) ([^\s:]+): (.*)$/;
const TALLY_LINE = /^proof: [\d,]+ scenarios?, [\d,]+ criteri(?:on|a), [\d,]+ failed$/;

/** Splits proof output into criterion lines and everything else. The why is the trailing `  (...)`. */
export function parseProofOutput(text: string): ParsedProofOutput {
  const lines: ProofLine[] = [];
  const other: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    const m = PROOF_LINE.exec(line);
    if (m === null) {
      if (line.trim() !== "" && !TALLY_LINE.test(line)) other.push(line);
      continue;
    }
    const pass = m[1] === "PASS";
    let criterion = m[4] ?? "";
    let why: string | null = null;
    // Only FAIL lines carry a why; a PASS criterion may itself end in "  (...)".
    const cut = criterion.lastIndexOf("  (");
    if (!pass && cut !== -1 && criterion.endsWith(")")) {
      why = criterion.slice(cut + 3, -1);
      criterion = criterion.slice(0, cut);
    }
    lines.push({ pass, scenario: m[2] ?? "", artifact: m[3] ?? "", criterion, why });
  }
  return { lines, other };
}

/** `key=value` lines of summary.txt; the first line's tokens (stale=, orphan=, ...) are included. */
export function parseSummaryTxt(text: string): Map<string, string> {
  const values = new Map<string, string>();
  const [head = "", ...rest] = text.split("\n");
  for (const token of head.split(" ").slice(1)) {
    const eq = token.indexOf("=");
    if (eq > 0) values.set(token.slice(0, eq), token.slice(eq + 1));
  }
  for (const line of rest) {
    const eq = line.indexOf("=");
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return values;
}

/** The replay's verdict from summary.txt: the kill switch is what asks for a person. */
export function verdictOf(summaryTxt: string | undefined): Verdict {
  if (summaryTxt === undefined) return "none";
  return parseSummaryTxt(summaryTxt).get("kill_switch") === "1" ? "manual_intervention_required" : "healthy";
}

const VERDICT_TEXT: Record<Verdict, string> = {
  healthy: "healthy",
  manual_intervention_required: "manual intervention",
  none: "no artifacts",
};

/** Escapes text for a markdown table cell or list item (GitHub sanitises HTML, but not pipes). */
function md(text: string): string {
  return text.replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`);
}

/** A code span that survives backticks inside the text. */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** The replay's own exit code, as the `exit` criterion reports it (3 = kill switch engaged). */
export function replayExitCode(lines: readonly ProofLine[]): number | undefined {
  const line = lines.find((l) => l.artifact === "exit");
  if (line === undefined) return undefined;
  const text = line.pass ? line.criterion : /^exit code was (\d+)$/.exec(line.why ?? "")?.[1];
  return text === undefined ? undefined : Number(text);
}

/** The 1-based expect.txt line a failed criterion came from, if it came from one. */
function expectLineOf(expectText: string, line: ProofLine): number | undefined {
  const rows = expectText.split("\n").map((r) => r.replace(/\r$/, ""));
  const index = line.artifact === "exit"
    ? rows.findIndex((r) => /^exit:/.test(r.trim()))
    : rows.findIndex((r) => r === `${line.artifact}: ${line.criterion}`);
  return index === -1 ? undefined : index + 1;
}

function annotationFor(line: ProofLine, input: JobSummaryInput): Annotation {
  const message = `${line.artifact}: ${line.criterion}` + (line.why === null ? "" : ` (${line.why})`);
  const { expect } = input;
  const at = expect === undefined ? undefined : expectLineOf(expect.text, line);
  return expect === undefined || at === undefined
    ? { title: input.scenario, message }
    : { title: input.scenario, message, file: expect.path, startLine: at };
}

/** Builds the markdown job summary and one annotation per FAIL line (or per failed run). */
export function buildJobSummary(input: JobSummaryInput): JobSummary {
  const parsed = parseProofOutput(input.proofOutput);
  // The output of a run over several scenarios may be passed in: keep this scenario's lines.
  const lines = parsed.lines.filter((l) => l.scenario === input.scenario);
  const other = parsed.other;
  const failedLines = lines.filter((l) => !l.pass);
  const passed = lines.length - failedLines.length;
  const verdict = verdictOf(input.summaryTxt);
  const values = input.summaryTxt === undefined ? new Map<string, string>() : parseSummaryTxt(input.summaryTxt);
  const value = (key: string) => md(values.get(key) ?? "–");
  const replayExit = replayExitCode(lines);
  const ok = input.proofExitCode === 0 && failedLines.length === 0;

  const annotations = failedLines.map((l) => annotationFor(l, input));
  // Exit 2/65/74 without FAIL lines means the proof could not run at all: say so, with its message.
  if (!ok && failedLines.length === 0) {
    const why = other.length > 0 ? other.join(" ") : "no PASS/FAIL output";
    annotations.push({ title: input.scenario, message: `recon-proof proof exited ${input.proofExitCode}: ${why}` });
  }

  const out: string[] = [
    `### ${ok ? "✅" : "❌"} recon-proof: ${md(input.scenario)}`,
    "",
    "| scenario | proof | verdict | exit code (proof / replay) | criteria passed | criteria failed | stale | orphan | drift (pips) | kill_switch |",
    "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    `| ${md(input.scenario)} | ${ok ? "passed" : "failed"} | ${VERDICT_TEXT[verdict]} | ${input.proofExitCode} / ${replayExit ?? "–"} | ` +
      `${passed} | ${failedLines.length} | ` +
      `${value("stale")} | ${value("orphan")} | ${value("drift")} | ${value("kill_switch")} |`,
    "",
  ];
  if (failedLines.length > 0) {
    out.push("**Failing criteria**", "");
    for (const l of failedLines) out.push(`- ${md(l.artifact)}: ${code(l.criterion)}` + (l.why === null ? "" : ` — ${md(l.why)}`));
    out.push("");
  }
  if (!ok && other.length > 0) {
    out.push("**Output**", "", "```text", ...other.map((l) => l.replace(/```/g, "'''")), "```", "");
  }
  return { markdown: out.join("\n"), annotations, verdict, passed, failed: failedLines.length };
}

/** A replay run without an expect.txt: nothing to check but the replay's own verdict. */
export interface ReplaySummaryInput {
  readonly scenario: string;
  /** Exit code of `recon-proof replay`: 0 healthy, 3 kill switch engaged, 2/65/74 it could not run. */
  readonly replayExitCode: number;
  /** What `recon-proof replay` printed (its error message when it could not run). */
  readonly replayOutput: string;
  /** summary.txt, or undefined when the replay wrote no artifacts. */
  readonly summaryTxt?: string;
  /** The expect.txt that `recon-proof expect` wrote from the artifacts, when there are artifacts. */
  readonly suggestedExpect?: string;
}

/** A fenced block that no line of the text can close. */
function fenced(text: string, info: string): string[] {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  return [`${fence}${info}`, ...text.replace(/\n$/, "").split("\n"), fence];
}

function replayAnnotation(input: ReplaySummaryInput, values: Map<string, string>, other: readonly string[]): Annotation {
  const head = `recon-proof replay exited ${input.replayExitCode}`;
  if (input.replayExitCode === 3) {
    const reasons = values.get("kill_switch_reasons");
    return { title: input.scenario, message: `${head}: kill switch engaged, manual intervention required` + (reasons ? ` (${reasons})` : "") };
  }
  return { title: input.scenario, message: `${head}: ${other.length > 0 ? other.join(" ") : "no output"}` };
}

/**
 * The job summary of a replay without expect.txt: its verdict and counts, an annotation when the
 * step fails (kill switch engaged, or the replay could not run), and the suggested expect.txt to
 * start a proof from.
 */
export function buildReplaySummary(input: ReplaySummaryInput): JobSummary {
  const ok = input.replayExitCode === 0;
  const verdict = verdictOf(input.summaryTxt);
  const values = input.summaryTxt === undefined ? new Map<string, string>() : parseSummaryTxt(input.summaryTxt);
  const value = (key: string) => md(values.get(key) ?? "–");
  // What the replay printed: when it could not run, its message names the file, line and field.
  const other = input.replayOutput.split("\n").map((l) => l.replace(/\r$/, "")).filter((l) => l.trim() !== "");
  const out: string[] = [
    `### ${ok ? "✅" : "❌"} recon-proof: ${md(input.scenario)} (replay, no expect.txt)`,
    "",
    "| scenario | verdict | exit code (replay) | stale | orphan | drift (pips) | kill_switch |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    `| ${md(input.scenario)} | ${VERDICT_TEXT[verdict]} | ${input.replayExitCode} | ` +
      `${value("stale")} | ${value("orphan")} | ${value("drift")} | ${value("kill_switch")} |`,
    "",
  ];
  if (!ok && input.summaryTxt === undefined) {
    out.push("**Output**", "", ...fenced(other.join("\n"), "text"), "");
  }
  if (input.suggestedExpect !== undefined) {
    out.push(
      "No `expect` input was given, so nothing was checked beyond the replay's own verdict. " +
        "`recon-proof expect` wrote the expect.txt below from these artifacts (it is also in the uploaded artifact). " +
        "It pins what this replay did, right or wrong: read it against what the day should show, " +
        "commit it beside the inputs and pass it as `expect`.",
      "",
      "**Suggested expect.txt**",
      "",
      ...fenced(input.suggestedExpect, "text"),
      "",
    );
  }
  const annotations = ok ? [] : [replayAnnotation(input, values, other)];
  return { markdown: out.join("\n"), annotations, verdict, passed: 0, failed: 0 };
}
