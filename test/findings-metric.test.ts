// metrics.txt counts every finding by kind and severity (engine_findings_total), over the whole
// replay: the report's list may be capped at report_list_items_max, the counter never is. It is
// what lets an expect.txt pin "each finding kind with its count" as a whole line.

import { describe, expect, it } from "vitest";
import { B, J, run } from "./helpers/replay.js";

/** Three manual trades at the broker: three orphans, and the drift they open. */
function threeOrphans(config: Record<string, unknown> = {}) {
  const broker = [B.snapshot("07:00:00"),
    ...[1, 2, 3].flatMap((i) => [B.accepted(`08:0${i}:00`, `MANUAL-${i}`, `M${i}`, "EURUSD", "buy", 1000), B.fill(`08:0${i}:01`, `MANUAL-${i}`, `M${i}`, "EURUSD", "buy", 1000, 1.1)])];
  return run([J.snapshot("07:00:00")], broker, { reconcile_interval_ms: 3_600_000, ...config });
}

describe("engine_findings_total", () => {
  it("counts each kind and severity, with HELP and TYPE", () => {
    const r = threeOrphans();
    const metrics = r.artifacts["metrics.txt"];
    expect(metrics).toContain("# TYPE engine_findings_total counter\n");
    expect(metrics).toMatch(/^engine_findings_total\{kind="orphan_broker_order",severity="critical"\} 3$/m);
    const counted = r.report.findings.items.filter((f) => f.kind === "orphan_broker_order").length;
    expect(counted).toBe(3);
  });

  it("still counts every finding when the report's list is capped", () => {
    const capped = threeOrphans({ report_list_items_max: 1 });
    expect(capped.report.findings.items).toHaveLength(1);
    expect(capped.report.findings.omitted).toBeGreaterThan(0);
    expect(capped.artifacts["metrics.txt"]).toMatch(/^engine_findings_total\{kind="orphan_broker_order",severity="critical"\} 3$/m);
    // The same lines as the uncapped replay: the counter does not depend on the cap.
    const lines = (m: string) => m.split("\n").filter((l) => l.startsWith("engine_findings_total{"));
    expect(lines(capped.artifacts["metrics.txt"])).toEqual(lines(threeOrphans().artifacts["metrics.txt"]));
  });
});
