// One limit, one meaning: line_bytes_max counts a line's bytes without its ending, so a file with
// CRLF endings holds the same lines as the same file with LF. And an empty input is said to be
// empty, naming the file: a replay refuses an empty journal or broker log (a proof over nothing
// must not pass); an import says so on stderr, and under --strict refuses.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LineReader } from "../../src/adapters/lines.js";
import { DataError } from "../../src/domain/errors.js";
import { runCli, SCENARIOS, tempDir } from "../helpers/cli.js";

const CHUNK_BYTES = 1 << 20; // LineReader's read size: a CR and its LF may fall in two reads

/** The lines a LineReader with the limit hands out, or the DataError it stops with. */
function readLines(bytes: string, lineBytesMax: number): string[] | DataError {
  const path = join(tempDir(), "journal.jsonl");
  writeFileSync(path, bytes);
  try {
    return [...new LineReader(path, "journal", lineBytesMax)].map((l) => l.text);
  } catch (err) {
    if (err instanceof DataError) return err;
    throw err;
  }
}

describe("line_bytes_max counts a line without its ending", () => {
  const max = 20;
  const longest = "x".repeat(max);
  const lines = ["a", longest, "b"];

  it("a file with LF endings and the same file with CRLF endings hold the same lines", () => {
    expect(readLines(lines.join("\n") + "\n", max)).toEqual(lines);
    expect(readLines(lines.join("\r\n") + "\r\n", max)).toEqual(lines);
  });

  it("the last line, with or without an ending", () => {
    expect(readLines(`a\r\n${longest}`, max)).toEqual(["a", longest]);
    expect(readLines(`a\r\n${longest}\r`, max)).toEqual(["a", longest]);
  });

  it("one byte more is refused either way, naming the line and the limit", () => {
    for (const ending of ["\n", "\r\n"]) {
      const refused = readLines(["a", longest + "y", "b"].join(ending) + ending, max);
      expect(refused).toBeInstanceOf(DataError);
      expect((refused as DataError).line).toBe(2);
      expect((refused as DataError).expected).toBe(`a line of at most line_bytes_max=${max} bytes (its ending not counted)`);
    }
  });

  it("a CR and its LF read in two pieces: the line is still as long as its text", () => {
    const line = "y".repeat(CHUNK_BYTES - 1); // with its CR, the first read holds exactly this line
    expect(readLines(`${line}\r\nz\r\n`, CHUNK_BYTES - 1)).toEqual([line, "z"]);
    expect(readLines(`${line}\n`, CHUNK_BYTES - 2)).toBeInstanceOf(DataError);
  });

  it("on the command line: the same replay from CRLF logs as from LF logs, at the limit", () => {
    const dir = tempDir();
    const journal = [`{"type":"snapshot","ts":"2025-10-20T07:00:00Z","open_orders":[],"positions":[]}`];
    const broker = [`{"type":"position_snapshot","ts":"2025-10-20T06:59:00Z","event_id":"E1","positions":[]}`];
    const limit = Math.max(journal[0]!.length, broker[0]!.length);
    writeFileSync(join(dir, "config.json"), JSON.stringify({ line_bytes_max: limit }));
    const replay = (ending: string) => {
      writeFileSync(join(dir, "journal.jsonl"), journal.join(ending) + ending);
      writeFileSync(join(dir, "broker.jsonl"), broker.join(ending) + ending);
      return runCli(["replay", "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"),
        "--config", join(dir, "config.json"), "--out", join(dir, "out")]);
    };
    expect(replay("\n").status).toBe(0);
    const crlf = replay("\r\n");
    expect(crlf.status, crlf.stderr).toBe(0);
  });
});

describe("an empty input is said to be empty, naming the file", () => {
  const good = join(SCENARIOS, "healthy");
  for (const [name, text] of [["an empty file", ""], ["a file of blank lines", "\n\r\n  \n"]] as const) {
    for (const log of ["journal", "broker"] as const) {
      it(`${name} as the ${log === "journal" ? "journal" : "broker log"}: exit 65, its path named`, () => {
        const dir = tempDir();
        const empty = join(dir, `${log}.jsonl`);
        writeFileSync(empty, text);
        const paths = { journal: join(good, "journal.jsonl"), broker: join(good, "broker.jsonl"), [log]: empty };
        const r = runCli(["replay", "--journal", paths.journal, "--broker", paths.broker, "--out", join(dir, "out")]);
        expect(r.status, r.stderr).toBe(65);
        expect(r.stderr).toContain(`bad input: ${empty} (whole file): field "(file)": expected at least one ${log === "journal" ? "journal record" : "broker event"}`);
        expect(r.stderr).toContain("no artifacts were written");
      });
    }
  }

  it("import: an empty export is said to be empty on stderr; the other files are imported", () => {
    const dir = tempDir();
    const empty = join(dir, "empty.jsonl");
    writeFileSync(empty, "");
    const r = runCli(["import", "oanda", empty, join(SCENARIOS, "..", "e2e", "oanda", "transactions-stream.jsonl")]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("recon-proof import: problem: empty.jsonl: the file is empty (nothing to import from it)");
    expect(r.stdout).not.toBe("");
  });

  it("import --strict: an empty export is an error (exit 65), nothing written", () => {
    const dir = tempDir();
    const empty = join(dir, "empty.jsonl");
    writeFileSync(empty, "\n");
    const r = runCli(["import", "oanda", "--strict", empty]);
    expect(r.status, r.stderr).toBe(65);
    expect(r.stderr).toContain("recon-proof import: error: empty.jsonl: the file is empty");
    expect(r.stdout).toBe("");
  });
});
