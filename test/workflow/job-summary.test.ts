// The pure half of the CI job summary: PASS/FAIL text and summary.txt in, markdown and
// annotations out. Sample lines are written exactly as `formatResult` prints them.

import { describe, expect, it } from "vitest";
import { buildJobSummary, buildReplaySummary, parseProofOutput, parseSummaryTxt, replayExitCode, verdictOf } from "../../src/proofs/job-summary.js";
import { formatResult } from "../../src/proofs/verify.js";

const SUMMARY_KILLED = "reconcile_summary stale=1 orphan=2 drift=3.5 cache_ok=true\nkill_switch=1\nkill_switch_reasons=stale_local_order\nalerts=1\n";
const SUMMARY_HEALTHY = "reconcile_summary stale=0 orphan=0 drift=0.0 cache_ok=true\nkill_switch=0\n";

const PASSING = [
  "PASS healthy exit: 0",
  "PASS healthy summary.txt: stale=0 (not expected otherwise)",
  "PASS healthy metrics.txt: engine_reconcile_runs_total 15",
  "proof: 1 scenarios, 3 criteria, 0 failed",
].join("\n");

const FAILING = [
  formatResult("orphan", { pass: false, artifact: "exit", criterion: "0", why: "exit code was 3" }),
  formatResult("orphan", { pass: true, artifact: "summary.txt", criterion: "first line is reconcile_summary stale= orphan= drift= cache_ok=", why: null }),
  formatResult("orphan", { pass: false, artifact: "summary.txt", criterion: "orphan=0 (not expected otherwise)", why: "orphan=2" }),
  formatResult("orphan", { pass: false, artifact: "reconcile-report.json", criterion: '!"kind": "orphan_broker_order"', why: "text present" }),
  formatResult("orphan", { pass: false, artifact: "trades.csv", criterion: "a|b `x`", why: "text not found" }),
  "proof: 1 scenarios, 5 criteria, 4 failed",
].join("\n");

describe("parseProofOutput", () => {
  it("splits criterion, artifact and why; the why is only taken from FAIL lines", () => {
    const { lines, other } = parseProofOutput(FAILING + "\nrecon-proof: something odd\n");
    expect(lines).toHaveLength(5);
    expect(lines[0]).toEqual({ pass: false, scenario: "orphan", artifact: "exit", criterion: "0", why: "exit code was 3" });
    expect(lines[2]).toEqual({ pass: false, scenario: "orphan", artifact: "summary.txt", criterion: "orphan=0 (not expected otherwise)", why: "orphan=2" });
    expect(lines[3]?.criterion).toBe('!"kind": "orphan_broker_order"');
    expect(other).toEqual(["recon-proof: something odd"]);
  });

  it("keeps a PASS criterion that happens to end in two spaces and parentheses", () => {
    const [line] = parseProofOutput("PASS s trades.csv: x  (y)").lines;
    expect(line).toEqual({ pass: true, scenario: "s", artifact: "trades.csv", criterion: "x  (y)", why: null });
  });
});

describe("summary.txt", () => {
  it("reads the first line's tokens and the key=value lines", () => {
    const v = parseSummaryTxt(SUMMARY_KILLED);
    expect([v.get("stale"), v.get("orphan"), v.get("drift"), v.get("cache_ok"), v.get("kill_switch")]).toEqual(["1", "2", "3.5", "true", "1"]);
  });

  it("verdict follows the kill switch; no summary means no artifacts", () => {
    expect(verdictOf(SUMMARY_HEALTHY)).toBe("healthy");
    expect(verdictOf(SUMMARY_KILLED)).toBe("manual_intervention_required");
    expect(verdictOf(undefined)).toBe("none");
  });

  it("the replay's exit code comes from the exit criterion", () => {
    expect(replayExitCode(parseProofOutput(PASSING).lines)).toBe(0);
    expect(replayExitCode(parseProofOutput(FAILING).lines)).toBe(3);
    expect(replayExitCode([])).toBeUndefined();
  });
});

describe("buildJobSummary", () => {
  it("a passing proof: one table row, no annotations", () => {
    const s = buildJobSummary({ scenario: "healthy", proofExitCode: 0, proofOutput: PASSING, summaryTxt: SUMMARY_HEALTHY });
    expect(s.annotations).toEqual([]);
    expect([s.passed, s.failed, s.verdict]).toEqual([3, 0, "healthy"]);
    expect(s.markdown).toContain("### ✅ recon-proof: healthy");
    expect(s.markdown).toContain("| healthy | passed | healthy | 0 / 0 | 3 | 0 | 0 | 0 | 0.0 | 0 |");
    expect(s.markdown).not.toContain("Failing criteria");
  });

  it("a failing proof: the row, the failing criteria listed, one annotation per FAIL line", () => {
    const expectTxt = "# orphan story\nexit: 0\nsummary.txt: reconcile_summary stale=1\nreconcile-report.json: !\"kind\": \"orphan_broker_order\"\n";
    const s = buildJobSummary({
      scenario: "orphan", proofExitCode: 1, proofOutput: FAILING, summaryTxt: SUMMARY_KILLED,
      expect: { path: "proofs/orphan/expect.txt", text: expectTxt },
    });
    expect([s.passed, s.failed, s.verdict]).toEqual([1, 4, "manual_intervention_required"]);
    expect(s.markdown).toContain("### ❌ recon-proof: orphan");
    expect(s.markdown).toContain("| orphan | failed | manual intervention | 1 / 3 | 1 | 4 | 1 | 2 | 3.5 | 1 |");
    expect(s.markdown).toContain("- exit: `0` — exit code was 3");
    expect(s.markdown).toContain("- summary.txt: `orphan=0 (not expected otherwise)` — orphan=2");
    expect(s.markdown).toContain("- trades.csv: `` a|b `x` `` — text not found"); // backticks survive (CommonMark strips the pads)
    expect(s.annotations).toEqual([
      { title: "orphan", message: "exit: 0 (exit code was 3)", file: "proofs/orphan/expect.txt", startLine: 2 },
      { title: "orphan", message: "summary.txt: orphan=0 (not expected otherwise) (orphan=2)" },
      { title: "orphan", message: 'reconcile-report.json: !"kind": "orphan_broker_order" (text present)', file: "proofs/orphan/expect.txt", startLine: 4 },
      { title: "orphan", message: "trades.csv: a|b `x` (text not found)" },
    ]);
  });

  it("a failed whole-line criterion points at its expect.txt line and says what the artifact held", () => {
    const expectTxt = "exit: 3\nsummary.txt: = drift_units=30000\n";
    const line = formatResult("orphan", { pass: false, artifact: "summary.txt", criterion: "= drift_units=30000", why: "no such line", held: "drift_units=300000" });
    expect(line).toBe("FAIL orphan summary.txt: = drift_units=30000  (no such line; the artifact has: drift_units=300000)");
    const s = buildJobSummary({
      scenario: "orphan", proofExitCode: 1, proofOutput: `${line}\nproof: 1 scenario, 1 criterion, 1 failed\n`, summaryTxt: SUMMARY_KILLED,
      expect: { path: "proofs/orphan/expect.txt", text: expectTxt },
    });
    expect(s.annotations).toEqual([{ title: "orphan", message: "summary.txt: = drift_units=30000 (no such line; the artifact has: drift_units=300000)", file: "proofs/orphan/expect.txt", startLine: 2 }]);
    expect(s.markdown).not.toContain("**Output**"); // the singular tally is recognised as the tally
  });

  it("only counts the named scenario's lines when given a multi-scenario run", () => {
    const s = buildJobSummary({ scenario: "healthy", proofExitCode: 1, proofOutput: PASSING + "\n" + FAILING, summaryTxt: SUMMARY_HEALTHY });
    expect([s.passed, s.failed]).toEqual([3, 0]);
  });

  it("a proof that could not run (exit 2, no criteria): one annotation carrying its message", () => {
    const s = buildJobSummary({ scenario: "x", proofExitCode: 2, proofOutput: "recon-proof: x/expect.txt:3: expected ...\n" });
    expect(s.verdict).toBe("none");
    expect(s.annotations).toEqual([{ title: "x", message: "recon-proof proof exited 2: recon-proof: x/expect.txt:3: expected ..." }]);
    expect(s.markdown).toContain("| x | failed | no artifacts | 2 / – | 0 | 0 | – | – | – | – |");
    expect(s.markdown).toContain("recon-proof: x/expect.txt:3: expected ...");
  });

  it("escapes markdown in the table so a name cannot break it", () => {
    const s = buildJobSummary({ scenario: "a|b", proofExitCode: 0, proofOutput: "", summaryTxt: SUMMARY_HEALTHY });
    expect(s.markdown).toContain("| a\\|b | passed |");
  });
});

describe("buildReplaySummary (no expect.txt)", () => {
  const SUGGESTED = "# healthy: written by `recon-proof expect`\nexit: 0\nsummary.txt: = kill_switch=0\n";

  it("a healthy replay: its row, no annotation, and the suggested expect.txt in a block", () => {
    const s = buildReplaySummary({ scenario: "healthy", replayExitCode: 0, replayOutput: "recon-proof: 3 journal records -> out (healthy)\n", summaryTxt: SUMMARY_HEALTHY, suggestedExpect: SUGGESTED });
    expect(s.annotations).toEqual([]);
    expect(s.verdict).toBe("healthy");
    expect(s.markdown).toContain("### ✅ recon-proof: healthy (replay, no expect.txt)");
    expect(s.markdown).toContain("| healthy | healthy | 0 | 0 | 0 | 0.0 | 0 |");
    expect(s.markdown).toContain("**Suggested expect.txt**\n\n```text\n" + SUGGESTED + "```\n");
    expect(s.markdown).not.toContain("**Output**");
  });

  it("the kill switch engaged: exit 3 and one annotation naming the reasons", () => {
    const s = buildReplaySummary({ scenario: "orphan", replayExitCode: 3, replayOutput: "", summaryTxt: SUMMARY_KILLED, suggestedExpect: "exit: 3\n" });
    expect(s.verdict).toBe("manual_intervention_required");
    expect(s.markdown).toContain("### ❌ recon-proof: orphan (replay, no expect.txt)");
    expect(s.markdown).toContain("| orphan | manual intervention | 3 | 1 | 2 | 3.5 | 1 |");
    expect(s.annotations).toEqual([{ title: "orphan", message: "recon-proof replay exited 3: kill switch engaged, manual intervention required (stale_local_order)" }]);
  });

  it("a replay that could not run: its message in the summary and the annotation, no suggestion", () => {
    const s = buildReplaySummary({ scenario: "x", replayExitCode: 65, replayOutput: "recon-proof: bad input: broker.jsonl:1: field \"qty\"\n" });
    expect(s.verdict).toBe("none");
    expect(s.annotations).toEqual([{ title: "x", message: 'recon-proof replay exited 65: recon-proof: bad input: broker.jsonl:1: field "qty"' }]);
    expect(s.markdown).toContain("| x | no artifacts | 65 | – | – | – | – |");
    expect(s.markdown).toContain("**Output**\n\n```text\nrecon-proof: bad input: broker.jsonl:1: field \"qty\"\n```");
    expect(s.markdown).not.toContain("Suggested");
  });

  it("a suggestion holding a fence of its own cannot close the block early", () => {
    const s = buildReplaySummary({ scenario: "s", replayExitCode: 0, replayOutput: "", summaryTxt: SUMMARY_HEALTHY, suggestedExpect: "trades.csv: ````\n" });
    expect(s.markdown).toContain("`````text\ntrades.csv: ````\n`````");
  });
});
