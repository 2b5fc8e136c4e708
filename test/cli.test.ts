// The command line in scripts and pipelines: --version, --json (one JSON document on stdout, the
// human lines on stderr, the exit codes as without it), `expect DIR`, and help texts that carry
// each command's own exit codes and an example that runs.

import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readArtifactSet } from "../src/adapters/read-artifact-set.js";
import { writeExpect } from "../src/proofs/expect-writer.js";
import { parseExpect, verifyArtifacts } from "../src/proofs/verify.js";
import { COMMANDS, REPO, reconProofBin, replayScenario, runCli, SCENARIOS, scenarioNames, tempDir } from "./helpers/cli.js";

const scenarioArgs = (name: string): string[] => {
  const dir = join(SCENARIOS, name);
  return ["--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"), "--config", join(dir, "config.json")];
};

/** stdout must be exactly one JSON document. */
function jsonOf(stdout: string): Record<string, any> {
  const doc = JSON.parse(stdout) as Record<string, any>;
  expect(stdout.trim().startsWith("{") && stdout.endsWith("}\n")).toBe(true);
  return doc;
}

describe("--version", () => {
  it("prints the package's version and exits 0", () => {
    const version = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;
    for (const flag of ["--version", "-V"]) {
      const r = runCli([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
  });
});

describe("--json", () => {
  it("replay: one document with the verdict, the kill switch and the counts; the human line on stderr; exit codes as before", () => {
    const healthy = runCli(["replay", ...scenarioArgs("healthy"), "--out", join(tempDir(), "h"), "--json"]);
    expect(healthy.status).toBe(0);
    const h = jsonOf(healthy.stdout);
    expect(h).toMatchObject({ command: "replay", exit_code: 0, verdict: "healthy", kill_switch: { engaged: false, reasons: [] } });
    expect(h["counts"]).toMatchObject({ stale: 0, orphan: 0, realized_pnl: "mixed", reconcile_runs: 9 });
    expect(h["realized_pnl_by_currency"]).toEqual([{ currency: "JPY", realized_pnl: "-250.00" }, { currency: "USD", realized_pnl: "190.20" }]);
    expect(healthy.stderr).toMatch(/^recon-proof: \d+ journal records, \d+ broker events -> .* \(healthy\)$/m);

    const orphan = runCli(["replay", ...scenarioArgs("orphan-manual-trade"), "--out", join(tempDir(), "o"), "--json"]);
    expect(orphan.status).toBe(3);
    const o = jsonOf(orphan.stdout);
    expect(o).toMatchObject({ command: "replay", exit_code: 3, verdict: "manual_intervention_required" });
    expect(o["kill_switch"].reasons).toEqual(["orphan_broker_order", "position_drift"]);
    expect(o["findings"]).toEqual([
      { kind: "orphan_broker_order", severity: "critical", count: 1 },
      { kind: "position_drift", severity: "critical", count: 1 },
    ]);
  });

  it("replay: bad input and usage errors are JSON too, with the same exit codes and the message on stderr", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "broker.jsonl"), '{"type":"fill","ts":"2025-10-20T08:00:00Z","event_id":"e1","broker_order_id":"B1","symbol":"EURUSD","side":"buy","qty":"one","price":1}\n');
    const bad = runCli(["replay", "--journal", join(SCENARIOS, "healthy", "journal.jsonl"), "--broker", join(dir, "broker.jsonl"), "--out", join(dir, "out"), "--json"]);
    expect(bad.status).toBe(65);
    expect(jsonOf(bad.stdout)).toEqual({ command: "replay", exit_code: 65, error: expect.stringMatching(/^bad input: broker\.jsonl:1: field "qty"/) });
    expect(bad.stderr).toMatch(/^recon-proof: bad input: broker\.jsonl:1: field "qty"/m);
    const usage = runCli(["replay", "--journal", "j.jsonl", "--json"]);
    expect(usage.status).toBe(2);
    expect(jsonOf(usage.stdout)).toMatchObject({ command: "replay", exit_code: 2, error: expect.stringContaining("--broker") });
  });

  it("proof and verify: every criterion with its result, the PASS/FAIL lines on stderr", () => {
    const art = tempDir();
    const proof = runCli(["proof", "--artifacts", art, join(SCENARIOS, "healthy"), join(SCENARIOS, "drift-pips"), "--json"]);
    expect(proof.status).toBe(0);
    const p = jsonOf(proof.stdout);
    expect(p).toMatchObject({ command: "proof", exit_code: 0, passed: true, counts: { scenarios: 2, failed: 0 } });
    expect(p["scenarios"].map((s: any) => [s.name, s.passed, s.replay_exit_code, s.verdict])).toEqual([
      ["healthy", true, 0, "healthy"], ["drift-pips", true, 3, "manual_intervention_required"],
    ]);
    expect(p["counts"].criteria).toBe(p["scenarios"].reduce((n: number, s: any) => n + s.criteria.length, 0));
    expect(proof.stderr).toMatch(/^PASS healthy summary\.txt: = kill_switch=0$/m);
    expect(proof.stderr).toMatch(/^proof: 2 scenarios, \d+ criteria, 0 failed$/m);

    const expectFile = join(art, "expect.txt");
    writeFileSync(expectFile, "summary.txt: = drift_units=2\n");
    const verify = runCli(["verify", "--artifacts", join(art, "healthy"), "--expect", expectFile, "--json"]);
    expect(verify.status).toBe(1);
    const v = jsonOf(verify.stdout);
    expect(v).toMatchObject({ command: "verify", exit_code: 1, passed: false, verdict: "healthy", counts: { failed: 1 } });
    expect(v["criteria"].find((c: any) => !c.pass)).toEqual({
      artifact: "summary.txt", criterion: "= drift_units=2", pass: false, why: "no such line", held: "drift_units=0",
    });
    expect(verify.stderr).toMatch(/^FAIL healthy summary\.txt: = drift_units=2 {2}\(no such line; the artifact has: drift_units=0\)$/m);
  });
});

describe("recon-proof expect DIR", () => {
  it("writes the exact criteria that pin a replay's verdict, as whole lines", () => {
    const dir = join(tempDir(), "orphan-manual-trade");
    expect(replayScenario("orphan-manual-trade", dir).status).toBe(3);
    const r = runCli(["expect", dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe([
      "# orphan-manual-trade: written by `recon-proof expect` from a replay's artifacts. It pins what this replay",
      "# did, right or wrong: read it against the scenario's story before you commit it.",
      "exit: 3",
      "summary.txt: = reconcile_summary stale=0 orphan=1 drift=16292.1 cache_ok=true",
      "summary.txt: = kill_switch=1",
      "summary.txt: = kill_switch_reasons=orphan_broker_order,position_drift",
      "summary.txt: = drift_units=30000",
      "# Findings by kind and severity, with their counts.",
      'metrics.txt: = engine_findings_total{kind="orphan_broker_order",severity="critical"} 1',
      'metrics.txt: = engine_findings_total{kind="position_drift",severity="critical"} 1',
      "",
    ].join("\n"));
  });

  it("--out writes the file, and a scenario folder with it is a passing proof", () => {
    const work = tempDir();
    const scenario = join(work, "orphan");
    cpSync(join(SCENARIOS, "orphan-manual-trade"), scenario, { recursive: true, filter: (src) => !src.endsWith("expect.txt") && !src.includes("golden") });
    expect(runCli(["proof", "--artifacts", join(work, "a"), scenario]).status).toBe(74); // no expect.txt yet: not a proof
    expect(replayScenario("orphan-manual-trade", join(work, "replayed")).status).toBe(3);
    const written = runCli(["expect", join(work, "replayed"), "--out", join(scenario, "expect.txt")]);
    expect(written.status, written.stderr).toBe(0);
    expect(written.stdout).toBe("");
    const proof = runCli(["proof", "--artifacts", join(work, "a"), scenario]);
    expect(proof.status, proof.stdout).toBe(0);
    expect(proof.stdout).toMatch(/^PASS orphan metrics\.txt: = engine_findings_total\{kind="orphan_broker_order",severity="critical"\} 1$/m);
  });

  it("for every bundled scenario, what it writes holds for the replay, and fails once a count is made longer", () => {
    for (const name of scenarioNames()) {
      const dir = join(tempDir(), name);
      expect([0, 3]).toContain(replayScenario(name, dir).status);
      const artifacts = readArtifactSet(dir);
      const expectTxt = parseExpect(writeExpect(name, artifacts["summary.txt"]!, artifacts["metrics.txt"]!), "expect.txt");
      expect(verifyArtifacts(artifacts, expectTxt, undefined).filter((c) => !c.pass), name).toEqual([]);
      const longer = { ...artifacts, "summary.txt": artifacts["summary.txt"]!.replace(/^(drift_units=\d+)$/m, "$19") };
      expect(verifyArtifacts(longer, expectTxt, undefined).filter((c) => !c.pass).map((c) => c.criterion), name)
        .toEqual([expect.stringMatching(/^= drift_units=\d+$/)]);
    }
  }, 120_000);

  it("a folder without artifacts is an I/O error (exit 74)", () => {
    const r = runCli(["expect", tempDir()]);
    expect(r.status).toBe(74);
    expect(r.stderr).toContain("summary.txt is missing");
  });
});

// ---- help texts ------------------------------------------------------------------------------

const helpOf = (command: string[]): string => {
  const r = runCli([...command, "--help"]);
  expect(r.status, command.join(" ")).toBe(0);
  return r.stdout;
};

/** The example block of a help text: the indented lines after "Example:" / "Examples ...:". */
function exampleOf(help: string): string {
  const lines = help.split("\n");
  const start = lines.findIndex((l) => /^Examples?\b.*:$/.test(l));
  if (start < 0) return "";
  const block: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith("  ")) break;
    block.push(line.slice(2));
  }
  return block.join("\n");
}

describe("help texts", () => {
  let bin: string;
  beforeAll(() => {
    bin = reconProofBin();
  });

  it.each(COMMANDS.map((c) => [c.join(" ") || "recon-proof"]))("%s --help: its own exit codes, an example, no milestone names, defaults once", (name) => {
    const help = helpOf(name === "recon-proof" ? [] : name.split(" "));
    expect(help).toMatch(/\nExit codes:\n {2}0 {3}/);
    expect(exampleOf(help)).toMatch(/^recon-proof /m);
    expect(help).not.toMatch(/\bM\d+\b/);
    expect(help).not.toMatch(/\w\(s\)/);
    for (const line of help.split("\n")) expect(line, "a default said twice").not.toMatch(/Default.*\(default: /);
  });

  it.each(COMMANDS.map((c) => [c.join(" ") || "recon-proof"]))("%s --help: its example runs", (name) => {
    const work = tempDir("recon-proof-example-");
    for (const d of ["fixtures", "proofs"]) symlinkSync(join(REPO, d), join(work, d));
    mkdirSync(join(work, "artifacts"));
    const example = exampleOf(helpOf(name === "recon-proof" ? [] : name.split(" ")));
    const r = spawnSync("sh", ["-e", "-c", example], {
      cwd: work, encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env["PATH"] ?? ""}` }, maxBuffer: 64 * 1024 * 1024,
    });
    expect(r.status, `${example}\n---\n${r.stdout}\n${r.stderr}`).toBe(0);
  }, 60_000);

  it("replay --help shows the config defaults once", () => {
    const help = helpOf(["replay"]);
    expect(help.match(/"idempotency_ttl_ms": 172800000/g)).toHaveLength(1);
    expect(help).not.toContain('(default: "1")');
  });

  it("counts read right in the singular", () => {
    const art = tempDir();
    const r = runCli(["proof", "--artifacts", art, join(SCENARIOS, "healthy")]);
    expect(r.stdout).toMatch(/^proof: 1 scenario, \d+ criteria, 0 failed$/m);
    const imported = runCli(["import", "oanda", join(REPO, "fixtures", "e2e", "oanda", "transactions-stream.jsonl")]);
    expect(imported.stderr).toMatch(/from 1 file; 0 problems;/);
  });
});
