// Bad input is exit 65 with a message a person understands (file:line, field, what was expected),
// and the output folder is left exactly as it was: no artifact is written or changed.

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { replayScenario, runCli, tempDir } from "./helpers/cli.js";

const GOOD_JOURNAL = [
  `{"type":"snapshot","ts":"2025-10-20T07:00:00Z","open_orders":[],"positions":[]}`,
  `{"type":"decision","ts":"2025-10-20T08:00:00Z","decision_id":"D1","client_order_id":"C1","symbol":"EURUSD","side":"buy","qty":1000,"ref_price":1.085}`,
];
const GOOD_BROKER = [
  `{"type":"position_snapshot","ts":"2025-10-20T06:59:00Z","event_id":"E1","positions":[]}`,
  `{"type":"order_accepted","ts":"2025-10-20T08:00:01Z","event_id":"E2","client_order_id":"C1","broker_order_id":"B1","symbol":"EURUSD","side":"buy","qty":1000}`,
  `{"type":"fill","ts":"2025-10-20T08:00:02Z","event_id":"E3","client_order_id":"C1","broker_order_id":"B1","symbol":"EURUSD","side":"buy","qty":1000,"price":1.0851}`,
];

interface Case {
  readonly name: string;
  readonly journal?: readonly string[];
  readonly broker?: readonly string[];
  /** Pattern the one-line error must match: file:line, the field, what was expected. */
  readonly message: RegExp;
}

const replaceLine = (lines: readonly string[], index: number, line: string) => lines.map((l, i) => (i === index ? line : l));

const CASES: Case[] = [
  { name: "malformed JSON", journal: replaceLine(GOOD_JOURNAL, 1, `{"type":"decision","ts":`),
    message: /journal\.jsonl:2: field "\(line\)": expected one JSON object per line/ },
  { name: "missing field", journal: replaceLine(GOOD_JOURNAL, 1, GOOD_JOURNAL[1]!.replace(`"qty":1000,`, "")),
    message: /journal\.jsonl:2: field "qty": expected a value \(the field is required\)/ },
  { name: "wrong type", broker: replaceLine(GOOD_BROKER, 2, GOOD_BROKER[2]!.replace(`"price":1.0851`, `"price":"one"`)),
    message: /broker\.jsonl:3: field "price": expected a positive number .*got "one"/ },
  { name: "negative qty", journal: replaceLine(GOOD_JOURNAL, 1, GOOD_JOURNAL[1]!.replace(`"qty":1000`, `"qty":-5`)),
    message: /journal\.jsonl:2: field "qty": expected a positive number, got -5/ },
  { name: "side not buy or sell", journal: replaceLine(GOOD_JOURNAL, 1, GOOD_JOURNAL[1]!.replace(`"side":"buy"`, `"side":"long"`)),
    message: /journal\.jsonl:2: field "side": expected "buy" or "sell", got "long"/ },
  { name: "time going backwards", broker: replaceLine(GOOD_BROKER, 2, GOOD_BROKER[2]!.replace("08:00:02Z", "07:59:00Z")),
    message: /broker\.jsonl:3: field "ts": expected a time at or after the previous line's 2025-10-20T08:00:01Z/ },
  { name: "timestamp without a zone", broker: replaceLine(GOOD_BROKER, 1, GOOD_BROKER[1]!.replace("08:00:01Z", "08:00:01")),
    message: /broker\.jsonl:2: field "ts": expected an RFC 3339 timestamp such as .*Z or .*\+02:00, got "2025-10-20T08:00:01"/ },
  { name: "unknown type", broker: [...GOOD_BROKER, `{"type":"margin_call","ts":"2025-10-20T09:00:00Z","event_id":"E9"}`],
    message: /broker\.jsonl:4: field "type": expected one of order_accepted, fill, .*got "margin_call"/ },
  { name: "event_id repeated with different content",
    broker: [...GOOD_BROKER, GOOD_BROKER[2]!.replace(`"price":1.0851`, `"price":1.0852`).replace("08:00:02Z", "08:00:03Z")],
    message: /broker\.jsonl:4: field "event_id": expected a unique event_id, or a redelivery with identical content \(it was first seen on line 3/ },
  { name: "empty broker log", broker: [],
    message: /broker\.jsonl \(whole file\): field "\(file\)": expected at least one broker event \(an empty broker log proves nothing\)/ },
  { name: "a snapshot in the middle of a run", journal: [...GOOD_JOURNAL, `{"type":"snapshot","ts":"2025-10-20T09:00:00Z"}`],
    message: /journal\.jsonl:3: field "type": expected a snapshot only as the journal's first record or right after a restart/ },
  { name: "a 10 MB line", journal: [GOOD_JOURNAL[0]!, `{"type":"restart","ts":"2025-10-20T08:00:00Z","reason":"${"x".repeat(10 * 1024 * 1024)}"}`],
    message: /journal\.jsonl:2: field "\(line\)": expected a line of at most line_bytes_max=1048576 bytes/ },
];

function snapshotFolder(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((n) => [n, readFileSync(join(dir, n), "utf8")]));
}

describe("bad input: exit 65, a clear message, an untouched output folder", () => {
  let previous: Record<string, string>;
  let out: string;
  beforeAll(() => {
    // An output folder holding a previous run's artifacts and a file of the user's own.
    out = join(tempDir(), "out");
    expect(replayScenario("healthy", out).status).toBe(0);
    writeFileSync(join(out, "notes.txt"), "mine\n");
    previous = snapshotFolder(out);
  });

  for (const c of CASES) {
    it(`${c.name}: exit 65 naming file:line and field, artifacts untouched`, () => {
      const dir = tempDir();
      mkdirSync(dir, { recursive: true });
      const lines = (l: readonly string[]) => (l.length === 0 ? "" : l.join("\n") + "\n");
      writeFileSync(join(dir, "journal.jsonl"), lines(c.journal ?? GOOD_JOURNAL));
      writeFileSync(join(dir, "broker.jsonl"), lines(c.broker ?? GOOD_BROKER));
      const r = runCli(["replay", "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"), "--out", out]);
      expect(r.status, r.stderr).toBe(65);
      expect(r.stderr).toMatch(c.message);
      expect(r.stderr).toContain("no artifacts were written");
      expect(r.stderr.length).toBeLessThan(1000); // a message, not a dump of the 10 MB line
      expect(snapshotFolder(out)).toEqual(previous);
    });
  }

  it("the good inputs used above do replay (so each case fails for its own reason)", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "journal.jsonl"), GOOD_JOURNAL.join("\n") + "\n");
    writeFileSync(join(dir, "broker.jsonl"), GOOD_BROKER.join("\n") + "\n");
    const r = runCli(["replay", "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"), "--out", join(dir, "out")]);
    expect(r.status, r.stderr).toBe(0);
  });

  it("a config with an unknown key is a usage error (exit 2), artifacts untouched", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "journal.jsonl"), GOOD_JOURNAL.join("\n") + "\n");
    writeFileSync(join(dir, "broker.jsonl"), GOOD_BROKER.join("\n") + "\n");
    writeFileSync(join(dir, "config.json"), `{"reconcile_interval_s": 60}`);
    const r = runCli(["replay", "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"),
      "--config", join(dir, "config.json"), "--out", out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown key "reconcile_interval_s"/);
    expect(snapshotFolder(out)).toEqual(previous);
  });

  it("sessions that leave an hour uncovered are a config error naming the hours", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "journal.jsonl"), GOOD_JOURNAL.join("\n") + "\n");
    writeFileSync(join(dir, "broker.jsonl"), GOOD_BROKER.join("\n") + "\n");
    writeFileSync(join(dir, "config.json"), JSON.stringify({ sessions: [{ name: "day", start_hour: 0, end_hour: 22 }] }));
    const r = runCli(["replay", "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"),
      "--config", join(dir, "config.json"), "--out", join(dir, "out")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/sessions leave UTC hours 22, 23 in no session/);
  });

  it("a missing input file is an I/O error (exit 74)", () => {
    const dir = tempDir();
    const r = runCli(["replay", "--journal", join(dir, "nope.jsonl"), "--broker", join(dir, "nope2.jsonl"), "--out", join(dir, "out")]);
    expect(r.status).toBe(74);
    expect(r.stderr).toContain(`cannot read the journal ${join(dir, "nope.jsonl")}: no such file`);
  });
});
