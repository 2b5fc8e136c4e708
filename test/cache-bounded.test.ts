// An order id past its TTL can never make a decision a duplicate, so it leaves the cache as event
// time passes (after every reconcile run, and at the cache_entries_max limit); the limit counts live
// entries, not every id the replay ever sent. test/deep/ runs the same over 2 000 000 decisions under
// the default config.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "./helpers/cli.js";
import { writeSteadyLogs } from "../src/bench/steady-logs.js";

function replaySteady(decisions: number, config: Record<string, unknown>) {
  const dir = tempDir();
  writeSteadyLogs(dir, decisions);
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  const out = join(dir, "out");
  const r = runCli(["replay", "--journal", join(dir, "journal.jsonl"), "--broker", join(dir, "broker.jsonl"), "--config", join(dir, "config.json"), "--out", out]);
  const report = r.status === 0 ? JSON.parse(readFileSync(join(out, "reconcile-report.json"), "utf8")) as { cache: Record<string, number> } : null;
  return { r, report };
}

describe("the order-id cache holds live entries only", () => {
  it("cache_entries_max counts live ids: 40 orders, one a second, a 4 s TTL, at most 5 live ids", () => {
    const { r, report } = replaySteady(40, { cache_entries_max: 5, idempotency_ttl_ms: 4000, reconcile_interval_ms: 3_600_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(report!.cache["entries_written"]).toBe(40);
  });

  it("expired ids leave at each reconcile run: the cache ends holding only the ids still live", () => {
    const { r, report } = replaySteady(40, { idempotency_ttl_ms: 4000, reconcile_interval_ms: 2000 });
    expect(r.status, r.stderr).toBe(0);
    // The last reconcile run is at the end (39.2 s): ids sent at 36 s or later are live, 36 s to 39 s.
    expect(report!.cache).toMatchObject({ entries_written: 40, entries_purged: 36, live_entries: 4 });
  });

  it("a limit counts live ids: more live ids than cache_entries_max is still exit 65, naming the line", () => {
    const { r } = replaySteady(40, { cache_entries_max: 3, idempotency_ttl_ms: 4000, reconcile_interval_ms: 3_600_000 });
    expect(r.status).toBe(65);
    expect(r.stderr).toMatch(/journal\.jsonl:5: .*cache_entries_max=3/);
  });
});
