// When a broker order needs no more reconciliation. Pure.

import { type BrokerOrderFacts, type EngineStatus, isOpen, provenLive } from "./types.js";

/**
 * Settled: finished at the broker (as far as the log shows), every fill has its trades.csv row and
 * is in the engine's view (when the engine owns the order), and the engine's order (if any) is
 * finished too. A part-filled order known only from fills is not.
 */
export function brokerOrderSettled<F>(
  b: BrokerOrderFacts<F>, engineStatus: EngineStatus | undefined, rowWritten: (f: F) => boolean, known: (f: F) => boolean,
): boolean {
  if (provenLive(b) || (engineStatus !== undefined && isOpen(engineStatus))) return false;
  const owned = engineStatus !== undefined;
  return b.fills.every((f) => rowWritten(f) && (!owned || known(f)));
}
