// The checking half of a proof (docs/outputs-and-proofs.md, "expect.txt"), as pure functions: artifact texts
// and an expect.txt in, one result per criterion out. The built-in criteria are the pass/fail rules every
// proof shares; every line of expect.txt adds one more. `scripts/verify.sh` is the same check in plain shell
// with `grep -F` (and `grep -Fx` for whole lines).

import { ConfigError } from "../domain/errors.js";
import { ARTIFACT_NAMES, type ArtifactName, METRICS_TXT, SUMMARY_TXT } from "../artifacts/names.js";

/**
 * How a criterion's text is matched: `contains` (`<artifact>: <text>`), `absent`
 * (`<artifact>: !<text>`) or `line`, a whole line (`<artifact>: = <line>`, like `grep -Fx`), which
 * a longer number cannot satisfy (`= orphan=1` does not hold for `orphan=12`).
 */
export type MatchForm = "contains" | "absent" | "line";

export interface Expectation {
  readonly line: number;
  readonly artifact: ArtifactName;
  readonly text: string;
  readonly form: MatchForm;
}

export interface ExpectFile {
  readonly exitCode: number;
  /** Whether an `exit:` line names the code (without one, a proof expects 0). */
  readonly exitGiven: boolean;
  readonly expectations: readonly Expectation[];
}

export interface CheckResult {
  readonly pass: boolean;
  /** "summary.txt", "exit", ... */
  readonly artifact: string;
  readonly criterion: string;
  /** Why it failed, for a person reading the log. */
  readonly why: string | null;
  /** For a failed criterion: the artifact's line closest to what was expected (or the one that matched a `!`). */
  readonly held?: string | null;
}

const FORM_PREFIX: Readonly<Record<MatchForm, string>> = { contains: "", absent: "!", line: "= " };

/** The criterion as expect.txt writes it after `<artifact>: `. */
export function criterionText(e: Pick<Expectation, "form" | "text">): string {
  return FORM_PREFIX[e.form] + e.text;
}

function formOf(value: string): { form: MatchForm; text: string } {
  if (value.startsWith(FORM_PREFIX.line)) return { form: "line", text: value.slice(FORM_PREFIX.line.length) };
  if (value.startsWith(FORM_PREFIX.absent)) return { form: "absent", text: value.slice(FORM_PREFIX.absent.length) };
  return { form: "contains", text: value };
}

/** Parses expect.txt. A malformed line is a usage error naming file:line. */
export function parseExpect(text: string, fileName: string): ExpectFile {
  let exitCode = 0;
  let exitGiven = false;
  const expectations: Expectation[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "" || line.trimStart().startsWith("#")) return;
    const sep = line.indexOf(": ");
    const key = sep === -1 ? line.trim().replace(/:$/, "") : line.slice(0, sep).trim();
    const value = sep === -1 ? "" : line.slice(sep + 2);
    if (key === "exit") {
      if (!/^\d{1,3}$/.test(value.trim())) throw new ConfigError(`${fileName}:${i + 1}: "exit:" needs a whole number, got ${JSON.stringify(value)}`);
      exitCode = Number(value.trim());
      exitGiven = true;
      return;
    }
    const { form, text: wanted } = formOf(value);
    if (!(ARTIFACT_NAMES as readonly string[]).includes(key) || wanted === "") {
      throw new ConfigError(`${fileName}:${i + 1}: expected "<artifact>: <text>", "<artifact>: !<text>" or "<artifact>: = <whole line>" with artifact one of ${ARTIFACT_NAMES.join(", ")}, or "exit: N"; got ${JSON.stringify(line)}`);
    }
    expectations.push({ line: i + 1, artifact: key as ArtifactName, text: wanted, form });
  });
  return { exitCode, exitGiven, expectations };
}

const SUMMARY_HEAD = /^reconcile_summary stale=(\d+) orphan=(\d+) drift=(-?\d+\.\d) cache_ok=(true|false)$/;

/** Whether an expectation asks for this outcome, e.g. /stale=[1-9]/: then the built-in rule steps aside. */
function expects(expect: ExpectFile, outcome: RegExp): boolean {
  return expect.expectations.some((e) => e.form !== "absent" && outcome.test(e.text));
}

function summaryValue(summary: string, key: string): string | undefined {
  const m = new RegExp(`^${key}=(.*)$`, "m").exec(summary);
  return m?.[1];
}

/**
 * The built-in criteria: the summary line is there with all four tokens; metrics has the runs counter;
 * stale, orphan, drift beyond tolerance and a cache failure fail the proof unless the expect file
 * names that outcome (e.g. `summary.txt: reconcile_summary stale=1`).
 */
function builtInChecks(artifacts: Readonly<Partial<Record<ArtifactName, string>>>, expect: ExpectFile): CheckResult[] {
  const out: CheckResult[] = [];
  const check = (pass: boolean, artifact: string, criterion: string, why: string) =>
    out.push({ pass, artifact, criterion, why: pass ? null : why });
  const summary = artifacts[SUMMARY_TXT] ?? "";
  const head = SUMMARY_HEAD.exec(summary.split("\n")[0] ?? "");
  check(head !== null, SUMMARY_TXT, "first line is reconcile_summary stale= orphan= drift= cache_ok=",
    `first line is ${JSON.stringify((summary.split("\n")[0] ?? "").slice(0, 100))}`);
  check(/^engine_reconcile_runs_total \d+$/m.test(artifacts[METRICS_TXT] ?? ""), METRICS_TXT, "has engine_reconcile_runs_total",
    "no engine_reconcile_runs_total sample");
  if (head !== null) {
    if (!expects(expect, /\bstale=[1-9]/)) check(head[1] === "0", SUMMARY_TXT, "stale=0 (not expected otherwise)", `stale=${head[1]}`);
    if (!expects(expect, /\borphan=[1-9]/)) check(head[2] === "0", SUMMARY_TXT, "orphan=0 (not expected otherwise)", `orphan=${head[2]}`);
    if (!expects(expect, /cache_ok=false/)) check(head[4] === "true", SUMMARY_TXT, "cache_ok=true (no cache read/write failure)", `cache_ok=${head[4]}`);
  }
  if (!expects(expect, /\bdrift=(?!0\.0\b)\d|drift_units=[1-9]|position_drift/)) {
    const reasons = summaryValue(summary, "kill_switch_reasons") ?? "";
    check(!reasons.split(",").includes("position_drift"), SUMMARY_TXT, "no position drift beyond tolerance",
      `kill_switch_reasons=${reasons}`);
  }
  return out;
}

function exitResult(expected: number, actual: number): CheckResult {
  return { pass: actual === expected, artifact: "exit", criterion: String(expected), why: actual === expected ? null : `exit code was ${actual}` };
}

/** Checks one artifact set. `exitCode` is the replay's exit code (from `proof`), or derived from the summary. */
export function verifyArtifacts(
  artifacts: Readonly<Partial<Record<ArtifactName, string>>>,
  expect: ExpectFile,
  exitCode: number | undefined,
): CheckResult[] {
  const results: CheckResult[] = [];
  const actualExit = exitCode ?? (summaryValue(artifacts[SUMMARY_TXT] ?? "", "kill_switch") === "1" ? 3 : 0);
  results.push(exitResult(expect.exitCode, actualExit));
  if (expect.exitCode === 65 || actualExit === 65) return results; // bad input: no artifacts to check
  for (const name of ARTIFACT_NAMES) {
    if (artifacts[name] === undefined) results.push({ pass: false, artifact: name, criterion: "exists", why: "file missing" });
  }
  results.push(...builtInChecks(artifacts, expect));
  for (const e of expect.expectations) results.push(checkExpectation(artifacts[e.artifact] ?? "", e));
  return results;
}

/** Whether `text` is one whole line of the artifact (as `grep -Fx` sees it). */
export function hasWholeLine(artifact: string, line: string): boolean {
  if (line.includes("\n")) return false;
  return artifact.startsWith(line + "\n") || artifact === line || artifact.includes("\n" + line + "\n") || artifact.endsWith("\n" + line);
}

/** The artifact line that holds `from` (its first occurrence), trimmed and with runs of blanks as one space. */
function lineAround(artifact: string, from: number): string {
  const start = artifact.lastIndexOf("\n", from) + 1;
  const end = artifact.indexOf("\n", from);
  const line = artifact.slice(start, end < 0 ? artifact.length : end).trim().replace(/\s+/g, " ");
  return line.length <= HELD_CHARS_MAX ? line : line.slice(0, HELD_CHARS_MAX - 1) + "…";
}

/** Characters of the artifact's closest line quoted in a FAIL line. */
const HELD_CHARS_MAX = 160;
/** A closest line must share at least this much of the criterion's start to be worth showing. */
const HELD_PREFIX_CHARS_MIN = 4;

/**
 * What the artifact holds where the criterion expected its text: the line holding the longest start
 * of the text (`drift_units=300000` for `= drift_units=30000`, `realized_pnl=-59.80` for
 * `realized_pnl=-59.81`). Occurrence of a prefix is monotone in its length, so a binary search finds it.
 */
export function closestLine(artifact: string, text: string): string | null {
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (artifact.includes(text.slice(0, mid))) lo = mid;
    else hi = mid - 1;
  }
  if (lo < Math.min(HELD_PREFIX_CHARS_MIN, text.length)) return null;
  return lineAround(artifact, artifact.indexOf(text.slice(0, lo)));
}

/** Whether one criterion holds for the artifact's text. */
function expectationHolds(artifact: string, e: Expectation): boolean {
  switch (e.form) {
    case "contains":
      return artifact.includes(e.text);
    case "line":
      return hasWholeLine(artifact, e.text);
    case "absent":
      return !artifact.includes(e.text);
  }
}

const FAILED_WHY: Readonly<Record<MatchForm, string>> = { contains: "text not found", line: "no such line", absent: "text present" };

function checkExpectation(artifact: string, e: Expectation): CheckResult {
  const base = { artifact: e.artifact, criterion: criterionText(e) };
  if (expectationHolds(artifact, e)) return { ...base, pass: true, why: null };
  const held = e.form === "absent" ? lineAround(artifact, artifact.indexOf(e.text)) : closestLine(artifact, e.text);
  return { ...base, pass: false, why: FAILED_WHY[e.form], held };
}

/**
 * Whether artifacts satisfy a predicate written in expect.txt's language (what `minimize --keep`
 * must keep): every criterion holds, and the exit code is the one an `exit:` line names, if any.
 * Unlike a proof, no built-in criterion applies and no exit code is assumed: the predicate is all.
 */
export function predicateHolds(artifacts: Readonly<Partial<Record<ArtifactName, string>>>, predicate: ExpectFile, exitCode: number): boolean {
  if (predicate.exitGiven && exitCode !== predicate.exitCode) return false;
  return predicate.expectations.every((e) => expectationHolds(artifacts[e.artifact] ?? "", e));
}

/** Each criterion of a predicate with its result (why it failed, and what the artifact held), the exit line first. */
export function checkPredicate(artifacts: Readonly<Partial<Record<ArtifactName, string>>>, predicate: ExpectFile, exitCode: number): CheckResult[] {
  const exit = predicate.exitGiven ? [exitResult(predicate.exitCode, exitCode)] : [];
  return [...exit, ...predicate.expectations.map((e) => checkExpectation(artifacts[e.artifact] ?? "", e))];
}

/** `PASS|FAIL <scenario> <artifact>: <criterion>` — one line per criterion, as CI prints it. */
export function formatResult(scenario: string, r: CheckResult): string {
  return `${r.pass ? "PASS" : "FAIL"} ${scenario} ${r.artifact}: ${r.criterion}` + (r.why === null ? "" : `  (${whyText(r)})`);
}

/** The why of a FAIL line, with what the artifact held instead when there is a line to show. */
export function whyText(r: CheckResult): string {
  if (r.why === null) return "";
  if (r.held === undefined || r.held === null) return r.why;
  return `${r.why}; ${r.why === "text present" ? "in" : "the artifact has"}: ${r.held}`;
}
