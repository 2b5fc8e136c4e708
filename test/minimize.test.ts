// `recon-proof minimize`: delta debugging over a replay's two logs, in-process on the pure core.
// The search's parts (windows, ddmin, dropping fields), a fast-check property over generated
// incidents (the result keeps the predicate and is 1-minimal over lines, and over the parts of its
// lines; the same inputs give the same result), and the command as a user runs it.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../src/adapters/inputs.js";
import { sha256Lines } from "../src/jobs/minimize/trials.js";
import { resolveConfig } from "../src/domain/config.js";
import { configToJson } from "../src/domain/config-json.js";
import { canonicalJson } from "../src/domain/validate.js";
import { type Fault, generateScenario, type GeneratedScenario } from "../src/gen/generate.js";
import { plantedFaultPredicate } from "../src/gen/predicates.js";
import { type Batch, ddmin, windows } from "../src/minimize/ddmin.js";
import { linesInEventOrder, numbered } from "../src/minimize/lines.js";
import { firstThatHolds, minimizeSearch, runSearch, withOnePartLess } from "../src/minimize/search.js";
import { type Item, Trials } from "../src/minimize/trials.js";
import { parseExpect } from "../src/proofs/verify.js";
import { CLI, runCli, tempDir } from "./helpers/cli.js";

const NUM_RUNS = Number(process.env["NUM_RUNS"] ?? 6);
const SEED = process.env["FC_SEED"] === undefined ? undefined : Number(process.env["FC_SEED"]);

/** Drives a position search with a predicate over positions; returns the result and every candidate tried. */
function drive(search: Generator<Batch, number[], number>, holds: (c: readonly number[]) => boolean): { result: number[]; tried: number[][] } {
  const tried: number[][] = [];
  let step = search.next();
  while (step.done !== true) {
    const b = step.value;
    let answer = -1;
    for (let i = 0; i < b.size && answer < 0; i++) {
      const c = [...b.candidate(i)];
      expect(c.length).toBe(b.sizeOf(i));
      tried.push(c);
      if (holds(c)) answer = i;
    }
    step = search.next(answer);
  }
  return { result: step.value, tried };
}

describe("the search's parts", () => {
  it("ddmin keeps exactly the items the predicate needs, however far apart, and no single one can go", () => {
    const needed = [3, 47, 88];
    const holds = (c: readonly number[]) => needed.every((n) => c.includes(n));
    const { result } = drive(ddmin(100), holds);
    expect(result).toEqual(needed);
    for (const n of result) expect(holds(result.filter((x) => x !== n))).toBe(false);
  });

  it("windows narrow to the smallest contiguous window that holds, each window beginning where the engine may start", () => {
    const starts = new Set([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    const holds = (c: readonly number[]) => c.includes(52) && c.includes(57);
    const { result, tried } = drive(windows(100, (p) => starts.has(p)), holds);
    expect(result).toEqual([50, 51, 52, 53, 54, 55, 56, 57, 58, 59]);
    for (const c of tried) {
      expect(starts.has(c[0]!)).toBe(true);
      expect(c).toEqual(Array.from({ length: c.length }, (_, i) => c[0]! + i));
    }
  });

  it("a line's parts are dropped one at a time, never its type", () => {
    const variants = [...withOnePartLess({ type: "fill", a: 1, b: [1, 2], c: { d: 1 } })];
    expect(variants).toEqual([
      { type: "fill", b: [1, 2], c: { d: 1 } }, { type: "fill", a: 1, c: { d: 1 } }, { type: "fill", a: 1, b: [1, 2] },
      { type: "fill", a: 1, b: [2], c: { d: 1 } }, { type: "fill", a: 1, b: [1], c: { d: 1 } }, { type: "fill", a: 1, b: [1, 2], c: {} },
    ]);
  });
});

// ---- the property -----------------------------------------------------------------------------

interface Incident {
  readonly scenario: GeneratedScenario;
  readonly items: Item[];
  readonly trials: Trials;
}

function incident(seed: number, events: number, fault: Fault): { incident: Incident; keep: string[] | null } {
  const scenario = generateScenario({ seed, events, faults: [fault] });
  const { items, recordOf } = linesInEventOrder(numbered(scenario.journal), numbered(scenario.broker));
  const config = resolveConfig(scenario.config);
  const setup = (keep: string[]) => new Trials({
    config, configHash: sha256Hex(canonicalJson(configToJson(config))), configFile: null, effectiveConfig: configToJson(config),
    names: { journal: "journal.jsonl", broker: "broker.jsonl" }, predicate: parseExpect(keep.join("\n"), "--keep"), sha256: sha256Lines,
  });
  const whole = setup([]).run(items, new Set(["reconcile-report.json"]));
  const keep = whole === null ? null : plantedFaultPredicate(fault, scenario, whole.artifacts["reconcile-report.json"]!);
  const trials = setup(keep ?? []);
  for (const [item, rec] of recordOf) trials.remember(item, rec);
  return { incident: { scenario, items, trials }, keep };
}

const LOG_FAULTS: Fault[] = ["drop-ack", "duplicate-delivery", "disconnect", "orphan", "lost-order", "price-drift", "unit-drift", "crash-restart"];

describe("minimize (fast-check over generated incidents)", () => {
  it("the result keeps the predicate, no single line of it can go (1-minimal), nor any single part of a line; the same inputs give the same result", () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 150, max: 500 }), fc.constantFrom(...LOG_FAULTS),
      (seed, events, fault) => {
        const { incident: inc, keep } = incident(seed, events, fault);
        fc.pre(keep !== null && !keep.some((k) => k.includes("?")) && inc.trials.holds(inc.items));
        const result = runSearch(minimizeSearch(inc.items), firstThatHolds((c) => inc.trials.holds(c)));
        expect(inc.trials.holds(result)).toBe(true);
        for (let i = 0; i < result.length; i++) {
          expect(inc.trials.holds(result.filter((_, k) => k !== i)), `without line ${i + 1} of ${result.length}`).toBe(false);
        }
        let id = 1_000_000_000;
        for (const line of result) {
          for (const v of withOnePartLess(JSON.parse(line.text))) {
            const fewer: Item = { id: id++, src: line.src, text: JSON.stringify(v) };
            expect(inc.trials.holds(result.map((it) => (it.text === line.text ? fewer : it))), `${line.text} as ${fewer.text}`).toBe(false);
          }
        }
        const again = incident(seed, events, fault).incident;
        expect(runSearch(minimizeSearch(again.items), firstThatHolds((c) => again.trials.holds(c))).map((i) => i.text)).toEqual(result.map((i) => i.text));
      }), { numRuns: NUM_RUNS, seed: SEED });
  }, 600_000);
});

// ---- the command ------------------------------------------------------------------------------

/** A generated incident's files in a folder of their own. */
function incidentFiles(seed: number, events: number, faults: Fault[]): string {
  const dir = tempDir("recon-proof-incident-");
  const s = generateScenario({ seed, events, faults });
  writeFileSync(join(dir, "journal.jsonl"), s.journal.join("\n") + "\n");
  writeFileSync(join(dir, "broker.jsonl"), s.broker.join("\n") + "\n");
  writeFileSync(join(dir, "config.json"), JSON.stringify(s.config, null, 2) + "\n");
  return dir;
}

const inputArgs = (dir: string) => ["--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"), "--config", join(dir, "config.json")];
const ORPHAN_KEEP = ["--keep", `reconcile-report.json: "client_order_id": "MANUAL-`, "--keep", "summary.txt: orphan=1 drift="];
const filesOf = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), "utf8")]));

describe("recon-proof minimize", () => {
  const incidentDir = incidentFiles(7, 3000, ["orphan", "disconnect", "duplicate-delivery"]);

  it("writes a proof scenario that `proof` passes: the lines kept, the config, and an expect.txt with where it came from, the predicate and the verdict", () => {
    const out = join(tempDir(), "orphan-s7");
    const r = runCli(["minimize", ...inputArgs(incidentDir), ...ORPHAN_KEEP, "--note", "gen --seed 7 --events 3000 --faults orphan,disconnect,duplicate-delivery", "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^recon-proof: minimized [\d,]+ journal lines to 1 and [\d,]+ broker lines to 1 in [\d,]+ replays \([\d.]+ s\) -> .* \(it replays to exit 3\)$/m);
    expect(readdirSync(out).sort()).toEqual([".recon-proof", "broker.jsonl", "config.json", "expect.txt", "journal.jsonl"]);
    expect(readFileSync(join(out, "config.json"), "utf8")).toBe(readFileSync(join(incidentDir, "config.json"), "utf8"));
    expect(readFileSync(join(out, "broker.jsonl"), "utf8")).toMatch(/^\{"type":"fill",.*"client_order_id":"MANUAL-[0-9a-f]+".*\}\n$/);
    const expectTxt = readFileSync(join(out, "expect.txt"), "utf8");
    expect(expectTxt).toMatch(/^# Written by `recon-proof minimize` from journal.jsonl \(1 of [\d,]+ lines\) and broker.jsonl \(1 of [\d,]+ lines\), in [\d,]+ replays\.\n# gen --seed 7 --events 3000 --faults orphan,disconnect,duplicate-delivery\n/);
    expect(expectTxt).toContain(`# What must still hold (--keep):\nreconcile-report.json: "client_order_id": "MANUAL-\nsummary.txt: orphan=1 drift=\n# The verdict of this scenario:\nexit: 3\n`);
    const proof = runCli(["proof", "--artifacts", tempDir(), out]);
    expect(proof.status, proof.stdout).toBe(0);
  });

  it("is deterministic, and worker threads give the very same scenario", () => {
    const [a, b, c] = [join(tempDir(), "a"), join(tempDir(), "b"), join(tempDir(), "c")];
    expect(runCli(["minimize", ...inputArgs(incidentDir), ...ORPHAN_KEEP, "--out", a]).status).toBe(0);
    expect(runCli(["minimize", ...inputArgs(incidentDir), ...ORPHAN_KEEP, "--out", b]).status).toBe(0);
    const workers = runCli(["minimize", ...inputArgs(incidentDir), ...ORPHAN_KEEP, "--workers", "2", "--out", c]);
    expect(workers.status, workers.stderr).toBe(0);
    const strip = (files: Record<string, string>) => ({ ...files, "expect.txt": files["expect.txt"]!.replace(/in [\d,]+ replays/, "") });
    expect(filesOf(b)).toEqual(filesOf(a));
    expect(strip(filesOf(c))).toEqual(strip(filesOf(a)));
  }, 120_000);

  it("--json: one document with the lines before and after, the replays and the scenario's exit code", () => {
    const r = runCli(["minimize", ...inputArgs(incidentDir), ...ORPHAN_KEEP, "--out", join(tempDir(), "j"), "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, any>;
    expect(doc).toMatchObject({ command: "minimize", exit_code: 0, kept: true, scenario_exit_code: 3,
      predicate: [`reconcile-report.json: "client_order_id": "MANUAL-`, "summary.txt: orphan=1 drift="] });
    expect(doc["lines"]["journal"]["after"] + doc["lines"]["broker"]["after"]).toBe(2);
    expect(doc["lines"]["broker"]["before"]).toBe(readFileSync(join(incidentDir, "broker.jsonl"), "utf8").split("\n").length - 1);
    expect(doc["replays"]).toBeGreaterThan(10);
  });

  it("inputs that do not keep the predicate: exit 1, each criterion with why, and an existing folder left as it was", () => {
    const out = join(tempDir(), "kept");
    mkdirSync(out);
    writeFileSync(join(out, "mine.txt"), "keep me");
    const r = runCli(["minimize", ...inputArgs(incidentDir), "--keep", "summary.txt: = kill_switch=0", "--keep", "exit: 3", "--out", out, "--adopt-out"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("PASS inputs exit: 3\n");
    expect(r.stdout).toContain("FAIL inputs summary.txt: = kill_switch=0  (no such line; the artifact has: kill_switch=1)\n");
    expect(r.stderr).toContain("the inputs do not keep the predicate: nothing to minimize, nothing written");
    expect(filesOf(out)).toEqual({ "mine.txt": "keep me" });
  });

  it("refuses a malformed --keep, none at all, and an exit code no replay has (exit 2)", () => {
    const out = join(tempDir(), "x");
    const bad = runCli(["minimize", ...inputArgs(incidentDir), "--keep", "summary: orphan=1", "--out", out]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`--keep:1: expected "<artifact>: <text>"`);
    expect(runCli(["minimize", ...inputArgs(incidentDir), "--out", out]).stderr).toContain("--keep needs at least one criterion");
    const badInput = runCli(["minimize", ...inputArgs(incidentDir), "--keep", "exit: 65", "--out", out]);
    expect(badInput.status).toBe(2);
    expect(badInput.stderr).toContain(`"exit: 65" cannot be kept`);
    expect(runCli(["minimize", ...inputArgs(incidentDir), ...ORPHAN_KEEP, "--workers", "99", "--out", out]).status).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it("refuses to write over the incident's own logs (--out naming the folder they are in)", () => {
    const before = filesOf(incidentDir);
    const r = runCli(["minimize", ...inputArgs(incidentDir), ...ORPHAN_KEEP, "--out", incidentDir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("holds the incident's own inputs");
    expect(filesOf(incidentDir)).toEqual(before);
  });

  it("bad input is exit 65 naming file:line and the field, and nothing is written", () => {
    const dir = incidentFiles(3, 400, []);
    const journal = readFileSync(join(dir, "journal.jsonl"), "utf8").split("\n");
    journal[4] = journal[4]!.replace(/"qty":\d+/, '"qty":"lots"');
    writeFileSync(join(dir, "journal.jsonl"), journal.join("\n"));
    const out = join(tempDir(), "bad");
    const r = runCli(["minimize", ...inputArgs(dir), "--keep", "exit: 0", "--out", out]);
    expect(r.status).toBe(65);
    expect(r.stderr).toContain(`recon-proof: bad input: journal.jsonl:5: field "qty": expected a positive number`);
    expect(r.stderr).toContain("nothing was written");
    expect(existsSync(out)).toBe(false);
  });

  it.skipIf(!existsSync("/usr/bin/script"))("shows the lines left and the replays tried on a terminal, and nothing in a pipe", () => {
    const out = join(tempDir(), "p");
    const command = `node ${JSON.stringify(CLI)} minimize ${inputArgs(incidentDir).map((a) => JSON.stringify(a)).join(" ")} --keep 'summary.txt: orphan=1 drift=' --out ${out}`;
    const env = { ...process.env, RECON_PROOF_PROGRESS_AFTER_MS: "0" };
    const shown = spawnSync("script", ["-qec", command, "/dev/null"], { encoding: "utf8", env });
    expect(shown.status, shown.stdout).toBe(0);
    expect(shown.stdout).toMatch(/\rminimize {2}[\d,]+ of [\d,]+ lines left {2}[\d,]+ replays {2}\(cut in \d+\)/);
    const piped = spawnSync("sh", ["-c", command], { encoding: "utf8", env });
    expect(piped.stderr).not.toContain("lines left");
  });
});
