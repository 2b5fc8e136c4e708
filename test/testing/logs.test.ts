// Recorded logs read by the testing entry point are read as the command line reads them: a refused
// line is named by its file and its line in that file, a leading BOM is dropped, and the config goes
// through the command line's own loader.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BadInputError, ConfigError } from "../../src/index.js";
import { faultArbitrary, injectFault, loadLogs, replayLogs } from "../../src/testing/index.js";
import { runCli, SCENARIOS, tempDir } from "../helpers/cli.js";

const HEALTHY = join(SCENARIOS, "healthy");

/** A folder with the healthy scenario's logs (under other names) and config, the journal's text changed by `edit`. */
function incident(edit: (lines: string[]) => string[], prefix = ""): string {
  const dir = tempDir();
  const journal = readFileSync(join(HEALTHY, "journal.jsonl"), "utf8").split("\n");
  writeFileSync(join(dir, "engine.jsonl"), prefix + edit(journal).join("\n"));
  writeFileSync(join(dir, "venue.jsonl"), readFileSync(join(HEALTHY, "broker.jsonl")));
  writeFileSync(join(dir, "config.json"), readFileSync(join(HEALTHY, "config.json")));
  return dir;
}

const NAMES = { journal: "engine.jsonl", broker: "venue.jsonl" };

/** What the command line says of the folder's logs on stderr (its first line). */
const cliSays = (dir: string) => runCli(["replay", "--journal", "engine.jsonl", "--broker", "venue.jsonl", "--out", "out"], {}, dir).stderr.split("\n")[0]!;

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error("nothing was thrown");
};

describe("loadLogs and the checks name a refused line as the command line does", () => {
  // A blank line 2 and a line 3 that is not JSON.
  const dir = incident((l) => [l[0]!, "", "{not json", ...l.slice(1)]);
  const logs = loadLogs(dir, NAMES);

  it("replayLogs, injectFault and faultArbitrary throw BadInputError with the file's name and line, the command line's words", () => {
    const said = cliSays(dir);
    expect(said).toContain("engine.jsonl:3:");
    for (const f of [() => replayLogs(logs), () => injectFault(logs, "duplicate-delivery", 0), () => faultArbitrary(logs)]) {
      const err = thrown(f);
      expect(err).toBeInstanceOf(BadInputError);
      expect(err as BadInputError).toMatchObject({ file: "engine.jsonl", line: 3 });
      expect(`recon-proof: ${(err as Error).message}`).toBe(said);
    }
  });

  it("a leading BOM is dropped and blank lines are skipped, as the command line does", () => {
    const bom = loadLogs(incident((l) => [l[0]!, "", ...l.slice(1)], "\uFEFF"), NAMES);
    const plain = loadLogs(HEALTHY);
    expect(replayLogs(bom).findings).toEqual(replayLogs(plain).findings);
    expect(injectFault(bom, "missed-fill", 0)!.description).toBe(injectFault(plain, "missed-fill", 0)!.description);
  });

  it("the config is read by the command line's loader: a key twice is refused, decimals are kept exact", () => {
    writeFileSync(join(dir, "twice.json"), '{ "in_flight_grace_ms": 1000, "in_flight_grace_ms": 2000 }');
    expect(thrown(() => loadLogs(dir, { ...NAMES, config: "twice.json" }))).toBeInstanceOf(ConfigError);
    writeFileSync(join(dir, "exact.json"), '{ "drift_tolerance_units": 9007199254740993 }');
    expect(loadLogs(dir, { ...NAMES, config: "exact.json" }).config?.["drift_tolerance_units"]).toBe("9007199254740993");
  });
});
