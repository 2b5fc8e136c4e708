// The replay does not keep every broker line's text for the redelivery check: it keeps where the
// line starts and reads the first delivery back from the file when an event id comes again. These
// run the CLI on files, so the reading-back (byte offsets, CRLF, a BOM, long lines) is what is tested.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LineReader, LineRecall } from "../src/adapters/lines.js";
import { runCli, tempDir } from "./helpers/cli.js";

const JOURNAL = [
  `{"type":"snapshot","ts":"2025-10-20T07:00:00Z","open_orders":[],"positions":[]}`,
  `{"type":"decision","ts":"2025-10-20T08:00:00Z","decision_id":"D1","client_order_id":"C1","symbol":"EURUSD","side":"buy","qty":1000,"ref_price":1.085}`,
];
const ACCEPT = `{"type":"order_accepted","ts":"2025-10-20T08:00:01Z","event_id":"E2","client_order_id":"C1","broker_order_id":"B1","symbol":"EURUSD","side":"buy","qty":1000}`;
const FILL = `{"type":"fill","ts":"2025-10-20T08:00:02Z","event_id":"E3","client_order_id":"C1","broker_order_id":"B1","symbol":"EURUSD","side":"buy","qty":1000,"price":1.0851,"note":"${"x".repeat(9000)}"}`;
const FILL_REORDERED = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(FILL) as object).reverse())).replace("2025-10-20T08:00:02Z", "2025-10-20T08:00:03Z");

function replay(broker: string, eol = "\n"): { status: number; stderr: string; summary: string } {
  const dir = tempDir();
  writeFileSync(join(dir, "journal.jsonl"), JOURNAL.join("\n") + "\n");
  writeFileSync(join(dir, "broker.jsonl"), broker.split("\n").join(eol) + eol);
  const r = runCli(["replay", "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"), "--out", join(dir, "out")]);
  let summary = "";
  try {
    summary = readFileSync(join(dir, "out", "summary.txt"), "utf8");
  } catch { /* no artifacts: bad input */ }
  return { status: r.status, stderr: r.stderr, summary };
}

describe("redelivery check reads first deliveries back from the broker file", () => {
  it("a redelivery with its keys in another order is the same content: counted, nothing else (LF and CRLF files)", () => {
    // Same fields and values, keys reversed: different bytes, same content.
    const same = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(FILL) as object).reverse()));
    for (const eol of ["\n", "\r\n"]) {
      const r = replay([ACCEPT, FILL, same].join("\n"), eol);
      expect(r.status, r.stderr).toBe(0);
      expect(r.summary).toContain("duplicate_deliveries=1");
      expect(r.summary).toContain("fills=1");
    }
  });

  it("a redelivery with different content is a conflict that names both lines (exit 65)", () => {
    const r = replay([ACCEPT, FILL, FILL_REORDERED].join("\n"));
    expect(r.status).toBe(65);
    expect(r.stderr).toMatch(/broker\.jsonl:3: field "event_id": .*first seen on line 2 with different content/);
  });

  it("LineRecall returns exactly the text LineReader yielded, at every offset (BOM, CRLF, a blank line, a long line)", () => {
    const dir = tempDir();
    const path = join(dir, "b.jsonl");
    writeFileSync(path, "\ufeff" + ["{\"a\":1}", "", "{\"b\":\"" + "y".repeat(20000) + "\"}", "{\"c\":3}"].join("\r\n") + "\r\n{\"d\":4}");
    const recall = new LineRecall(path, "broker", 1 << 20);
    const lines = [...new LineReader(path, "broker", 1 << 20)];
    expect(lines.map((l) => l.line)).toEqual([1, 3, 4, 5]);
    for (const l of lines) {
      expect(recall.text(l.offset)).toBe(l.text);
      expect(recall.line(l.offset)).toBe(l.line);
    }
    recall.close();
  });
});
