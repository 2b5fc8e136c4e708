// The ground truth a generated scenario carries: what reconciliation must find. The truth's
// position drift is read off the two books the generator built (the broker's and the engine's), at
// every reconciliation it knows will run, never off which faults were asked for: two faults can
// even each other out (a manual buy at the broker and a snapshot one lot long), and then there is
// no drift to find. Each fault leaves its findings here as it is injected; the expect.txt of the
// scenario (so that a generated scenario is also a proof) follows from the truth.

import { resolveConfig } from "../domain/config.js";
import { lookUpInstrument } from "../domain/instruments.js";
import { FLAT, type Position, positionDrift } from "../core/rules/index.js";
import { type Fault, INSTRUMENTS, scenarioConfig } from "./world.js";

/** Expected findings that engage the kill switch. */
const CRITICAL_FINDINGS: ReadonlySet<string> = new Set(["orphan_broker_order", "stale_local_order", "position_drift"]);

export interface ExpectedFinding {
  readonly kind: string;
  readonly client_order_id?: string;
  readonly symbol?: string;
}

export interface GroundTruth {
  readonly seed: number;
  readonly events: number;
  readonly faults: readonly Fault[];
  readonly kill_switch: boolean;
  readonly cache_ok: boolean;
  /** Findings reconciliation must report (kind plus the id or symbol it concerns). */
  readonly findings: readonly ExpectedFinding[];
  readonly duplicate_deliveries: number;
  readonly duplicates_skipped: number;
}

export interface GeneratedScenario {
  readonly journal: readonly string[];
  readonly broker: readonly string[];
  readonly config: Record<string, unknown>;
  readonly truth: GroundTruth;
  /** expect.txt derived from the truth, so a generated scenario is also a proof. */
  readonly expect: string;
  /** Bytes of a deliberately corrupt cache file when the corrupt-cache fault is on. */
  readonly corruptCache: string | null;
}

export class Truth {
  readonly findings: ExpectedFinding[] = [];
  duplicateDeliveries = 0;
  duplicatesSkipped = 0;
  /** The config the scenario is replayed with, resolved: its drift tolerance and pip sizes. */
  private readonly replayConfig = resolveConfig(scenarioConfig());

  /**
   * A reconciliation runs now: every symbol whose two books differ beyond the drift tolerance is a
   * position_drift it must find. Reconciliations on the cadence may find more (a drift that a later
   * snapshot evens out); the truth names only what every replay must find.
   */
  expectDriftWhereBooksDiffer(engineBook: ReadonlyMap<string, Position>, brokerBook: ReadonlyMap<string, Position>): void {
    const { driftToleranceUnits: units, driftTolerancePips: pips, instruments, pipSizes } = this.replayConfig;
    for (const inst of INSTRUMENTS) {
      const pip = lookUpInstrument(inst.symbol, instruments, pipSizes)!.unitSize;
      const drift = positionDrift(engineBook.get(inst.symbol) ?? FLAT, brokerBook.get(inst.symbol) ?? FLAT, pip, { units, pips });
      if (drift.beyond) this.findings.push({ kind: "position_drift", symbol: inst.symbol });
    }
  }

  /** The scenario as written: its two logs, its config, the truth and the expect.txt that follows from it. */
  scenario(logs: { seed: number; faults: ReadonlySet<Fault>; journal: readonly string[]; broker: readonly string[] }): GeneratedScenario {
    const corrupt = logs.faults.has("corrupt-cache");
    // Each finding once (a drift stands at several reconciliations), caught fills last.
    const byKey = new Map(this.findings.map((f) => [`${f.kind}|${f.client_order_id ?? ""}|${f.symbol ?? ""}`, f]));
    const findings = [...byKey.values()].sort((a, b) => Number(a.kind === "caught_by_reconcile") - Number(b.kind === "caught_by_reconcile"));
    const killSwitch = corrupt || findings.some((f) => CRITICAL_FINDINGS.has(f.kind));
    const truth: GroundTruth = {
      seed: logs.seed, events: logs.journal.length + logs.broker.length, faults: [...logs.faults].sort(),
      kill_switch: killSwitch, cache_ok: !corrupt, findings,
      duplicate_deliveries: this.duplicateDeliveries,
      duplicates_skipped: corrupt ? 0 : this.duplicatesSkipped,
    };
    return {
      journal: logs.journal, broker: logs.broker,
      config: scenarioConfig(),
      truth, expect: expectText(truth, corrupt),
      corruptCache: corrupt ? "SQLite format 3\u0000" + "this is not a cache ".repeat(40) : null,
    };
  }
}

/** expect.txt: what the proof of the scenario checks, from its truth. */
function expectText(truth: GroundTruth, corrupt: boolean): string {
  const { findings, kill_switch: killSwitch } = truth;
  const expect = [
    `# generated: seed ${truth.seed}, ${truth.events} events, faults: ${truth.faults.join(",") || "none"}`,
    `exit: ${killSwitch ? 3 : 0}`,
    // Counts are whole lines (`= key=N`) or end at the next token, so a longer number never matches.
    `summary.txt: = kill_switch=${killSwitch ? 1 : 0}`,
    `summary.txt: cache_ok=${corrupt ? "false" : "true"}`,
    `summary.txt: = duplicate_deliveries=${truth.duplicate_deliveries}`,
    ...(corrupt ? [] : [`summary.txt: = duplicates_skipped=${truth.duplicates_skipped}`]),
    ...new Set(findings.filter((f) => f.kind !== "caught_by_reconcile").map((f) =>
      `reconcile-report.json: "kind": "${f.kind}"`)),
    ...(findings.some((f) => f.kind === "stale_local_order") ? [`summary.txt: reconcile_summary stale=1 orphan=`] : []),
    ...(findings.some((f) => f.kind === "orphan_broker_order") ? [`summary.txt: orphan=1 drift=`] : []),
  ];
  return expect.join("\n") + "\n";
}
