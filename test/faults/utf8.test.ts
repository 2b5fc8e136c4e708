// Input that is not valid UTF-8 is bad input (exit 65, file:line and the byte offset). Decoding it
// with replacement characters made two different byte ids one order.

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";

const JOURNAL = [
  `{"type":"snapshot","ts":"2025-10-20T07:00:00Z","open_orders":[],"positions":[]}`,
  `{"type":"decision","ts":"2025-10-20T08:00:00Z","decision_id":"D1","client_order_id":"C-\u00ff","symbol":"EURUSD","side":"buy","qty":1000,"ref_price":1.085}`,
];
const BROKER = [
  `{"type":"position_snapshot","ts":"2025-10-20T06:59:00Z","event_id":"E1","positions":[]}`,
  `{"type":"fill","ts":"2025-10-20T08:00:02Z","event_id":"E3","client_order_id":"C-\u00fe","broker_order_id":"B1","symbol":"EURUSD","side":"buy","qty":1000,"price":1.0851}`,
];

/** The lines as UTF-8, except that each "\u00ff"/"\u00fe" becomes that single raw byte (invalid UTF-8). */
function withRawBytes(lines: readonly string[]): Buffer {
  const parts = lines.join("\n").split(/([\u00fe\u00ff])/);
  return Buffer.concat(parts.map((p) => (p === "\u00ff" ? Buffer.from([0xff]) : p === "\u00fe" ? Buffer.from([0xfe]) : Buffer.from(p, "utf8"))));
}

describe("input that is not valid UTF-8", () => {
  it("is refused with exit 65, file:line and the byte offset; the output folder is untouched", () => {
    const dir = tempDir();
    const journal = join(dir, "journal.jsonl");
    const broker = join(dir, "broker.jsonl");
    writeFileSync(journal, withRawBytes(JOURNAL));
    writeFileSync(broker, withRawBytes(BROKER));
    const out = join(dir, "out");
    mkdirSync(out);
    writeFileSync(join(out, "mine.txt"), "kept");
    const r = runCli(["replay", "--journal", journal, "--broker", broker, "--out", out, "--adopt-out"]);
    expect(r.status, r.stderr).toBe(65);
    // Before this was refused, both ids decoded to "C-\uFFFD" and the fill matched the decision.
    // The broker's line 2 is read first (event-time merge pulls the broker's next line after 06:59).
    const offset = Buffer.from(BROKER[0]! + "\n" + BROKER[1]!.slice(0, BROKER[1]!.indexOf("\u00fe")), "utf8").length;
    expect(r.stderr).toContain(`broker.jsonl:2: field "(line)": expected UTF-8 text, got the byte 0xfe at byte offset ${offset}`);
    expect(readdirSync(out)).toEqual(["mine.txt"]);
    expect(readFileSync(join(out, "mine.txt"), "utf8")).toBe("kept");
  });

  it("a truncated multi-byte sequence at the end of the file is refused too", () => {
    const dir = tempDir();
    const journal = join(dir, "journal.jsonl");
    writeFileSync(journal, Buffer.concat([Buffer.from(JOURNAL.map((l) => l.replace("\u00ff", "1")).join("\n") + "\n" + `{"type":"restart","ts":"2025-10-20T09:00:00Z","reason":"`, "utf8"), Buffer.from([0xe2, 0x82])]));
    const broker = join(dir, "broker.jsonl");
    writeFileSync(broker, BROKER.map((l) => l.replace("\u00fe", "1")).join("\n") + "\n");
    const r = runCli(["replay", "--journal", journal, "--broker", broker, "--out", join(dir, "out")]);
    expect(r.status, r.stderr).toBe(65);
    expect(r.stderr).toMatch(/journal\.jsonl:3: field "\(line\)": expected UTF-8 text, got the byte 0xe2 at byte offset \d+/);
  });

  it("a string holding an unpaired surrogate escape (\\ud800) is refused; a pair (an emoji) is text", () => {
    // Valid UTF-8 bytes, but the JSON escape decodes to half a character, which UTF-8 cannot hold:
    // the id stored in the cache or written to trades.csv would differ from the id read.
    const dir = tempDir();
    const journal = join(dir, "journal.jsonl");
    const broker = join(dir, "broker.jsonl");
    const lines = (id: string) => {
      writeFileSync(journal, JOURNAL.map((l) => l.replace("C-\u00ff", id)).join("\n") + "\n");
      writeFileSync(broker, BROKER.map((l) => l.replace("C-\u00fe", id)).join("\n") + "\n");
    };
    lines("C-\\ud800");
    const r = runCli(["replay", "--journal", journal, "--broker", broker, "--out", join(dir, "out")]);
    expect(r.status, r.stderr).toBe(65);
    // The broker's line 2 is read first (as above).
    expect(r.stderr).toContain(`broker.jsonl:2: field "client_order_id": expected text (no unpaired surrogate escape such as \\ud800), got "C-\\ud800"`);
    lines("C-\\ud83d\\ude00");
    const ok = runCli(["replay", "--journal", journal, "--broker", broker, "--out", join(dir, "ok")]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(readFileSync(join(dir, "ok", "trades.csv"), "utf8")).toContain("C-\u{1F600}");
  });
});
