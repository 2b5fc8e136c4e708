// Secondary matching of a broker order the engine cannot name: engine orders that look like it.
// Such candidates are reported, never linked (docs/reference/rules.md,
// "Findings": an ambiguous match is listed, never guessed).

import type { Dec } from "../../domain/decimal.js";
import type { Side } from "../../domain/records.js";

export interface CandidateOrder {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: Dec;
  readonly sentAtMs: number | undefined;
}

export interface UnmatchedBrokerOrder {
  readonly symbol: string;
  readonly side: Side;
  readonly qty: Dec;
  readonly firstMs: number;
}

/**
 * Client order ids of the candidates (open engine orders the broker has no record of) with the same
 * symbol, side and size, sent within the window of the broker order's first event (inclusive; an
 * order without a send time is always near). Sorted.
 */
export function signatureCandidates(b: UnmatchedBrokerOrder, candidates: Iterable<CandidateOrder>, windowMs: number): string[] {
  const out: string[] = [];
  for (const e of candidates) {
    if (e.symbol !== b.symbol || e.side !== b.side || e.qty !== b.qty) continue;
    if (e.sentAtMs === undefined || Math.abs(e.sentAtMs - b.firstMs) <= windowMs) out.push(e.clientOrderId);
  }
  return out.sort();
}

export type MatchKind = "none" | "signature" | "ambiguous";

export function matchKind(candidates: readonly string[]): MatchKind {
  return candidates.length === 0 ? "none" : candidates.length === 1 ? "signature" : "ambiguous";
}
