// The library gives what the command line gives: the same artifact bytes for every bundled
// scenario, whether it is handed the files' paths or their text, and bad input as a typed error
// carrying the parts of the command line's exit-65 message.

import { spawnSync } from "node:child_process";
import { copyFileSync, createReadStream, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { PassThrough, Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { SqliteCacheStore } from "../src/adapters/cache/store.js";
import { BadInputError, ConfigError, importRecords, type InputSource, IoError, merge, replay, verify } from "../src/index.js";
import { ARTIFACTS, readArtifacts, REPO, replayScenario, runCli, SCENARIOS, scenarioNames, tempDir } from "./helpers/cli.js";

/** The scenario's cache.db, copied (a replay writes its cache), or none. */
function cacheCopy(dir: string): string | undefined {
  if (!existsSync(join(dir, "cache.db"))) return undefined;
  const copy = join(tempDir(), "cache.db");
  copyFileSync(join(dir, "cache.db"), copy);
  return copy;
}

const texts = (a: Record<string, Buffer>): Record<string, string> => Object.fromEntries(ARTIFACTS.map((n) => [n, a[n]!.toString("utf8")]));

describe("replay() gives the command line's bytes for every bundled scenario", () => {
  for (const name of scenarioNames()) {
    it(`${name}: from paths and from the files' text, byte for byte what \`replay --out\` writes`, async () => {
      const dir = join(SCENARIOS, name);
      const out = join(tempDir(), "out");
      const cli = replayScenario(name, out);
      expect([0, 3], cli.stderr).toContain(cli.status);
      const expected = readArtifacts(out);
      const files = { journal: join(dir, "journal.jsonl"), broker: join(dir, "broker.jsonl"), config: join(dir, "config.json") };
      const fromPaths = await replay({ ...files, cache: cacheCopy(dir) });
      expect(texts(fromPaths.artifacts)).toEqual(expected);
      expect(fromPaths.exitCode).toBe(cli.status);
      expect(fromPaths.healthy).toBe(cli.status === 0);
      expect(fromPaths.report).toEqual(JSON.parse(expected["reconcile-report.json"]!));
      const inMemory = (p: string) => ({ text: readFileSync(p, "utf8"), name: p.split("/").pop()! });
      const fromText = await replay({ journal: inMemory(files.journal), broker: inMemory(files.broker), config: inMemory(files.config), cache: cacheCopy(dir) });
      expect(texts(fromText.artifacts)).toEqual(expected);
    });
  }
});

const JOURNAL = [
  JSON.stringify({ type: "snapshot", ts: "2025-10-20T09:00:00Z", open_orders: [], positions: [] }),
];
const BROKER = [
  JSON.stringify({ type: "position_snapshot", ts: "2025-10-20T09:00:00Z", event_id: "b1", positions: [] }),
];

async function* asyncLines(lines: readonly string[]): AsyncGenerator<string> {
  for (const line of lines) yield line;
}

describe("replay() reads lines given in memory", () => {
  it("an array and an async iterable of lines give the bytes of the file that holds those lines", async () => {
    const scratch = tempDir();
    const write = (n: string, lines: readonly string[]) => {
      const p = join(scratch, n);
      writeFileSync(p, lines.map((l) => l + "\n").join(""));
      return p;
    };
    const fromFiles = await replay({ journal: write("journal.jsonl", JOURNAL), broker: write("broker.jsonl", BROKER) });
    const fromLines = await replay({ journal: JOURNAL, broker: asyncLines(BROKER) });
    expect(texts(fromLines.artifacts)).toEqual(texts(fromFiles.artifacts));
    expect(fromLines.healthy).toBe(true);
  });

  it("readline interfaces over files larger than a stream's first read give every line, as the files' paths do", async () => {
    const dir = join(tempDir(), "gen");
    expect(runCli(["gen", "--seed", "7", "--events", "1500", "--out", dir]).status).toBe(0);
    const files = { journal: join(dir, "journal.jsonl"), broker: join(dir, "broker.jsonl") };
    for (const path of Object.values(files)) expect(readFileSync(path).length).toBeGreaterThan(64 * 1024);
    const readLines = (path: string) => createInterface({ input: createReadStream(path), crlfDelay: Infinity });
    const fromPaths = await replay({ ...files, config: join(dir, "config.json") });
    const fromReadline = await replay({ journal: readLines(files.journal), broker: readLines(files.broker), config: join(dir, "config.json") });
    expect(fromReadline.report.inputs).toEqual(fromPaths.report.inputs);
    expect(texts(fromReadline.artifacts)).toEqual(texts(fromPaths.artifacts));
  });

  it("lines are the bytes of a file holding them with LF endings; a CRLF file or one without a final line break keeps its bytes only as { text } or its path", async () => {
    const scratch = tempDir();
    const broker = join(scratch, "broker.jsonl");
    writeFileSync(broker, `${BROKER[0]!}\n`);
    const sha = async (journal: InputSource) => (await replay({ journal, broker })).report.inputs.journal.sha256;
    const lfFile = join(scratch, "lf.jsonl");
    writeFileSync(lfFile, JOURNAL.map((l) => l + "\n").join(""));
    expect(await sha(JOURNAL)).toBe(await sha(lfFile));
    for (const bytes of [JOURNAL.map((l) => l + "\r\n").join(""), JOURNAL.join("\n")]) {
      const file = join(scratch, "other.jsonl");
      writeFileSync(file, bytes);
      const fromFile = await sha(file);
      expect(await sha({ text: readFileSync(file) })).toBe(fromFile);
      expect(await sha(JOURNAL)).not.toBe(fromFile);
    }
  });

  it("when one input fails while it is read, a readline interface given for another is closed", async () => {
    // A stream that never ends (a live feed): only the replay can close the interface over it.
    const feed = new PassThrough();
    feed.write(`${BROKER[0]!}\n`);
    const lines = createInterface({ input: feed, crlfDelay: Infinity });
    const closed = new Promise<string>((resolve) => lines.once("close", () => resolve("closed")));
    async function* failing(): AsyncGenerator<string> {
      yield JOURNAL[0]!;
      throw new Error("the cursor died");
    }
    await expect(replay({ journal: failing(), broker: lines })).rejects.toThrow("the cursor died");
    const waited = new Promise<string>((resolve) => setTimeout(() => resolve("still open"), 2000));
    expect(await Promise.race([closed, waited])).toBe("closed");
  });

  it("a line that is refused is named by its number among the lines given", async () => {
    const three = [JOURNAL[0]!, JOURNAL[0]!, `${JOURNAL[0]!}\n${JOURNAL[0]!}`];
    await expect(replay({ journal: three, broker: BROKER })).rejects.toThrow(/^journal\.jsonl: line 3 holds a line break/);
    await expect(replay({ journal: [JOURNAL[0]!, 42 as unknown as string], broker: BROKER })).rejects.toThrow(/^journal\.jsonl: line 2 is a number/);
  });
});

describe("replay() throws typed errors, never exits", () => {
  it("bad input: BadInputError with the file, line, field and expected of the command line's exit-65 message", async () => {
    const bad = [...JOURNAL, JSON.stringify({ type: "decision", ts: "2025-10-20T09:00:01Z" })];
    const err = await replay({ journal: { lines: bad, name: "engine.jsonl" }, broker: BROKER }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadInputError);
    const e = err as BadInputError;
    expect({ file: e.file, line: e.line, exitCode: e.exitCode }).toEqual({ file: "engine.jsonl", line: 2, exitCode: 65 });
    expect(e.message).toBe(`bad input: engine.jsonl:2: field "${e.field}": expected ${e.expected}${e.got === undefined ? "" : `, got ${e.got}`}`);

    const scratch = tempDir();
    const journal = join(scratch, "engine.jsonl");
    writeFileSync(journal, bad.join("\n") + "\n");
    const broker = join(scratch, "broker.jsonl");
    writeFileSync(broker, BROKER.join("\n") + "\n");
    const cli = runCli(["replay", "--journal", journal, "--broker", broker, "--out", join(scratch, "out")]);
    expect(cli.status).toBe(65);
    expect(cli.stderr).toContain(`recon-proof: ${e.message}\n`);
  });

  it("an input in a form replay() does not take (null, a number, a stream of bytes): ConfigError saying what it takes", async () => {
    const stream = Readable.from([Buffer.from(`${JOURNAL[0]!}\n`)]);
    for (const journal of [null, 5, {}, stream] as unknown as InputSource[]) {
      const err = await replay({ journal, broker: BROKER }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/give a file's path .*\{ text \}.*lines as strings.*a readline interface/);
    }
  });

  it("an input given in memory under a path-like name is named by its base name, in the report and in errors", async () => {
    const ok = await replay({ journal: { lines: JOURNAL, name: "logs/engine.jsonl" }, broker: { text: `${BROKER[0]!}\n`, name: "logs/broker.jsonl" } });
    expect([ok.report.inputs.journal.name, ok.report.inputs.broker.name]).toEqual(["engine.jsonl", "broker.jsonl"]);
    const bad = [...JOURNAL, JSON.stringify({ type: "decision", ts: "2025-10-20T09:00:01Z" })];
    const err = await replay({ journal: { lines: bad, name: "logs/engine.jsonl" }, broker: BROKER }).catch((e: unknown) => e);
    expect((err as BadInputError).file).toBe("engine.jsonl");
  });

  it("a config that is not JSON: ConfigError naming the config and where", async () => {
    const err = await replay({ journal: JOURNAL, broker: BROKER, config: { text: "{\n  \"drift_tolerance_pips\": 0.5,\n}\n", name: "risk.json" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(`config risk.json:2:30: not valid JSON: a trailing comma before "}": JSON allows none (remove the comma)`);
  });

  it("a cache that cannot record the finished replay: the result with a warning saying so, and the same replay run again finishes recording it", async () => {
    const dir = join(SCENARIOS, "orphan-manual-trade");
    const files = { journal: join(dir, "journal.jsonl"), broker: join(dir, "broker.jsonl"), config: join(dir, "config.json") };
    const cache = join(tempDir(), "cache.db");
    expect(runCli(["cache", "init", cache]).status).toBe(0);
    const failing = vi.spyOn(SqliteCacheStore.prototype, "commit").mockImplementationOnce(function (this: SqliteCacheStore) {
      this.close();
      throw new IoError("cannot commit the order-id cache: disk I/O error");
    });
    try {
      const first = await replay({ ...files, cache });
      expect(first.warnings).toEqual(["cannot commit the order-id cache: disk I/O error (the result stands; the same replay run again with this cache finishes recording it)"]);
      const again = await replay({ ...files, cache });
      expect(again.warnings).toEqual([]);
      expect(texts(again.artifacts)).toEqual(texts(first.artifacts));
    } finally {
      failing.mockRestore();
    }
  });

  it("a log that does not exist: IoError naming it", async () => {
    const err = await replay({ journal: join(tempDir(), "missing.jsonl"), broker: BROKER }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as Error).message).toMatch(/cannot read the journal .*missing\.jsonl: no such file/);
  });
});

describe("importing the library", () => {
  it("changes no environment variable and reads none that can make the import fail", () => {
    const env: NodeJS.ProcessEnv = { ...process.env, RECON_PROOF_TEST_FAULT: "not a fault" };
    delete env["SQLITE_USE_URI"];
    const entry = JSON.stringify(pathToFileURL(join(REPO, "dist", "index.js")).href);
    const code = `const lib = await import(${entry}); console.log(typeof lib.replay, process.env.SQLITE_USE_URI ?? "unset");`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { env, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("function unset\n");
  });
});

/** docs/library.md's examples: each ```js block, and the ```text block after it that says what it prints. */
function docExamples(): { line: number; code: string; prints: string | null }[] {
  const lines = readFileSync(join(REPO, "docs", "library.md"), "utf8").split("\n");
  const blocks: { line: number; lang: string; body: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\w+)$/.exec(lines[i]!);
    if (fence === null) continue;
    const end = lines.findIndex((l, j) => j > i && l === "```");
    blocks.push({ line: i + 1, lang: fence[1]!, body: lines.slice(i + 1, end).join("\n") + "\n" });
    i = end;
  }
  return blocks.flatMap((b, k) => (b.lang !== "js" ? [] : [{ line: b.line, code: b.body, prints: blocks[k + 1]?.lang === "text" ? blocks[k + 1]!.body : null }]));
}

describe("docs/library.md: every example runs as shown and prints what the page says", () => {
  const examples = docExamples();
  it("the page has examples", () => expect(examples.length).toBeGreaterThanOrEqual(3));
  for (const ex of examples) {
    it(`the example at docs/library.md:${ex.line}`, () => {
      // A reader's project: the package installed (here, linked), the repository's fixtures at hand.
      const project = tempDir();
      mkdirSync(join(project, "node_modules"));
      symlinkSync(REPO, join(project, "node_modules", "recon-proof"));
      symlinkSync(join(REPO, "fixtures"), join(project, "fixtures"));
      writeFileSync(join(project, "example.mjs"), ex.code);
      const r = spawnSync(process.execPath, ["example.mjs"], { cwd: project, encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      if (ex.prints !== null) expect(r.stdout).toBe(ex.prints);
    });
  }
});

describe("verify() checks as `recon-proof verify` checks", () => {
  it("a scenario's artifacts, in memory and in a folder, against its expect.txt and against one that fails: the command's verdict and counts", async () => {
    const dir = join(SCENARIOS, "orphan-manual-trade");
    const files = { journal: join(dir, "journal.jsonl"), broker: join(dir, "broker.jsonl"), config: join(dir, "config.json") };
    const result = await replay(files);
    const out = join(tempDir(), "out");
    expect(replayScenario("orphan-manual-trade", out).status).toBe(3);
    const failing = join(tempDir(), "expect.txt");
    writeFileSync(failing, "exit: 3\nsummary.txt: orphan=0\nmetrics.txt: = recon_kill_switch 1\n");
    for (const expectFile of [join(dir, "expect.txt"), failing]) {
      const cli = runCli(["verify", "--artifacts", out, "--expect", expectFile, "--exit-code", "3", "--json"]);
      const doc = JSON.parse(cli.stdout) as { passed: boolean; counts: { criteria: number; failed: number } };
      for (const artifacts of [result.artifacts, out]) {
        const lib = verify({ artifacts, expect: expectFile, exitCode: result.exitCode });
        expect(lib.passed).toBe(doc.passed);
        expect(cli.status).toBe(doc.passed ? 0 : 1);
        expect({ criteria: lib.criteria.length, failed: lib.criteria.filter((c) => !c.pass).length }).toEqual(doc.counts);
      }
    }
  });

  it("a malformed expect.txt: ConfigError naming its line", () => {
    expect(() => verify({ artifacts: {}, expect: { text: "exit: 0\nnonsense\n", name: "mine.txt" } })).toThrow(ConfigError);
    expect(() => verify({ artifacts: {}, expect: { text: "exit: 0\nnonsense\n", name: "mine.txt" } })).toThrow(/mine\.txt:2/);
  });
});

describe("importRecords() converts as `recon-proof import` converts", () => {
  for (const source of ["oanda", "alpaca"] as const) {
    it(`${source}: the lines the command writes on stdout, and its --instruments file`, async () => {
      const file = join(REPO, "fixtures", "e2e", source, source === "oanda" ? "transactions-stream.jsonl" : "trade_updates.jsonl");
      const instruments = join(tempDir(), "instruments.json");
      const cli = runCli(["import", source, "--instruments", instruments, file]);
      expect(cli.status, cli.stderr).toBe(0);
      const lib = importRecords({ source, files: [file] });
      expect(lib.kind).toBe("broker");
      expect(lib.lines.map((l) => l + "\n").join("")).toBe(cli.stdout);
      expect(lib.instrumentsJson).toBe(readFileSync(instruments, "utf8"));
      expect(lib.nothingImported).toBe(false);
      // The lines replay as the file the command wrote would (the OANDA sample's FX pairs need no config).
      if (source !== "oanda") return;
      const journal = join(REPO, "fixtures", "e2e", source, "journal.jsonl");
      const written = join(tempDir(), "broker.jsonl");
      writeFileSync(written, cli.stdout);
      const fromFile = await replay({ journal, broker: written });
      const fromLines = await replay({ journal, broker: lib.lines });
      expect(texts(fromLines.artifacts)).toEqual(texts(fromFile.artifacts));
    });
  }

  it("a file that cannot be read: IoError; an unknown source: ConfigError", () => {
    expect(() => importRecords({ source: "oanda", files: [join(tempDir(), "none.jsonl")] })).toThrow(IoError);
    expect(() => importRecords({ source: "nope" as "oanda", files: [] })).toThrow(ConfigError);
  });
});

describe("merge() combines shard folders as `recon-proof merge` does", () => {
  it("no shard folders: a ConfigError worded for merge()'s options, not the command line's", () => {
    for (const shards of [[], undefined, [5]] as unknown as string[][]) {
      expect(() => merge({ shards })).toThrow(ConfigError);
      expect(() => merge({ shards })).toThrow(/^merge\(\) needs the shard folders: merge\(\{ shards: /);
    }
  });

  it("two shards of a scenario merge into the unsharded replay's bytes; a changed shard file is a BadInputError naming its path", async () => {
    const dir = join(SCENARIOS, "symbol-cap-breach");
    const inputs = ["--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"), "--config", join(dir, "config.json")];
    const scratch = tempDir();
    const shards = ["1/2", "2/2"].map((spec, i) => {
      const out = join(scratch, `shard-${i + 1}`);
      const r = runCli(["replay", ...inputs, "--shard", spec, "--out", out]);
      expect(r.status, r.stderr).toBe(0);
      return out;
    });
    const whole = join(scratch, "whole");
    const cli = runCli(["replay", ...inputs, "--out", whole]);
    const merged = merge({ shards });
    expect(texts(merged.artifacts)).toEqual(readArtifacts(whole));
    expect(merged.exitCode).toBe(cli.status);

    const groups = join(shards[0]!, "groups.jsonl");
    writeFileSync(groups, readFileSync(groups, "utf8").replace(/\n$/, "").replace(/}$/, ""));
    const err = (() => {
      try {
        merge({ shards });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as BadInputError).message).toContain(groups);
  });
});
