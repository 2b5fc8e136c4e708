// The scenario plan: a trading day (or many) in steps of a few seconds. At each step the engine
// decides an order, or restarts, or loses its link for a while, or crashes, as the draws and the
// faults asked for say; forced faults come once a quarter of the log is written. The faults that
// engage the kill switch come at the end, after the last decision, and the replay reconciles once
// more at the end.

import type { BrokerSim } from "./broker.js";
import { type FaultInjector, TERMINAL_FAULTS } from "./faults.js";
import type { Timeline } from "./timeline.js";
import { type Draws, iso, SNAPSHOT_INTERVAL_MS } from "./world.js";

export interface Sim {
  readonly draws: Draws;
  readonly tl: Timeline;
  readonly broker: BrokerSim;
  readonly faults: FaultInjector;
}

/** Lines reserved at the end per fault that engages the kill switch, and for the closing snapshot. */
const TERMINAL_LINES_RESERVED = 6;
const CLOSING_LINES_RESERVED = 4;

/** Plays the day until about `events` journal and broker lines are written (at least 20). */
export function runPlan(sim: Sim, events: number, onProgress: ((lines: number) => void) | undefined): void {
  const { draws, tl, broker } = sim;
  const target = Math.max(20, events);
  // The lost order goes first: once another terminal fault engages the kill switch, a decision
  // is blocked, never sent, and so could not be lost.
  const terminal = [...draws.faults].filter((f) => TERMINAL_FAULTS.has(f))
    .sort((a, b) => Number(b === "lost-order") - Number(a === "lost-order"));
  const reserve = terminal.length * TERMINAL_LINES_RESERVED + CLOSING_LINES_RESERVED;
  tl.emitJournal({ type: "snapshot", ts: iso(tl.now), open_orders: [], positions: [] });
  tl.emitBroker({ type: "position_snapshot", positions: [] }, tl.now);
  let nextSnapshotMs = tl.now + SNAPSHOT_INTERVAL_MS;
  while (tl.lineCount() < target - reserve) {
    onProgress?.(tl.lineCount());
    tl.advance(draws.rng.int(200, 20_000));
    if (tl.now >= nextSnapshotMs && tl.connected) {
      broker.scheduleSnapshot(tl.now);
      nextSnapshotMs = tl.now + SNAPSHOT_INTERVAL_MS;
    }
    if (draws.faults.has("corrupt-cache")) {
      // With its cache unreadable the engine may not trade: the broker only reports positions.
      broker.scheduleSnapshot(tl.now);
      continue;
    }
    step(sim, target);
  }
  tl.advance(30_000);
  tl.flushAll();
  for (const f of terminal) sim.faults.injectTerminal(f);
  tl.advance(15_000);
  tl.flushAll();
  broker.scheduleSnapshot(tl.now);
  tl.flushAll();
  // The replay reconciles once more at the end.
  broker.expectDriftWhereBooksDiffer();
}

/** One step of trading: a forced fault when one is due, else what the draw says. */
function step(sim: Sim, target: number): void {
  const { draws, tl, broker, faults } = sim;
  // Forced faults come once a quarter of the log is written, so the engine has a history by then.
  if (draws.toForce.size > 0 && tl.connected && tl.lineCount() >= target / 4 && faults.forceNext()) return;
  const roll = draws.rng.int(0, 999);
  if (roll < 4 && tl.connected && faults.restartSafe()) faults.restart("deploy", true);
  else if (roll < 12 && draws.faults.has("disconnect") && tl.connected) faults.disconnectWindow();
  else if (roll < 14 && draws.faults.has("crash-restart") && tl.connected && !faults.crashDone) faults.crashRestart();
  else broker.decide();
}
