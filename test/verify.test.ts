// The checker must fail when an artifact is tampered with: a token removed, a count changed (also to
// a longer number, which a substring would still match), a metrics line dropped, a trade row lost.
// Both `recon-proof verify` and the plain-shell twin.

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { closestLine, hasWholeLine, parseExpect } from "../src/proofs/verify.js";
import { REPO, replayScenario, runCli, SCENARIOS, tempDir } from "./helpers/cli.js";

interface Tamper {
  readonly name: string;
  /** The bundled scenario whose artifacts and expect.txt are used (default healthy). */
  readonly scenario?: string;
  readonly file: string;
  readonly edit: (text: string) => string;
  /** The FAIL line both checkers must print. */
  readonly failLine: RegExp;
}

const TAMPERS: Tamper[] = [
  { name: "a token removed from the summary line", file: "summary.txt", edit: (t) => t.replace(" cache_ok=true", ""),
    failLine: /FAIL \S+ summary\.txt: .*cache_ok/ },
  { name: "a count changed", file: "summary.txt", edit: (t) => t.replace("stale=0", "stale=1"),
    failLine: /FAIL \S+ summary\.txt: .*stale=0/ },
  { name: "the runs counter dropped from metrics", file: "metrics.txt", edit: (t) => t.replace(/^engine_reconcile_runs_total .*\n/m, ""),
    failLine: /FAIL \S+ metrics\.txt: .*engine_reconcile_runs_total/ },
  { name: "a trade row dropped", file: "trades.csv", edit: (t) => t.split("\n").filter((l) => !l.includes("D-0004")).join("\n"),
    failLine: /FAIL \S+ trades\.csv: = 2025-10-20T15:30:00\.300000000Z,D-0004/ },
  // Whole-line criteria: a count made longer still contains the old text, and must fail all the same.
  { name: "a count in the summary's first line made longer", scenario: "orphan-manual-trade", file: "summary.txt",
    edit: (t) => t.replace(" orphan=1 ", " orphan=12 "),
    failLine: /FAIL \S+ summary\.txt: = reconcile_summary stale=0 orphan=1 drift=16292\.1 cache_ok=true {2}\(no such line; the artifact has: reconcile_summary stale=0 orphan=12 /m },
  { name: "a summary count made longer", scenario: "orphan-manual-trade", file: "summary.txt",
    edit: (t) => t.replace("drift_units=30000\n", "drift_units=300000\n"),
    failLine: /FAIL \S+ summary\.txt: = drift_units=30000 {2}\(no such line; the artifact has: drift_units=300000\)$/m },
  { name: "a metrics sample made longer", file: "metrics.txt", edit: (t) => t.replace(/^engine_reconcile_runs_total 9$/m, "engine_reconcile_runs_total 90"),
    failLine: /FAIL \S+ metrics\.txt: = engine_reconcile_runs_total 9 {2}\(no such line; the artifact has: engine_reconcile_runs_total 90\)$/m },
  { name: "a labelled metrics sample made longer", file: "metrics.txt",
    edit: (t) => t.replace('engine_slippage_preset_hits_total{symbol="GBPUSD",session="us"} 1\n', 'engine_slippage_preset_hits_total{symbol="GBPUSD",session="us"} 17\n'),
    failLine: /FAIL \S+ metrics\.txt: = engine_slippage_preset_hits_total\{symbol="GBPUSD",session="us"\} 1 {2}\(no such line/ },
  { name: "a trade's quantity made longer", file: "trades.csv", edit: (t) => t.replace(",D-0004,AXFL::lsg::EURUSD::20251020153000::d4e5f6a7,6004,EURUSD,sell,100000,", ",D-0004,AXFL::lsg::EURUSD::20251020153000::d4e5f6a7,6004,EURUSD,sell,1000000,"),
    failLine: /FAIL \S+ trades\.csv: = 2025-10-20T15:30:00\.300000000Z,D-0004,.*,sell,100000,.* {2}\(no such line; the artifact has: 2025-10-20T15:30:00\.300000000Z,D-0004,.*,sell,1000000,/ },
  { name: "an orphan finding slipped in", file: "reconcile-report.json", edit: (t) => t.replace(`"findings": {\n    "items": [`, `"findings": {\n    "items": [{"kind": "orphan_broker_order"}`),
    failLine: /FAIL \S+ reconcile-report\.json: !"kind": "orphan_broker_order"/ },
  { name: "the kill switch flipped", file: "summary.txt", edit: (t) => t.replace("kill_switch=0", "kill_switch=1"),
    failLine: /FAIL \S+ (exit: 0|summary\.txt: kill_switch=0)/ },
];

const expectFile = (scenario: string): string => join(SCENARIOS, scenario, "expect.txt");

function nodeVerify(dir: string, scenario = "healthy") {
  return runCli(["verify", "--artifacts", dir, "--expect", expectFile(scenario)]);
}

function shellVerify(dir: string, scenario = "healthy") {
  const r = spawnSync("sh", [join(REPO, "scripts", "verify.sh"), dir, expectFile(scenario)], { encoding: "utf8" });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("verify catches tampering", () => {
  const clean: Record<string, string> = {};
  beforeAll(() => {
    for (const scenario of new Set(["healthy", ...TAMPERS.map((t) => t.scenario ?? "healthy")])) {
      clean[scenario] = join(tempDir(), scenario);
      expect(replayScenario(scenario, clean[scenario]).status).toBe(scenario === "healthy" ? 0 : 3);
    }
  });

  it("untampered artifacts pass both checkers", () => {
    for (const [scenario, dir] of Object.entries(clean)) {
      for (const r of [nodeVerify(dir, scenario), shellVerify(dir, scenario)]) {
        expect(r.status, r.stdout + r.stderr).toBe(0);
        expect(r.stdout).not.toMatch(/^FAIL/m);
      }
    }
  });

  for (const t of TAMPERS) {
    it(`${t.name}: both checkers exit 1 and name the criterion`, () => {
      const scenario = t.scenario ?? "healthy";
      const dir = join(tempDir(), scenario);
      // A copy of the set, so that the tamper leaves the clean one as it is.
      cpSync(clean[scenario]!, dir, { recursive: true });
      const path = join(dir, t.file);
      const before = readFileSync(path, "utf8");
      const after = t.edit(before);
      expect(after).not.toBe(before); // the tamper really changed something
      writeFileSync(path, after);
      for (const r of [nodeVerify(dir, scenario), shellVerify(dir, scenario)]) {
        expect(r.status, r.stdout).toBe(1);
        expect(r.stdout).toMatch(t.failLine);
      }
    });
  }

  it("every count in the bundled proofs is pinned by a whole line: a count changed to a longer number fails", () => {
    // summary.txt and metrics.txt lines end in a bare number; a substring criterion on them would
    // still hold for a longer number. The bundled expect.txt files say them as whole lines.
    for (const name of readdirSync(SCENARIOS).filter((n) => existsSync(expectFile(n)))) {
      for (const line of readFileSync(expectFile(name), "utf8").split("\n")) {
        const m = /^(summary\.txt|metrics\.txt): (?!= |!)(.*)$/.exec(line);
        if (m !== null) expect(m[2], `${name}: ${line}`).not.toMatch(/\d$|\d /);
      }
    }
  });

  it("a malformed expect line is a usage error naming file:line", () => {
    expect(() => parseExpect("summary.txt: ok\nsumary.txt: typo\n", "expect.txt")).toThrow(/expect\.txt:2: expected "<artifact>: <text>"/);
    expect(() => parseExpect("exit: three\n", "expect.txt")).toThrow(/expect\.txt:1: "exit:" needs a whole number/);
    expect(() => parseExpect("summary.txt: = \n", "expect.txt")).toThrow(/expect\.txt:1: expected .*"<artifact>: = <whole line>"/);
  });

  it("reads the three forms: contains, !absent and = whole line", () => {
    const { expectations } = parseExpect("summary.txt: a=1\nsummary.txt: !b\nsummary.txt: = c=2\nsummary.txt: =d\n", "expect.txt");
    expect(expectations.map((e) => [e.form, e.text])).toEqual([["contains", "a=1"], ["absent", "b"], ["line", "c=2"], ["contains", "=d"]]);
  });

  it("a whole line is compared like grep -Fx; the closest line is what a FAIL shows", () => {
    const text = "head x=1\norphan=12\nlast=3";
    expect(hasWholeLine(text, "head x=1")).toBe(true);
    expect(hasWholeLine(text, "last=3")).toBe(true);
    expect(hasWholeLine(text, "orphan=1")).toBe(false);
    expect(hasWholeLine(text, "x=1")).toBe(false);
    expect(closestLine(text, "orphan=1")).toBe("orphan=12");
    expect(closestLine(text, "zzz=1")).toBeNull();
  });

  it("proof exits 1 and prints FAIL when a scenario's expectation does not hold", () => {
    const dir = join(tempDir(), "healthy-but-wrong");
    cpSync(join(SCENARIOS, "healthy"), dir, { recursive: true });
    writeFileSync(join(dir, "expect.txt"), "summary.txt: realized_pnl=1000000.00\nexit: 0\n");
    const r = runCli(["proof", "--artifacts", join(tempDir(), "art"), dir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL healthy-but-wrong summary\.txt: realized_pnl=1000000\.00  \(text not found; the artifact has: realized_pnl=mixed\)$/m);
    expect(r.stdout).toMatch(/^proof: 1 scenario, \d+ criteria, 1 failed$/m);
  });

  it("a negative proof (expected kill switch, exit 3) passes only when the kill switch is engaged", () => {
    const r = runCli(["proof", "--artifacts", join(tempDir(), "art"), join(SCENARIOS, "drift-pips")]);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^PASS drift-pips exit: 3$/m);
  });
});
