// Deep suite only (`npm run test:deep`; DECISIONS sets the size): a replay of 2 000 000 decisions
// without a restart under the default config. Expired order ids leave the cache as event time
// passes, so cache_entries_max (1 000 000 by default) counts the ids still live, not every id ever
// sent: before that, this replay stopped with exit 65 at journal line 1 000 002.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";
import { writeSteadyLogs } from "../../src/bench/steady-logs.js";

const DECISIONS = Number(process.env["DECISIONS"] ?? 2_000_000);
const TTL_MS = 172_800_000; // the default idempotency_ttl_ms

describe(`${DECISIONS} decisions without a restart, default config`, () => {
  it("runs to the end (exit 0), and the cache holds only the ids still live", () => {
    const dir = tempDir();
    writeSteadyLogs(dir, DECISIONS);
    const out = join(dir, "out");
    const r = runCli(["replay", "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"), "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(out, "summary.txt"), "utf8").split("\n")[0]).toBe("reconcile_summary stale=0 orphan=0 drift=0.0 cache_ok=true");
    const report = JSON.parse(readFileSync(join(out, "reconcile-report.json"), "utf8")) as { cache: Record<string, number> };
    expect(report.cache["entries_written"]).toBe(DECISIONS);
    // One decision a second: at most a TTL's worth of ids is live at the end.
    expect(report.cache["live_entries"]).toBeLessThanOrEqual(Math.min(DECISIONS, TTL_MS / 1000));
  }, 3_600_000);
});
