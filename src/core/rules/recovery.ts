// The recovery policy for positions open after a restart (docs/reference/rules.md, "Recovery
// actions are staged"): actions to stage, never to execute. Pure.

import * as D from "../../domain/decimal.js";
import type { Dec } from "../../domain/decimal.js";
import type { OpenPositionsPolicy } from "../../domain/config.js";
import type { Side } from "../../domain/records.js";
import type { Position } from "./position.js";

export interface RecoveryAction {
  readonly action: "close_position" | "review_position";
  readonly symbol: string;
  readonly side: Side;
  readonly qty: Dec;
  readonly reason: string;
}

export interface RecoveryPolicy {
  readonly policy: OpenPositionsPolicy;
  /** EMERGENCY_EXIT closes a position whose unrealized loss reaches this (inclusive); unset is zero. */
  readonly lossThreshold: Dec | undefined;
}

/** Actions for the broker's open positions (in symbol order), marked at each symbol's last fill price. */
export function recoveryActions(
  p: RecoveryPolicy, positions: ReadonlyMap<string, Position>, markOf: (symbol: string) => Dec | undefined,
): RecoveryAction[] {
  if (p.policy === "RESUME") return [];
  const out: RecoveryAction[] = [];
  for (const [symbol, pos] of [...positions].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const side: Side = D.sign(pos.qty) > 0 ? "sell" : "buy";
    const qty = D.abs(pos.qty);
    if (p.policy === "CLOSE_ALL") {
      out.push({ action: "close_position", symbol, side, qty, reason: "recovery CLOSE_ALL after restart" });
      continue;
    }
    const mark = markOf(symbol);
    if (mark === undefined) {
      out.push({ action: "review_position", symbol, side, qty, reason: "recovery EMERGENCY_EXIT: no fill price to mark the position; outcome unknown" });
      continue;
    }
    const unrealized = D.mul(pos.qty, D.sub(mark, pos.avgPrice));
    if (D.neg(unrealized) >= (p.lossThreshold ?? D.ZERO)) {
      out.push({ action: "close_position", symbol, side, qty,
        reason: `recovery EMERGENCY_EXIT: unrealized ${D.toFixed(unrealized, 2)} at last fill price ${D.toPlain(mark)} breaches the loss threshold` });
    }
  }
  return out;
}
