// The line reader against the plainest reading of a file that could be: the whole file split at LF,
// one CR of a CRLF ending dropped, a BOM dropped from line 1, blank lines skipped, a line over the
// limit or not UTF-8 refused at its line. Files are large enough to cross many read chunks, with
// long lines, non-ASCII text, CR, blank lines and bad bytes where fast-check puts them.

import fc from "fast-check";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LineReader } from "../src/adapters/lines.js";
import { DataError } from "../src/domain/errors.js";
import { tempDir } from "./helpers/cli.js";

const NUM_RUNS = Number(process.env["NUM_RUNS"] ?? 25);
const SEED = process.env["FC_SEED"] === undefined ? undefined : Number(process.env["FC_SEED"]);

type Read = { lines: Array<{ text: string; line: number; offset: number }>; error: string | null; count: number };

/** The reference: everything in memory, one line at a time. */
function plainRead(bytes: Buffer, lineBytesMax: number): Read {
  const lines: Read["lines"] = [];
  let offset = 0;
  let lineNo = 0;
  const pieces: Buffer[] = [];
  for (let at = 0; at <= bytes.length;) {
    const nl = bytes.indexOf(0x0a, at);
    const end = nl === -1 ? bytes.length : nl;
    if (nl === -1 && end === at) break; // no line after the last LF
    pieces.push(bytes.subarray(at, end));
    at = end + 1;
  }
  for (const piece of pieces) {
    lineNo += 1;
    const body = piece.length > 0 && piece[piece.length - 1] === 0x0d ? piece.subarray(0, -1) : piece;
    if (body.length > lineBytesMax) return { lines, error: `${lineNo}:(line):length`, count: lineNo };
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(body);
    } catch {
      return { lines, error: `${lineNo}:(line):utf8`, count: lineNo };
    }
    if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.trim() !== "") lines.push({ text, line: lineNo, offset });
    offset += piece.length + 1;
  }
  return { lines, error: null, count: lineNo };
}

function readerRead(path: string, lineBytesMax: number): Read {
  const reader = new LineReader(path, "broker", lineBytesMax);
  const lines: Read["lines"] = [];
  try {
    for (const l of reader) lines.push({ text: l.text, line: l.line, offset: l.offset });
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    const kind = err.expected?.includes("UTF-8") === true ? "utf8" : "length";
    return { lines, error: `${err.line}:${err.field}:${kind}`, count: err.line };
  }
  return { lines, error: null, count: reader.lines };
}

/** `n` bytes of a–z that never repeat a read chunk's bytes in the next chunk (a chunk kept past the next read would show). */
function longLine(n: number, phase: number): Buffer {
  const pattern = Buffer.from(Array.from({ length: 27 }, (_v, i) => 0x61 + ((i * 7 + phase) % 26)));
  return Buffer.alloc(n, pattern); // 27 bytes a period: never a divisor of a chunk's size
}

const piece = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: fc.constantFrom(..."abcXYZ{}\":,0123456789 "), minLength: 1, maxLength: 400 }).map((s) => Buffer.from(s, "latin1")) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 60 }).map((s) => Buffer.from(s, "utf8")) },
  { weight: 1, arbitrary: fc.constantFrom(Buffer.from("\r"), Buffer.from(" \t "), Buffer.from("\u00a0", "utf8"), Buffer.from("\ufeff", "utf8")) },
  { weight: 1, arbitrary: fc.constantFrom(Buffer.from([0xc3]), Buffer.from([0xff]), Buffer.from([0xed, 0xa0, 0x80])) },
);
const line = fc.array(piece, { maxLength: 4, size: "max" }).map((parts) => Buffer.concat(parts));
// Lines longer than a read chunk (up to three and a half of them), a few a file, anywhere in it.
const long = fc.record({ n: fc.integer({ min: 20_000, max: 3_600_000 }), phase: fc.nat(25), at: fc.nat() })
  .map(({ n, phase, at }) => ({ bytes: longLine(n, phase), at }));
const file = fc.record({
  lines: fc.array(line, { minLength: 0, maxLength: 600, size: "max" }),
  longs: fc.array(long, { maxLength: 2 }),
  endsInNewline: fc.boolean(),
  lineBytesMax: fc.constantFrom(100_000, 1_048_576, 4_000_000),
}).map(({ lines, longs, endsInNewline, lineBytesMax }) => {
  const all = [...lines];
  for (const { bytes, at } of longs) all.splice(at % (all.length + 1), 0, bytes);
  const body = Buffer.concat(all.flatMap((l, i) => (i < all.length - 1 || endsInNewline ? [l, Buffer.from("\n")] : [l])));
  return { bytes: body, lineBytesMax };
});

describe("LineReader", () => {
  const dir = tempDir("recon-proof-lines-");

  it(`prop_LineReader_equals_a_plain_split (seed ${SEED ?? "random"}): the same lines, numbers, offsets, the same refusal`, () => {
    let n = 0;
    fc.assert(fc.property(file, ({ bytes, lineBytesMax }) => {
      const path = join(dir, `f${n++}.jsonl`);
      writeFileSync(path, bytes);
      const got = readerRead(path, lineBytesMax);
      const want = plainRead(bytes, lineBytesMax);
      expect(got.error).toBe(want.error);
      if (want.error === null) {
        expect(got.lines).toEqual(want.lines);
        expect(got.count).toBe(want.count);
      } else {
        // Lines before the refused one were handed out as the plain reading has them.
        expect(got.lines).toEqual(want.lines);
      }
    }), { numRuns: NUM_RUNS, seed: SEED });
  }, 120_000);

  it("a line longer than three read chunks, between short ones, reads back whole", () => {
    const bytes = Buffer.concat([Buffer.from("{\"a\":1}\n"), longLine(3_500_000, 3), Buffer.from("\n{\"b\":2}\n")]);
    const path = join(dir, "long.jsonl");
    writeFileSync(path, bytes);
    expect(readerRead(path, 4_000_000)).toEqual(plainRead(bytes, 4_000_000));
  });

  it("an ASCII file crossing many chunks, with CRLF endings and blank lines, reads as the plain split does", () => {
    const lines = Array.from({ length: 5000 }, (_v, i) => (i % 97 === 0 ? "" : i % 89 === 0 ? "   " : `{"n":${i},"pad":"${"x".repeat(i % 300)}"}`));
    const bytes = Buffer.from(lines.join("\r\n") + "\r\n", "latin1");
    const path = join(dir, "crlf.jsonl");
    writeFileSync(path, bytes);
    expect(readerRead(path, 1_048_576)).toEqual(plainRead(bytes, 1_048_576));
  });
});
