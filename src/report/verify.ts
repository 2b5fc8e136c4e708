// The checking half of a proof (CONTRACT §6), as pure functions: artifact texts and an expect.txt
// in, one result per criterion out. The built-in criteria are the M8 pass/fail rules; every line of
// expect.txt adds one more. `scripts/verify.sh` is the same check in plain shell with `grep -F`.

import { ConfigError } from "../domain/errors.js";
import { ARTIFACT_NAMES, type ArtifactName, METRICS_TXT, SUMMARY_TXT } from "./artifact-names.js";

export interface Expectation {
  readonly line: number;
  readonly artifact: ArtifactName;
  readonly text: string;
  readonly negated: boolean;
}

export interface ExpectFile {
  readonly exitCode: number;
  readonly expectations: readonly Expectation[];
}

export interface CheckResult {
  readonly pass: boolean;
  /** "summary.txt", "exit", ... */
  readonly artifact: string;
  readonly criterion: string;
  /** Why it failed, for a person reading the log. */
  readonly why: string | null;
}

/** Parses expect.txt. A malformed line is a usage error naming file:line. */
export function parseExpect(text: string, fileName: string): ExpectFile {
  let exitCode = 0;
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
      return;
    }
    if (!(ARTIFACT_NAMES as readonly string[]).includes(key) || value === "" || value === "!") {
      throw new ConfigError(`${fileName}:${i + 1}: expected "<artifact>: <text>" or "<artifact>: !<text>" with artifact one of ${ARTIFACT_NAMES.join(", ")}, or "exit: N"; got ${JSON.stringify(line)}`);
    }
    const negated = value.startsWith("!");
    expectations.push({ line: i + 1, artifact: key as ArtifactName, text: negated ? value.slice(1) : value, negated });
  });
  return { exitCode, expectations };
}

const SUMMARY_HEAD = /^reconcile_summary stale=(\d+) orphan=(\d+) drift=(-?\d+\.\d) cache_ok=(true|false)$/;

/** Whether an expectation asks for this outcome, e.g. /stale=[1-9]/: then the built-in rule steps aside. */
function expects(expect: ExpectFile, outcome: RegExp): boolean {
  return expect.expectations.some((e) => !e.negated && outcome.test(e.text));
}

function summaryValue(summary: string, key: string): string | undefined {
  const m = new RegExp(`^${key}=(.*)$`, "m").exec(summary);
  return m?.[1];
}

/**
 * The M8 criteria: the summary line is there with all four tokens; metrics has the runs counter;
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

/** Checks one artifact set. `exitCode` is the replay's exit code (from `proof`), or derived from the summary. */
export function verifyArtifacts(
  artifacts: Readonly<Partial<Record<ArtifactName, string>>>,
  expect: ExpectFile,
  exitCode: number | undefined,
): CheckResult[] {
  const results: CheckResult[] = [];
  const actualExit = exitCode ?? (summaryValue(artifacts[SUMMARY_TXT] ?? "", "kill_switch") === "1" ? 3 : 0);
  results.push({ pass: actualExit === expect.exitCode, artifact: "exit", criterion: String(expect.exitCode),
    why: actualExit === expect.exitCode ? null : `exit code was ${actualExit}` });
  if (expect.exitCode === 65 || actualExit === 65) return results; // bad input: no artifacts to check
  for (const name of ARTIFACT_NAMES) {
    if (artifacts[name] === undefined) results.push({ pass: false, artifact: name, criterion: "exists", why: "file missing" });
  }
  results.push(...builtInChecks(artifacts, expect));
  for (const e of expect.expectations) {
    const found = (artifacts[e.artifact] ?? "").includes(e.text);
    const pass = e.negated ? !found : found;
    results.push({ pass, artifact: e.artifact, criterion: (e.negated ? "!" : "") + e.text,
      why: pass ? null : e.negated ? "text present" : "text not found" });
  }
  return results;
}

/** `PASS|FAIL <scenario> <artifact>: <criterion>` — one line per criterion, as CI prints it. */
export function formatResult(scenario: string, r: CheckResult): string {
  return `${r.pass ? "PASS" : "FAIL"} ${scenario} ${r.artifact}: ${r.criterion}` + (r.why === null ? "" : `  (${r.why})`);
}
