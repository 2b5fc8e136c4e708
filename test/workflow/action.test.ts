// The composite action's work, run the way action.yml runs it: `bash "$GITHUB_ACTION_PATH/scripts/
// ci/run-action.sh"` from the caller's workspace, inputs in INPUT_* env (as action.yml passes them),
// step summary and outputs to files. A caller's workspace is simulated by a temp folder holding
// copies of a fixture scenario, referenced by relative paths.

import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO, SCENARIOS, tempDir } from "../helpers/cli.js";

const SCRIPT = join(REPO, "scripts", "ci", "run-action.sh");
const SETUP = join(REPO, "scripts", "ci", "action-setup.sh");
const INPUTS = ["journal", "broker", "config", "expect", "name", "artifact-name"] as const;
type Inputs = Partial<Record<(typeof INPUTS)[number], string>>;

interface ActionRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly summary: string;
  readonly outputs: Record<string, string>;
  /** What the step left in GITHUB_PATH and GITHUB_ENV: how a step would change later steps' Node. */
  readonly pathAndEnv: string;
}

/** A caller's workspace with a scenario's files under in/, expect.txt optionally rewritten. */
function workspace(editExpect: (text: string) => string = (t) => t, scenario = "healthy"): string {
  const ws = tempDir("recon-proof-action-");
  mkdirSync(join(ws, "in"));
  for (const f of ["journal.jsonl", "broker.jsonl", "config.json"]) copyFileSync(join(SCENARIOS, scenario, f), join(ws, "in", f));
  writeFileSync(join(ws, "in", "expect.txt"), editExpect(readFileSync(join(SCENARIOS, scenario, "expect.txt"), "utf8")));
  return ws;
}

const HEALTHY_INPUTS: Inputs = {
  journal: "in/journal.jsonl", broker: "in/broker.jsonl", config: "in/config.json", expect: "in/expect.txt", name: "healthy",
};

/** The environment the runner gives a composite action's step, in a job called `proof`, matrix index 0. */
function runnerEnv(ws: string, files: { summary: string; output: string; path: string; env: string }, extra: Record<string, string> = {}): Record<string, string> {
  // Start from a clean slate of GITHUB_*/RUNNER_*/INPUT_* so the test behaves the same inside CI.
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(GITHUB_|RUNNER_|INPUT_|ACTION_PATH$|JOB_INDEX$)/.test(k)) env[k] = v;
  }
  return Object.assign(env, {
    GITHUB_ACTIONS: "true",
    GITHUB_ACTION_PATH: REPO,
    ACTION_PATH: REPO,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_OUTPUT: files.output,
    GITHUB_PATH: files.path,
    GITHUB_ENV: files.env,
    GITHUB_JOB: "proof",
    GITHUB_SERVER_URL: "https://github.example",
    GITHUB_REPOSITORY: "ops/recon",
    GITHUB_RUN_ID: "77",
    RUNNER_TEMP: ws,
    RUNNER_OS: "Linux",
    JOB_INDEX: "0",
  }, extra);
}

function runStep(script: string, ws: string, inputs: Inputs, extra: Record<string, string> = {}): ActionRun {
  const step = tempDir("recon-proof-step-");
  const files = { summary: join(step, "step-summary.md"), output: join(step, "github-output.txt"), path: join(step, "github-path"), env: join(step, "github-env") };
  for (const f of Object.values(files)) writeFileSync(f, "");
  const env = runnerEnv(ws, files, extra);
  // action.yml always passes every input; an unset optional one arrives as its default.
  for (const k of INPUTS) env[`INPUT_${k.toUpperCase().replace(/-/g, "_")}`] = inputs[k] ?? (k === "name" ? "scenario" : "");
  const r = spawnSync("bash", [script], { cwd: ws, env, encoding: "utf8" });
  if (r.error) throw r.error;
  const outputs = Object.fromEntries(readFileSync(files.output, "utf8").split("\n").filter((l) => l.includes("="))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  return {
    status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, summary: readFileSync(files.summary, "utf8"), outputs,
    pathAndEnv: readFileSync(files.path, "utf8") + readFileSync(files.env, "utf8"),
  };
}

const runAction = (ws: string, inputs: Inputs): ActionRun => runStep(SCRIPT, ws, inputs);

describe("action.yml wiring", () => {
  const action = readFileSync(join(REPO, "action.yml"), "utf8");

  it("runs the scripts this test runs, with the inputs in the env this test sets", () => {
    expect(action).toContain('run: bash "$GITHUB_ACTION_PATH/scripts/ci/action-setup.sh"');
    expect(action).toContain('run: bash "$GITHUB_ACTION_PATH/scripts/ci/run-action.sh"');
    expect(action).toContain('bash "$GITHUB_ACTION_PATH/scripts/ci/install-runtime.sh"\n        echo "$CACHE_KEY" >"$GITHUB_ACTION_PATH/node_modules/.recon-proof-install-key"');
    for (const k of INPUTS) expect(action).toContain(`INPUT_${k.toUpperCase().replace(/-/g, "_")}: \${{ inputs.${k} }}`);
    expect(action).toContain("JOB_INDEX: ${{ strategy.job-index }}");
    expect(action).toContain("value: ${{ steps.proof.outputs.verdict }}");
    expect(action).toContain("value: ${{ steps.proof.outputs.exit-code }}");
    expect(action).toContain("path: ${{ steps.proof.outputs.artifacts }}");
    expect(action).toContain("name: ${{ steps.proof.outputs.artifact-name }}");
    expect(action).toContain("value: ${{ steps.proof.outputs.suggested-expect }}");
  });

  it("journal and broker are required; expect, like config, is optional and empty by default", () => {
    const input = (name: string) => new RegExp(`^ {2}${name}:\\n(?: {4,}.*\\n)*`, "m").exec(action)?.[0] ?? "";
    for (const k of ["journal", "broker"]) expect(input(k), k).toContain("required: true");
    for (const k of ["config", "expect"]) {
      expect(input(k), k).toContain("required: false");
      expect(input(k), k).toContain('default: ""');
    }
  });

  it("keeps the caller's Node: no setup-node; its own install (node_modules and dist/) cached, installed once per job", () => {
    expect(action).not.toMatch(/uses: actions\/setup-node/);
    expect(action).toMatch(/uses: actions\/cache@[0-9a-f]{40} # v\d+\.\d+\.\d+\n/);
    expect(action).toContain("path: |\n          ${{ github.action_path }}/node_modules\n          ${{ github.action_path }}/dist\n");
    expect(action).toContain("key: ${{ steps.setup.outputs.cache-key }}");
    expect(action).toContain("if: steps.setup.outputs.installed != 'true'\n      uses: actions/cache@");
    expect(action).toContain("if: steps.setup.outputs.installed != 'true' && steps.cache.outputs.cache-hit != 'true'");
  });
});

describe("run-action.sh", () => {
  beforeAll(() => {
    expect(existsSync(join(REPO, "dist", "proofs", "job-summary.js")), "build first: npx tsc -p .").toBe(true);
  });

  it("a healthy scenario: exit 0, verdict in the summary and the outputs, artifacts to upload under the name the summary links", () => {
    const ws = workspace();
    const r = runAction(ws, HEALTHY_INPUTS);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^PASS healthy summary\.txt: = kill_switch=0$/m);
    expect(r.stdout).not.toContain("::error");
    expect(r.summary).toContain("| healthy | passed | healthy | 0 / 0 |");
    expect(r.outputs["verdict"]).toBe("healthy");
    expect(r.outputs["exit-code"]).toBe("0");
    expect(r.outputs["artifact-name"]).toBe("recon-proof-healthy-proof-0");
    expect(r.summary).toContain("Artifacts for Ops review: [`recon-proof-healthy-proof-0`](https://github.example/ops/recon/actions/runs/77#artifacts)");
    const artifacts = r.outputs["artifacts"] ?? "";
    expect(artifacts.startsWith(ws)).toBe(true); // under RUNNER_TEMP, not in the caller's checkout
    for (const f of ["trades.csv", "reconcile-report.json", "summary.txt", "metrics.txt", "report.html"]) expect(existsSync(join(artifacts, f))).toBe(true);
    expect(r.pathAndEnv).toBe(""); // nothing that would change a later step's PATH (its Node) or env
  });

  it("used twice in one job: two artifact names, two folders, two summaries (nothing collides)", () => {
    const ws = workspace();
    const first = runAction(ws, HEALTHY_INPUTS);
    const second = runAction(ws, HEALTHY_INPUTS);
    expect([first.status, second.status]).toEqual([0, 0]);
    expect(first.outputs["artifact-name"]).toBe("recon-proof-healthy-proof-0");
    expect(second.outputs["artifact-name"]).toBe("recon-proof-healthy-proof-0-2");
    expect(second.outputs["artifacts"]).not.toBe(first.outputs["artifacts"]);
    for (const r of [first, second]) {
      expect(readFileSync(join(r.outputs["artifacts"]!, "summary.txt"), "utf8")).toMatch(/^reconcile_summary /);
      expect(r.summary).toContain(`[\`${r.outputs["artifact-name"]}\`]`);
    }
    // A matrix job has its own index, and a caller may name the artifact itself.
    const matrix = runStep(SCRIPT, workspace(), HEALTHY_INPUTS, { JOB_INDEX: "3" });
    expect(matrix.outputs["artifact-name"]).toBe("recon-proof-healthy-proof-3");
    const named = runAction(workspace(), { ...HEALTHY_INPUTS, "artifact-name": "eod-2025-10-20" });
    expect(named.outputs["artifact-name"]).toBe("eod-2025-10-20");
    expect(named.summary).toContain("[`eod-2025-10-20`]");
  });

  it("a kill-switch scenario: report.html shows the evidence lines read from the caller's inputs", () => {
    const ws = workspace((t) => t, "orphan-manual-trade");
    const r = runAction(ws, { ...HEALTHY_INPUTS, name: "orphan" });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.outputs["verdict"]).toBe("manual_intervention_required");
    const page = readFileSync(join(r.outputs["artifacts"]!, "report.html"), "utf8");
    const brokerLine4 = readFileSync(join(ws, "in", "broker.jsonl"), "utf8").split("\n")[3]!;
    expect(page).toContain(brokerLine4.replace(/&/g, "&amp;").replace(/"/g, "&quot;"));
  });

  it("a wrong expect.txt: exit 1, the failing criterion in the summary and as an ::error annotation on its line", () => {
    const ws = workspace((t) => t.replace("summary.txt: = realized_pnl_USD=190.20", "summary.txt: = realized_pnl_USD=190.21"));
    const r = runAction(ws, HEALTHY_INPUTS);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^FAIL healthy summary\.txt: = realized_pnl_USD=190\.21 {2}\(no such line; the artifact has: realized_pnl_USD=190\.20\)$/m);
    expect(r.summary).toContain("| healthy | failed | healthy | 1 / 0 |");
    expect(r.summary).toContain("- summary.txt: `= realized_pnl_USD=190.21` — no such line; the artifact has: realized\\_pnl\\_USD=190.20");
    const errors = r.stdout.split("\n").filter((l) => l.startsWith("::error"));
    expect(errors).toEqual(["::error title=healthy,file=in/expect.txt,line=9::summary.txt: = realized_pnl_USD=190.21 (no such line; the artifact has: realized_pnl_USD=190.20)"]);
    expect(r.outputs["verdict"]).toBe("healthy"); // the replay was fine; the proof's expectation was not
    expect(r.outputs["exit-code"]).toBe("1");
  });

  it("the kill switch expected but not engaged: exit 1 names the exit criterion", () => {
    const ws = workspace((t) => t.replace("exit: 0", "exit: 3"));
    const r = runAction(ws, HEALTHY_INPUTS);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("::error title=healthy,file=in/expect.txt,line=2::exit: 3 (exit code was 0)");
  });

  it("without expect: the replay's artifacts, a suggested expect.txt uploaded with them and shown in the summary", () => {
    const ws = workspace();
    const { expect: _none, ...inputs } = HEALTHY_INPUTS;
    const r = runAction(ws, inputs);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/^(PASS|FAIL) /m); // nothing was checked
    expect(r.stdout).not.toContain("::error");
    expect(r.outputs["verdict"]).toBe("healthy");
    expect(r.outputs["exit-code"]).toBe("0");
    const artifacts = r.outputs["artifacts"]!;
    // (A dot file marks the folder as a replay's output; the upload leaves hidden files out.)
    expect(readdirSync(artifacts).filter((n) => !n.startsWith(".")).sort()).toEqual(["expect.txt", "metrics.txt", "reconcile-report.json", "report.html", "summary.txt", "trades.csv"]);
    expect(r.outputs["suggested-expect"]).toBe(join(artifacts, "expect.txt"));
    const suggested = readFileSync(join(artifacts, "expect.txt"), "utf8");
    expect(suggested).toMatch(/^# healthy: written by `recon-proof expect`/);
    expect(suggested).toContain("\nexit: 0\nsummary.txt: = reconcile_summary stale=0 orphan=0 drift=0.0 cache_ok=true\nsummary.txt: = kill_switch=0\n");
    expect(r.summary).toContain("### ✅ recon-proof: healthy (replay, no expect.txt)");
    expect(r.summary).toContain("| healthy | healthy | 0 | 0 | 0 | 0.0 | 0 |");
    expect(r.summary).toContain("**Suggested expect.txt**\n\n```text\n" + suggested + "```\n");
    expect(r.summary).toContain("Artifacts for Ops review: [`recon-proof-healthy-proof-0`]");
    expect(r.pathAndEnv).toBe("");
  });

  it("without expect, the kill switch engaged: exit 3 and an annotation with the reasons; the suggested expect.txt then passes as expect", () => {
    const ws = workspace((t) => t, "orphan-manual-trade");
    const { expect: _none, ...inputs } = HEALTHY_INPUTS;
    const r = runAction(ws, { ...inputs, name: "orphan" });
    expect(r.status, r.stdout + r.stderr).toBe(3);
    expect(r.stdout.split("\n").filter((l) => l.startsWith("::error"))).toEqual([
      "::error title=orphan::recon-proof replay exited 3: kill switch engaged, manual intervention required (orphan_broker_order,position_drift)",
    ]);
    expect(r.outputs["verdict"]).toBe("manual_intervention_required");
    expect(r.outputs["exit-code"]).toBe("3");
    expect(r.summary).toContain("| orphan | manual intervention | 3 | 0 | 1 |");
    const suggested = readFileSync(r.outputs["suggested-expect"]!, "utf8");
    expect(suggested).toContain("\nexit: 3\n");

    // Committed beside the inputs and passed as expect, the suggestion holds for the same inputs.
    writeFileSync(join(ws, "in", "suggested.txt"), suggested);
    const proof = runAction(ws, { ...inputs, name: "orphan", expect: "in/suggested.txt" });
    expect(proof.status, proof.stdout + proof.stderr).toBe(0);
    expect(proof.stdout).toMatch(/^proof: 1 scenario, \d+ criteria, 0 failed$/m);
    expect(proof.outputs["suggested-expect"]).toBe("");
  });

  it("without expect, bad input data: exit 65, no artifacts and no suggestion, the replay's message in the summary", () => {
    const ws = workspace();
    writeFileSync(join(ws, "in", "broker.jsonl"), '{"type":"fill","ts":"2025-10-20T14:30:22Z"}\n');
    const { expect: _none, ...inputs } = HEALTHY_INPUTS;
    const r = runAction(ws, inputs);
    expect(r.status).toBe(65);
    expect(existsSync(r.outputs["artifacts"]!)).toBe(false);
    expect(r.outputs["verdict"]).toBe("none");
    expect(r.outputs["suggested-expect"]).toBe("");
    expect(r.stdout).toMatch(/^::error title=healthy::recon-proof replay exited 65: recon-proof: bad input: broker\.jsonl:1: /m);
    expect(r.summary).toContain("**Output**");
    expect(r.summary).toMatch(/recon-proof: bad input: broker\.jsonl:1: /);
    expect(r.summary).not.toContain("Suggested expect.txt");
  });

  it("an expect that names no file is refused (exit 2), not taken as no expect", () => {
    const r = runAction(workspace(), { ...HEALTHY_INPUTS, expect: "in/nope.txt" });
    expect(r.status).toBe(2);
    expect(r.stdout).toContain("::error title=recon-proof::input 'expect': no such file: in/nope.txt");
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
    const r = runAction(workspace(), { ...HEALTHY_INPUTS, "artifact-name": "a/b" });
    expect(r.status).toBe(2);
    expect(r.stdout).toContain("input 'artifact-name' must use only");
  });
});

describe("action-setup.sh", () => {
  it("with the runner's Node 20+: the cache key of the action's own install, and nothing that changes later steps", () => {
    const r = runStep(SETUP, tempDir(), {});
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.outputs["cache-key"]).toMatch(/^recon-proof-Linux-[\w-]+-node-abi\d+-[0-9a-f]{16}$/);
    expect(r.pathAndEnv).toBe("");
  });

  it("the cache key changes with the sources, the lockfile and the install recipe; a finished install is recognised", () => {
    // A copy of what the key is made from, so the test can change it.
    const action = tempDir("recon-proof-action-path-");
    for (const f of ["package-lock.json", "tsconfig.json", "scripts/ci/tsconfig.runtime.json", "scripts/ci/install-runtime.sh"]) {
      mkdirSync(join(action, f, ".."), { recursive: true });
      copyFileSync(join(REPO, f), join(action, f));
    }
    mkdirSync(join(action, "src", "core"), { recursive: true });
    writeFileSync(join(action, "src", "core", "a.ts"), "export const a = 1;\n");
    const setup = () => runStep(SETUP, tempDir(), {}, { GITHUB_ACTION_PATH: action, ACTION_PATH: action });
    const first = setup();
    expect(first.status, first.stdout + first.stderr).toBe(0);
    const key = first.outputs["cache-key"]!;
    expect(first.outputs["installed"]).toBe("false");
    expect(setup().outputs["cache-key"]).toBe(key); // same inputs, same key

    writeFileSync(join(action, "src", "core", "a.ts"), "export const a = 2;\n");
    const edited = setup().outputs["cache-key"]!;
    expect(edited).not.toBe(key);
    writeFileSync(join(action, "scripts", "ci", "install-runtime.sh"), "# another recipe\n", { flag: "a" });
    const recipe = setup().outputs["cache-key"]!;
    expect(recipe).not.toBe(edited);
    writeFileSync(join(action, "package-lock.json"), "\n", { flag: "a" });
    const locked = setup().outputs["cache-key"]!;
    expect(locked).not.toBe(recipe);

    mkdirSync(join(action, "node_modules"));
    writeFileSync(join(action, "node_modules", ".recon-proof-install-key"), `${recipe}\n`); // an older install
    expect(setup().outputs["installed"]).toBe("false");
    writeFileSync(join(action, "node_modules", ".recon-proof-install-key"), `${locked}\n`);
    expect(setup().outputs["installed"]).toBe("true");
  });

  it("with an older Node on the runner: exit 2 and an annotation saying what to add, never a silent switch", () => {
    const bin = tempDir();
    writeFileSync(join(bin, "node"), "#!/bin/sh\ncase \"$1\" in --version) echo v18.19.0;; *) echo 18;; esac\n", { mode: 0o755 });
    const r = runStep(SETUP, tempDir(), {}, { PATH: `${bin}:${process.env["PATH"] ?? ""}` });
    expect(r.status).toBe(2);
    expect(r.stdout).toContain("::error title=recon-proof::needs Node 20 or later on the runner, found v18.19.0: add actions/setup-node before this step");
    expect(r.outputs["exit-code"]).toBe("2");
    expect(r.pathAndEnv).toBe("");
  });
});
