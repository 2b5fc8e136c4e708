// Messages that say what to do: an input that is missing, a folder, or unreadable is named by its
// path with the fix, the same way by every command that reads files (exit 74, never a raw ENOENT
// or EISDIR); two logs given the other way round are said to be; a config error names the config
// file, the line and column, and the key nearest a misspelt one; JSON that is not JSON is named by
// line:column with what was expected there.

import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/domain/errors.js";
import { nearestNames } from "../../src/domain/nearest.js";
import { runCli, SCENARIOS, tempDir } from "../helpers/cli.js";
import { configErrorOf, configFile, otherUser } from "./helpers.js";

const HEALTHY = join(SCENARIOS, "healthy");
const JOURNAL = join(HEALTHY, "journal.jsonl");
const BROKER = join(HEALTHY, "broker.jsonl");

/** Every command that reads a file or a folder, given `path` where that file or folder goes. */
function commandsReading(path: string, out: string): Record<string, string[]> {
  return {
    "replay --journal": ["replay", "--journal", path, "--broker", BROKER, "--out", out],
    "replay --broker": ["replay", "--journal", JOURNAL, "--broker", path, "--out", out],
    "replay --config": ["replay", "--journal", JOURNAL, "--broker", BROKER, "--config", path, "--out", out],
    "replay --jobs 2 --broker": ["replay", "--journal", JOURNAL, "--broker", path, "--jobs", "2", "--out", out],
    "import oanda": ["import", "oanda", path],
    "import journal-sqlite": ["import", "journal-sqlite", path],
    "minimize --journal": ["minimize", "--journal", path, "--broker", BROKER, "--keep", "summary.txt: stale=0", "--out", out],
    "verify --expect": ["verify", "--artifacts", HEALTHY, "--expect", path],
  };
}

function foldersReading(path: string, out: string): Record<string, string[]> {
  return {
    "verify --artifacts": ["verify", "--artifacts", path, "--expect", join(HEALTHY, "expect.txt")],
    report: ["report", path],
    explain: ["explain", path, "F00001"],
    merge: ["merge", "--out", out, path],
    proof: ["proof", path],
    expect: ["expect", path],
  };
}

describe("an input that cannot be read: its path, what is wrong and what to do (exit 74)", () => {
  const dir = tempDir();
  const missing = join(dir, "no-such-input");
  const out = join(dir, "out");

  for (const [name, args] of Object.entries({ ...commandsReading(missing, out), ...foldersReading(missing, out) })) {
    it(`${name}: a missing one`, () => {
      const r = runCli(args);
      expect(r.status, r.stderr).toBe(74);
      expect(r.stderr).toContain(`cannot read the `);
      expect(r.stderr).toContain(`${missing}: no such `);
      expect(r.stderr).toContain("check the path");
      expect(r.stderr).not.toMatch(/ENOENT|EISDIR|stack|    at /);
    });
  }

  const folder = join(dir, "a-folder");
  mkdirSync(folder);
  for (const [name, args] of Object.entries(commandsReading(folder, out))) {
    it(`${name}: a folder where a file goes`, () => {
      const r = runCli(args);
      expect(r.status, r.stderr).toBe(74);
      expect(r.stderr).toContain(`${folder}: it is a folder, not a file (name the file in it)`);
      expect(r.stderr).not.toMatch(/EISDIR|disk I\/O error/);
    });
  }

  const file = join(dir, "a-file");
  writeFileSync(file, "x\n");
  for (const [name, args] of Object.entries(foldersReading(file, out))) {
    it(`${name}: a file where a folder goes`, () => {
      const r = runCli(args);
      expect(r.status, r.stderr).toBe(74);
      expect(r.stderr).toContain(`${file}: it is a file, not a folder (name the folder)`);
    });
  }

  it("a log the user running recon-proof may not read: permission denied, and what to do", (ctx) => {
    // Root reads any file: the CLI runs as a user bound by file modes, from a copy it can reach.
    const user = otherUser();
    if ("skip" in user) {
      process.stderr.write(`skipped "a log the user may not read": ${user.skip}\n`);
      ctx.skip();
      return;
    }
    const journal = user.readable(JOURNAL);
    const locked = user.readable(BROKER);
    chmodSync(locked, 0o000);
    const r = user.run(["replay", "--journal", journal, "--broker", locked, "--out", join(user.home, "out")]);
    expect(r.status, r.stderr).toBe(74);
    expect(r.stderr).toContain(`cannot read the broker log ${locked}: permission denied (give the user running recon-proof read access`);
  });
});

describe("the journal and the broker log given the other way round", () => {
  it("the journal's first record is a broker event: the message asks whether the two were swapped (exit 65)", () => {
    const r = runCli(["replay", "--journal", BROKER, "--broker", JOURNAL, "--out", join(tempDir(), "out")]);
    expect(r.status, r.stderr).toBe(65);
    expect(r.stderr).toMatch(/broker\.jsonl:1: field "type": .*a broker log record: is this file the broker log\? \(did you swap --journal and --broker\?\)/);
  });

  /** A replay of the healthy journal against a broker log of one record of type `type`: exit 65. */
  const brokerOfType = (type: string): string => {
    const dir = tempDir();
    const broker = join(dir, "broker.jsonl");
    writeFileSync(broker, `{"type":"${type}","ts":"2025-10-20T07:00:00Z","event_id":"E1"}\n`);
    const r = runCli(["replay", "--journal", JOURNAL, "--broker", broker, "--out", join(dir, "out")]);
    expect(r.status, r.stderr).toBe(65);
    return r.stderr;
  };

  it("a journal record in the broker log is said to be one", () => {
    expect(brokerOfType("restart")).toContain(`got "restart": a journal record: is this file the journal? (did you swap --journal and --broker?)`);
  });

  it("a type neither log has gets no such hint", () => {
    expect(brokerOfType("margin_call")).not.toContain("swap");
  });
});

describe("config errors name the file, the line and column, and the nearest key", () => {
  const cases: [string, string, string][] = [
    ["a unit suffix left out", `{\n  "reconcile_interval": 60000\n}\n`,
      `:2:3: unknown key "reconcile_interval": did you mean "reconcile_interval_ms"?`],
    ["a typo in limits", `{\n  "limits": {\n    "daily_loss_capp": 500\n  }\n}\n`,
      `:3:5: unknown key "limits.daily_loss_capp": did you mean "daily_loss_cap"?`],
    ["a typo in recovery", `{"recovery": {"orphan_polcy": "alert"}}`,
      `:1:15: unknown key "recovery.orphan_polcy": did you mean "orphan_policy"?`],
    ["a typo in an instrument", `{"instruments": {\n  "TSLA": {"asset_class": "equity", "quote_currency": "USD", "tick_sise": 0.01}\n}}`,
      `:2:62: unknown key "instruments.TSLA.tick_sise": did you mean "tick_size"?`],
    ["a typo in a slippage preset", `{"slippage_presets": [\n  {"symbol": "EURUSD", "session": "eu", "max_slippage": 1}\n]}`,
      `:2:41: unknown key "slippage_presets[0].max_slippage": did you mean "max_slippage_pips"?`],
    ["a typo in a session", `{"sessions": [{"name": "all", "start_hour": 0, "end_hours": 24}]}`,
      `:1:48: unknown key "sessions[0].end_hours": did you mean "end_hour"?`],
    ["a bad value, on the line that holds it", `{\n  "drift_tolerance_pips": 0.5,\n  "in_flight_grace_ms": -1\n}`,
      `:3:3: "in_flight_grace_ms" must be a whole number of milliseconds >= 0, got -1`],
  ];
  for (const [name, text, message] of cases) {
    it(name, () => {
      const path = configFile(text);
      expect(configErrorOf(path).message).toBe(`config ${path}${message}`);
    });
  }

  it("an unknown key with no near one lists the keys there instead", () => {
    const path = configFile(`{"limits": {"weekly_budget": 5}}`);
    expect(configErrorOf(path).message).toBe(`config ${path}:1:13: unknown key "limits.weekly_budget" (the keys here: daily_loss_cap, symbol_caps)`);
  });

  it("the suggestion is the nearest known key, and nothing for an unrelated word", () => {
    expect(nearestNames("reconcile_interval", ["reconcile_interval_ms", "in_flight_grace_ms"])).toEqual(["reconcile_interval_ms"]);
    expect(nearestNames("reconcile_interval_s", ["reconcile_interval_ms", "in_flight_grace_ms"])).toEqual(["reconcile_interval_ms"]);
    expect(nearestNames("session", ["sessions", "slippage_presets"])).toEqual(["sessions"]);
    expect(nearestNames("colour", ["sessions", "limits", "recovery"])).toEqual([]);
    expect(nearestNames("x".repeat(100_000), ["sessions"])).toEqual([]);
  });

  it("on the command line: exit 2, the file named, the fix given", () => {
    const path = configFile(`{"reconcile_interval": 60000}`);
    const r = runCli(["replay", "--journal", JOURNAL, "--broker", BROKER, "--config", path, "--out", join(tempDir(), "out")]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe(`recon-proof: config ${path}:1:2: unknown key "reconcile_interval": did you mean "reconcile_interval_ms"?\n`);
  });

  it("an instrument the config does not describe, met while replaying, names the config file too", () => {
    const dir = tempDir();
    const journal = join(dir, "journal.jsonl");
    writeFileSync(journal, `{"type":"decision","ts":"2025-10-20T08:00:00Z","decision_id":"D1","client_order_id":"C1","symbol":"TSLA","side":"buy","qty":1,"ref_price":250}\n`);
    const path = configFile(`{}`);
    const r = runCli(["replay", "--journal", journal, "--broker", BROKER, "--config", path, "--out", join(dir, "out")]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(`config ${path}: unknown instrument "TSLA"`);
  });
});

describe("JSON that is not JSON: line:column and what was expected there", () => {
  it("a trailing comma in the config: its line and column, and to remove it", () => {
    const path = configFile(`{\n  "reconcile_interval_ms": 60000,\n  "in_flight_grace_ms": 5000,\n}\n`);
    expect(configErrorOf(path).message).toBe(`config ${path}:3:29: not valid JSON: a trailing comma before "}": JSON allows none (remove the comma)`);
  });

  const broken: [string, string, string][] = [
    ["a missing comma", `{\n  "drift_tolerance_pips": 0.5\n  "in_flight_grace_ms": 5000\n}`, `:3:3: not valid JSON: expected "," or "}" after a value, got "\\""`],
    ["a key without quotes", `{\n  drift_tolerance_pips: 0.5\n}`, `:2:3: not valid JSON: expected a key in double quotes, got "d"`],
    ["a file cut short", `{\n  "sessions": [`, `:2:16: not valid JSON: expected a value (an object, array, string, number, true, false or null), got the end of the text`],
    ["a single-quoted string", `{"recovery": {'orphan_policy': 'alert'}}`, `:1:15: not valid JSON: expected a key in double quotes, got "'"`],
  ];
  for (const [name, text, message] of broken) {
    it(`the config: ${name}`, () => {
      const path = configFile(text);
      expect(configErrorOf(path).message).toBe(`config ${path}${message}`);
    });
  }

  it("an empty config file is said to be empty, with the fix", () => {
    const path = configFile("");
    const err = configErrorOf(path);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(`config ${path}: the file is empty: write {} for every default (or leave out --config)`);
  });

  it("an input line: file:line, and the column in the line (exit 65)", () => {
    const dir = tempDir();
    const journal = join(dir, "journal.jsonl");
    writeFileSync(journal, `{"type":"snapshot","ts":"2025-10-20T07:00:00Z"}\n{"type":"restart","ts":"2025-10-20T08:00:00Z",}\n`);
    const r = runCli(["replay", "--journal", journal, "--broker", BROKER, "--out", join(dir, "out")]);
    expect(r.status, r.stderr).toBe(65);
    expect(r.stderr).toContain(`journal.jsonl:2: field "(line)": expected one JSON object per line, got text that is not JSON at column 46: ` +
      `a trailing comma before "}": JSON allows none (remove the comma)`);
  });
});
