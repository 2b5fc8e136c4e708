// `recon-proof explain DIR ID`: the rule that fired, the input lines it rests on (only from the very
// files the replay read), both books at that moment from a replay up to it, and what would have
// made it healthy; and the read-only inspection API it stands on.

import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { replay } from "../src/core/replay.js";
import { runExplain } from "../src/run/explain.js";
import { resolveConfig } from "../src/domain/config.js";
import { configToJson } from "../src/domain/config-json.js";
import type { InputRecord } from "../src/domain/records.js";
import { parseBrokerLine, parseJournalLine } from "../src/domain/validate.js";
import { generateScenario } from "../src/gen/generate.js";
import { renderExplanation } from "../src/explain/explain.js";
import { renderArtifacts } from "../src/artifacts/render.js";
import { replayScenario, runCli, SCENARIOS, scenarioNames, tempDir } from "./helpers/cli.js";
import { OUTCOMES_SCENARIO, unseenIdsArtifacts } from "./report-html/helpers.js";

const scenario = (name: string) => join(SCENARIOS, name);
const inputLine = (name: string, file: string, line: number): string => readFileSync(join(scenario(name), file), "utf8").split("\n")[line - 1]!;

/** The scenario's artifacts in a fresh folder (its golden report is the same bytes). */
function artifactsOf(name: string): string {
  const out = join(tempDir(), name);
  replayScenario(name, out);
  return out;
}

function linesOf(name: string) {
  const read = (file: string) => readFileSync(join(scenario(name), file), "utf8").split("\n").filter((l) => l.trim() !== "");
  return { journal: read("journal.jsonl"), broker: read("broker.jsonl"), config: JSON.parse(readFileSync(join(scenario(name), "config.json"), "utf8")) as object };
}

/** Replays lines in-process, inspecting (when asked) every order and symbol seen so far at every record. */
function replayInspecting(journal: readonly string[], broker: readonly string[], config: object, inspectEveryStep: boolean) {
  const cfg = resolveConfig(config);
  const seen = new Map<string, { clientOrderId: string | null; brokerOrderId: string | null; symbol: string | null }>();
  const report = replay(cfg, journal.map((t, i) => parseJournalLine(t, i + 1)), broker.map((t, i) => parseBrokerLine(t, i + 1)),
    { configHash: "h", cacheEntries: [], cacheFailure: null }, {
      afterStep: (engine, record: InputRecord) => {
        if (!inspectEveryStep) return;
        const r = record as Partial<Record<"clientOrderId" | "brokerOrderId" | "symbol", string>>;
        const subject = { clientOrderId: r.clientOrderId ?? null, brokerOrderId: r.brokerOrderId ?? null, symbol: r.symbol ?? null };
        seen.set(JSON.stringify(subject), subject);
        for (const s of [...seen.values()].slice(-50)) engine.inspect(s);
      },
    });
  const meta = { journal: { name: "j", sha256: "-", lines: 0 }, broker: { name: "b", sha256: "-", lines: 0 }, configFile: null, configHash: "h", effectiveConfig: configToJson(cfg) };
  return renderArtifacts(report, meta);
}

describe("the inspection API is read-only", () => {
  it.each(scenarioNames().filter((n) => n !== "cache-corruption"))("%s: inspecting every order and symbol at every record leaves the artifacts byte for byte the same", (name) => {
    const { journal, broker, config } = linesOf(name);
    expect(replayInspecting(journal, broker, config, true)).toEqual(replayInspecting(journal, broker, config, false));
  });

  it.each([1, 2, 3])("generated incident (seed %i, every fault in the logs): the same bytes with inspection at every record", (seed) => {
    const s = generateScenario({ seed, events: 3000, faults: ["disconnect", "duplicate-delivery", "drop-ack", "crash-restart", "orphan", "lost-order"] });
    expect(replayInspecting(s.journal, s.broker, s.config, true)).toEqual(replayInspecting(s.journal, s.broker, s.config, false));
  });
});

describe("explain a finding", () => {
  it("an orphan: the rule named in words, its two broker lines, both books before and after the run, and what would have made it healthy", () => {
    const dir = artifactsOf("orphan-manual-trade");
    const r = runCli(["explain", dir, "F00001", "--inputs", scenario("orphan-manual-trade")]);
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^F00001 {2}orphan_broker_order {2}critical {2}2025-10-20T11:20:00\.050Z {2}reconcile run R00002\n/);
    expect(out).toContain("\n\nRule that fired: Orphan broker order: a broker order or fill the engine never sent\n  The broker has an order or fill");
    // The code location is for contributors (--json), not for Ops reading the text.
    expect(out).not.toContain("reconcile.reportOrphan");
    expect(out).toContain(`  broker.jsonl:4  ${inputLine("orphan-manual-trade", "broker.jsonl", 4)}\n`);
    expect(out).toContain(`  broker.jsonl:5  ${inputLine("orphan-manual-trade", "broker.jsonl", 5)}\n`);
    const [before, after] = out.split("  right after:\n") as [string, string];
    expect(before).toContain("engine:  holds no order manual-desk-7731");
    expect(before).toContain("cache:   no entry for manual-desk-7731");
    expect(before).toContain("broker:  order 8002 (manual-desk-7731) filled, sell 30000 of 30000 EURUSD filled in 1 fill");
    expect(before).toContain("EURUSD: engine 10000 @ 1.08601 · broker -20000 @ 1.0862");
    expect(before).toContain("kill switch off");
    expect(after).toContain("kill switch engaged since 2025-10-20T11:20:00.050Z (orphan_broker_order, position_drift)");
    expect(out).toContain("What would have made it healthy:\n  The engine having sent client order id manual-desk-7731 itself");
  });

  it("a stale order: healthy means a broker record within the in-flight grace, by the instant it ran out", () => {
    const dir = artifactsOf("broker-call-failed");
    const r = runCli(["explain", dir, "F00001", "--inputs", scenario("broker-call-failed")]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("the broker has no record of it past the 10 s in-flight grace (in_flight_grace_ms=10000)");
    expect(r.stdout).toContain("within the 10 s in-flight grace (in_flight_grace_ms=10000) after it was sent at 2025-10-20T10:00:00Z, i.e. by 2025-10-20T10:00:10.000Z");
    expect(r.stdout).toContain(`  journal.jsonl:2  ${inputLine("broker-call-failed", "journal.jsonl", 2)}\n`);
    expect(r.stdout).toMatch(/just before:\n {4}engine: {2}order \S+ sent, sell 0 of 20000 GBPUSD filled/);
    expect(r.stdout).toMatch(/right after:\n {4}engine: {2}order \S+ unknown,/);
  });

  it("--json: one document with the item, the rule, the evidence lines and both books", () => {
    const dir = artifactsOf("orphan-manual-trade");
    const r = runCli(["explain", dir, "F00001", "--inputs", scenario("orphan-manual-trade"), "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, any>;
    expect(doc["command"]).toBe("explain");
    expect(doc["exit_code"]).toBe(0);
    expect(doc["rule"]["name"]).toBe("orphan_broker_order");
    expect(doc["rule"]["title"]).toBe("Orphan broker order: a broker order or fill the engine never sent");
    expect(doc["rule"]["decided_in"]).toMatch(/^reconcile\.reportOrphan/);
    expect(doc["evidence"].map((e: { ref: string; text: string }) => [e.ref, e.text])).toEqual([
      ["broker:4", inputLine("orphan-manual-trade", "broker.jsonl", 4)], ["broker:5", inputLine("orphan-manual-trade", "broker.jsonl", 5)]]);
    expect(doc["moment"]["before"]["order"]["broker"]["status"]).toBe("filled");
    expect(doc["moment"]["after"]["order"]["broker"]).toBeNull();
    expect(doc["moment"]["after"]["symbol"]).toMatchObject({ engine_qty: "10000", broker_qty: "-20000" });
  });

  it("a finding past the report's capped list is found by the replay and explained", () => {
    const work = tempDir();
    for (const f of ["journal.jsonl", "broker.jsonl"]) copyFileSync(join(scenario("orphan-manual-trade"), f), join(work, f));
    const config = { ...JSON.parse(readFileSync(join(scenario("orphan-manual-trade"), "config.json"), "utf8")), report_list_items_max: 1 };
    writeFileSync(join(work, "config.json"), JSON.stringify(config));
    const dir = join(work, "out");
    expect(runCli(["replay", "--journal", join(work, "journal.jsonl"), "--broker", join(work, "broker.jsonl"), "--config", join(work, "config.json"), "--out", dir]).status).toBe(3);
    expect(readFileSync(join(dir, "reconcile-report.json"), "utf8")).not.toContain('"F00002"');
    const r = runCli(["explain", dir, "F00002", "--inputs", work]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^F00002 {2}position_drift {2}critical/);
    expect(r.stdout).toContain("EURUSD: engine 10000 @ 1.08601 · broker -20000 @ 1.0862");
    const bare = runCli(["explain", dir, "F00002"]);
    expect(bare.status).toBe(2);
    expect(bare.stderr).toContain("past the report's list");
  });
});

describe("explain an alert and the kill switch", () => {
  it("the kill switch for an unreachable broker rests on the disconnect the engine was still under", () => {
    const dir = artifactsOf("broker-unreachable");
    const r = runCli(["explain", dir, "kill_switch", "--inputs", scenario("broker-unreachable")]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^kill_switch:broker_unreachable {2}broker_unreachable/);
    expect(r.stdout).toContain(`  broker.jsonl:3  ${inputLine("broker-unreachable", "broker.jsonl", 3)}\n`);
    expect(r.stdout).toContain("raised by reconcile run R00002 (interval, at 2025-10-20T13:04:00.000Z)");
    expect(r.stdout).toMatch(/just before:\n {4}engine: {2}running, disconnected/);
  });

  it("a divergence alert names the findings behind it and shows their lines", () => {
    const dir = artifactsOf("orphan-manual-trade");
    const r = runCli(["explain", dir, "A00001", "--inputs", scenario("orphan-manual-trade")]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("Behind it: F00001 orphan_broker_order, F00002 position_drift");
    expect(r.stdout).toContain("broker.jsonl:4  {");
  });

  it("a missing slippage preset rests on the fill whose handling raised it", () => {
    const dir = artifactsOf("slippage-preset-missing");
    const r = runCli(["explain", dir, "A00001", "--inputs", scenario("slippage-preset-missing")]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`  broker.jsonl:3  ${inputLine("slippage-preset-missing", "broker.jsonl", 3)}\n`);
    expect(r.stdout).toContain("A slippage_presets entry for GBPUSD in session overnight");
  });
});

describe("every item of every bundled scenario is explained", () => {
  it.each(scenarioNames())("%s", (name) => {
    const golden = join(scenario(name), "golden");
    const doc = JSON.parse(readFileSync(join(golden, "reconcile-report.json"), "utf8")) as {
      findings: { items: Array<{ finding_id: string }> }; alerts: { items: Array<{ alert_id: string }> }; kill_switch: { reasons: string[] };
    };
    const ids = [...doc.findings.items.map((f) => f.finding_id), ...doc.alerts.items.map((a) => a.alert_id), ...doc.kill_switch.reasons.map((r) => `kill_switch:${r}`)];
    for (const id of ids) {
      const e = runExplain({ dir: golden, id, inputs: scenario(name) });
      const text = renderExplanation(e);
      expect(e.moment, `${name} ${id}`).not.toBeNull();
      expect(e.rule.name, `${name} ${id}`).not.toContain("not known");
      // The rule is named in words; no internal function name reaches the text.
      expect(e.rule.name, `${name} ${id}`).toMatch(/^[A-Z][a-z-]*:? [a-z]/);
      expect(text, `${name} ${id}`).not.toContain(e.rule.decidedIn.split(/[ :(]/)[0]);
      // Every fact the words quote is in the report: none is left as "?".
      expect(`${e.rule.fired}\n${e.healthy}`, `${name} ${id}`).not.toMatch(/(^|[ (])\?([ ,.;)]|$)/);
      for (const ev of e.evidence) expect(ev.text, `${name} ${id} ${ev.ref}`).toBe(inputLine(name, ev.file, ev.line));
      expect(text).toContain("What would have made it healthy:");
    }
  });
});

describe("explain says what happened, and prints ids safely", () => {
  it("a cancel request for an order already filled is named for what happened", () => {
    const dir = join(tempDir(), "outcomes");
    expect(runCli(["replay", "--journal", join(OUTCOMES_SCENARIO, "journal.jsonl"), "--broker", join(OUTCOMES_SCENARIO, "broker.jsonl"), "--config", join(OUTCOMES_SCENARIO, "config.json"), "--out", dir]).status).toBe(0);
    const r = runCli(["explain", dir, "F00001", "--inputs", OUTCOMES_SCENARIO]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^F00001 {2}cancel_request_order_closed {2}info/);
    expect(r.stdout).toContain("Rule that fired: Cancel request for an order already closed: the engine asked to cancel an order it knows had finished\n");
    expect(r.stdout).toContain("which had already finished (engine status: filled)");
    expect(r.stdout).not.toMatch(/not known|journal\.requestCancel/);
  });

  it("control, bidi and zero-width characters in ids and input lines are written escaped, never raw to the terminal", () => {
    const { scenario, dir } = unseenIdsArtifacts(tempDir());
    const out = ["F00003", "F00005", "kill_switch:stale_local_order"].map((id) => {
      const r = runCli(["explain", dir, id, "--inputs", scenario]);
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    }).join("\n");
    expect(out).not.toMatch(/[\p{Cf}\p{Zl}\p{Zp}\u0000-\u0009\u000b-\u001f\u007f-\u009f]/u);
    expect(out).toContain("client order id C-\\u202egpj.exe");
    expect(out).toContain("client order id ESC\\u001b[31mRED\\u0007");
    // The input line as it is in the file (its JSON escape stays one).
    expect(out).toContain('"client_order_id":"C-\\u202egpj.exe"');
  });
});

describe("explain refuses what it cannot stand behind", () => {
  it("an input that is not the file the replay read (sha256 differs): exit 2, nothing on stdout", () => {
    const dir = artifactsOf("orphan-manual-trade");
    const work = tempDir();
    copyFileSync(join(scenario("orphan-manual-trade"), "journal.jsonl"), join(work, "journal.jsonl"));
    writeFileSync(join(work, "broker.jsonl"), readFileSync(join(scenario("orphan-manual-trade"), "broker.jsonl"), "utf8").replace("1.08620", "1.08621"));
    const r = runCli(["explain", dir, "F00001", "--inputs", work]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/broker\.jsonl is not the broker this replay read \(broker\.jsonl, sha256 [0-9a-f]{12}…/);
  });

  it("inputs that do not raise the item the report lists are refused", () => {
    const dir = artifactsOf("orphan-manual-trade");
    const path = join(dir, "reconcile-report.json");
    writeFileSync(path, readFileSync(path, "utf8").replace('"kind": "orphan_broker_order"', '"kind": "overfill"'));
    const r = runCli(["explain", dir, "F00001", "--inputs", scenario("orphan-manual-trade")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("replaying these inputs does not raise F00001 as the report says");
  });

  it("an id the report does not have, or that is no id: exit 2 with the ids it has", () => {
    const dir = artifactsOf("orphan-manual-trade");
    const none = runCli(["explain", dir, "F00009"]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("no finding F00009 in this report (its findings: F00001 to F00002)");
    const bad = runCli(["explain", dir, "orphan"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("is not an item id");
    const healthy = artifactsOf("healthy");
    expect(runCli(["explain", healthy, "kill_switch"]).stderr).toContain("the kill switch is not engaged");
  });

  it("without the inputs it explains the rule and names the lines; a missing folder is exit 74", () => {
    const dir = artifactsOf("orphan-manual-trade");
    const r = runCli(["explain", dir, "F00001"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("  broker.jsonl:4  (give the inputs with --inputs to show the line)");
    expect(r.stdout).toContain("The two books at that moment: not shown: give the replay's inputs");
    const missing = join(tempDir(), "none");
    mkdirSync(join(missing, ".."), { recursive: true });
    expect(runCli(["explain", missing, "F00001"]).status).toBe(74);
  });
});
