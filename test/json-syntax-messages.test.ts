// Text that is not JSON, in a file recon-proof reads back (reconcile-report.json, a shard's
// shard.json and groups.jsonl), is named in recon-proof's own words with line and column: the same
// message on every Node version, never the runtime's JSON.parse wording passed through.

import { describe, expect, it } from "vitest";
import { parseJsonText } from "../src/artifacts/read.js";
import { DataError } from "../src/domain/errors.js";
import { parseGroupLine, parseShardManifest } from "../src/shard/codec.js";

function refusal(parse: () => unknown): DataError {
  try {
    parse();
  } catch (err) {
    if (err instanceof DataError) return err;
    throw err;
  }
  throw new Error("the text was accepted");
}

const CUT_SHORT = `{\n  "schema_version": 2,\n  "tool": {\n    "name": "recon-proof",\n`;
const TRAILING_COMMA = `{\n  "format": "recon-proof-shard",\n  "groups": 3,\n}\n`;

describe("JSON syntax errors are described by line and column in the product's words", () => {
  it("reconcile-report.json cut short: the line and column where the text ends", () => {
    const e = refusal(() => parseJsonText(CUT_SHORT, "reconcile-report.json"));
    expect(e.describe("reconcile-report.json")).toBe(
      `reconcile-report.json:5: field "(json)": expected well-formed JSON, got text that is not JSON at column 1: expected a key in double quotes, got the end of the text`);
  });

  it("shard.json with a trailing comma: the line of the comma's object end and what to do", () => {
    const e = refusal(() => parseShardManifest(TRAILING_COMMA));
    expect(e.describe("shard.json")).toBe(
      `shard.json:3: field "(file)": expected the JSON written by \`replay --shard\`, got text that is not JSON at column 14: a trailing comma before "}": JSON allows none (remove the comma)`);
  });

  it("a groups.jsonl line that is not JSON: its column", () => {
    const e = refusal(() => parseGroupLine(`{"seq": 1, "findings": [}`, 7));
    expect(e.describe("groups.jsonl")).toBe(
      `groups.jsonl:7: field "(line)": expected one JSON group written by \`replay --shard\`, got text that is not JSON at column 25: expected a value (an object, array, string, number, true, false or null), got "}"`);
  });

  it("no message carries the runtime's own JSON.parse wording", () => {
    const messages = [
      refusal(() => parseJsonText(CUT_SHORT, "reconcile-report.json")).describe("r"),
      refusal(() => parseShardManifest(TRAILING_COMMA)).describe("s"),
      refusal(() => parseGroupLine("nope", 1)).describe("g"),
    ];
    for (const m of messages) expect(m).not.toMatch(/Unexpected|position \d|is not valid JSON|in JSON at/);
  });
});
