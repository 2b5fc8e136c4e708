// The composite action's work, run the way action.yml runs it: `bash "$GITHUB_ACTION_PATH/scripts/
// ci/run-action.sh"` from the caller's workspace, inputs in INPUT_* env (as action.yml passes them),
// step summary and outputs to files. A caller's workspace is simulated by a temp folder holding
// copies of a fixture scenario, referenced by relative paths.

import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO, SCENARIOS, tempDir } from "../helpers/cli.js";

const SCRIPT = join(REPO, "scripts", "ci", "run-action.sh");
const INPUTS = ["journal", "broker", "config", "expect", "name"] as const;
type Inputs = Partial<Record<(typeof INPUTS)[number], string>>;

interface ActionRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly summary: string;
  readonly outputs: Record<string, string>;
}

/** A caller's workspace with the healthy scenario's files under in/, expect.txt optionally rewritten. */
function workspace(editExpect: (text: string) => string = (t) => t): string {
  const ws = tempDir("recon-proof-action-");
  mkdirSync(join(ws, "in"));
  for (const f of ["journal.jsonl", "broker.jsonl", "config.json"]) copyFileSync(join(SCENARIOS, "healthy", f), join(ws, "in", f));
  writeFileSync(join(ws, "in", "expect.txt"), editExpect(readFileSync(join(SCENARIOS, "healthy", "expect.txt"), "utf8")));
  return ws;
}

const HEALTHY_INPUTS: Inputs = {
  journal: "in/journal.jsonl", broker: "in/broker.jsonl", config: "in/config.json", expect: "in/expect.txt", name: "healthy",
};

function runAction(ws: string, inputs: Inputs): ActionRun {
  const summaryFile = join(ws, "step-summary.md");
  const outputFile = join(ws, "github-output.txt");
  writeFileSync(summaryFile, "");
  writeFileSync(outputFile, "");
  // Start from a clean slate of GITHUB_*/RUNNER_*/INPUT_* so the test behaves the same inside CI.
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(GITHUB_|RUNNER_|INPUT_|ACTION_PATH$)/.test(k)) env[k] = v;
  }
  Object.assign(env, {
    GITHUB_ACTIONS: "true",
    GITHUB_ACTION_PATH: REPO,
    ACTION_PATH: REPO,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_OUTPUT: outputFile,
    RUNNER_TEMP: ws,
  });
  // action.yml always passes every input; an unset optional one arrives as its default.
  for (const k of INPUTS) env[`INPUT_${k.toUpperCase()}`] = inputs[k] ?? (k === "name" ? "scenario" : "");
  const r = spawnSync("bash", [SCRIPT], { cwd: ws, env, encoding: "utf8" });
  if (r.error) throw r.error;
  const outputs = Object.fromEntries(readFileSync(outputFile, "utf8").split("\n").filter((l) => l.includes("="))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, summary: readFileSync(summaryFile, "utf8"), outputs };
}

describe("action.yml wiring", () => {
  const action = readFileSync(join(REPO, "action.yml"), "utf8");

  it("runs the script this test runs, with the inputs in the env this test sets", () => {
    expect(action).toContain('run: bash "$GITHUB_ACTION_PATH/scripts/ci/run-action.sh"');
    expect(action).toContain('npm ci --prefix "$GITHUB_ACTION_PATH"');
    for (const k of INPUTS) expect(action).toContain(`INPUT_${k.toUpperCase()}: \${{ inputs.${k} }}`);
    expect(action).toContain("value: ${{ steps.proof.outputs.verdict }}");
    expect(action).toContain("value: ${{ steps.proof.outputs.exit-code }}");
    expect(action).toContain("path: ${{ steps.proof.outputs.artifacts }}");
  });
});

describe("run-action.sh", () => {
  beforeAll(() => {
    expect(existsSync(join(REPO, "dist", "report", "job-summary.js")), "build first: npx tsc -p .").toBe(true);
  });

  it("a healthy scenario: exit 0, verdict in the summary and the outputs, artifacts to upload", () => {
    const ws = workspace();
    const r = runAction(ws, HEALTHY_INPUTS);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^PASS healthy summary\.txt: = kill_switch=0$/m);
    expect(r.stdout).not.toContain("::error");
    expect(r.summary).toContain("| healthy | passed | healthy | 0 / 0 |");
    expect(r.outputs["verdict"]).toBe("healthy");
    expect(r.outputs["exit-code"]).toBe("0");
    const artifacts = r.outputs["artifacts"] ?? "";
    expect(artifacts.startsWith(ws)).toBe(true); // under RUNNER_TEMP, not in the caller's checkout
    for (const f of ["trades.csv", "reconcile-report.json", "summary.txt", "metrics.txt"]) expect(existsSync(join(artifacts, f))).toBe(true);
  });

  it("a wrong expect.txt: exit 1, the failing criterion in the summary and as an ::error annotation", () => {
    const ws = workspace((t) => t.replace("summary.txt: = realized_pnl=-59.80", "summary.txt: = realized_pnl=-59.81"));
    const r = runAction(ws, HEALTHY_INPUTS);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^FAIL healthy summary\.txt: = realized_pnl=-59\.81 {2}\(no such line; the artifact has: realized_pnl=-59\.80\)$/m);
    expect(r.summary).toContain("| healthy | failed | healthy | 1 / 0 |");
    expect(r.summary).toContain("- summary.txt: `= realized_pnl=-59.81` — no such line; the artifact has: realized\\_pnl=-59.80");
    const errors = r.stdout.split("\n").filter((l) => l.startsWith("::error"));
    expect(errors).toEqual(["::error title=healthy,file=in/expect.txt,line=6::summary.txt: = realized_pnl=-59.81 (no such line; the artifact has: realized_pnl=-59.80)"]);
    expect(r.outputs["verdict"]).toBe("healthy"); // the replay was fine; the proof's expectation was not
    expect(r.outputs["exit-code"]).toBe("1");
  });

  it("the kill switch expected but not engaged: exit 1 names the exit criterion", () => {
    const ws = workspace((t) => t.replace("exit: 0", "exit: 3"));
    const r = runAction(ws, HEALTHY_INPUTS);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("::error title=healthy,file=in/expect.txt,line=2::exit: 3 (exit code was 0)");
  });

  it("a missing input file: exit 2 with an annotation, before anything runs", () => {
    const ws = workspace();
    const r = runAction(ws, { ...HEALTHY_INPUTS, broker: "in/nope.jsonl" });
    expect(r.status).toBe(2);
    expect(r.stdout).toContain("::error title=recon-proof::input 'broker': no such file: in/nope.jsonl");
    expect(r.outputs["exit-code"]).toBe("2");
  });

  it("an unsafe name is refused (it becomes a folder and an artifact name)", () => {
    for (const name of ["../escape", "..", "two words"]) {
      const r = runAction(workspace(), { ...HEALTHY_INPUTS, name });
      expect(r.status, name).toBe(2);
      expect(r.stdout).toContain("input 'name' must use only");
    }
  });
});
