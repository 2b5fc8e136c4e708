// `npm run bench -- --help` prints the bench's help and exits, instead of starting a bench that
// runs for a quarter of an hour.

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./helpers/cli.js";

describe("bench --help", () => {
  it("prints what each row measures and the options, and runs nothing", () => {
    const r = spawnSync(process.execPath, [join(REPO, "dist", "bench", "run.js"), "--help"], { encoding: "utf8", timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm run bench -- /);
    for (const row of ["floor", "replay / floor", "DuckDB / floor", "cache on / off", "shards / unsharded", "peak RSS"]) expect(r.stdout).toContain(row);
    expect(r.stderr).toBe(""); // no "bench: writing ..." progress: nothing was started
  });
});
