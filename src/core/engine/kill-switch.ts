// The kill switch (docs/reference/rules.md, "Kill switch"): once engaged it stays engaged for the rest of the
// replay and every later decision is blocked. One class serves the engine (which blocks decisions on it) and
// the assembler (which rebuilds it from the emitted groups, for a plain replay and for merge alike).

import { KILL_REASONS, type KillReason, type KillSwitchView } from "../../domain/report.js";

/** Position of a reason in the order reasons raised together are listed. */
export function killRank(reason: KillReason): number {
  const i = KILL_REASONS.indexOf(reason);
  if (i < 0) throw new Error(`invariant: a known kill-switch reason, got ${String(reason)}`);
  return i;
}

export class KillSwitch {
  private engagedAt: string | null = null;
  private readonly reasons: KillReason[] = [];

  get engaged(): boolean {
    return this.engagedAt !== null;
  }

  /** Engages it (the first time sets the time); true when `reason` is new, so the caller reports it once. */
  engage(reason: KillReason, ts: string): boolean {
    if (this.engagedAt === null) this.engagedAt = ts;
    if (this.reasons.includes(reason)) return false;
    this.reasons.push(reason);
    return true;
  }

  view(): KillSwitchView {
    return { engaged: this.engaged, engagedAt: this.engagedAt, reasons: [...this.reasons] };
  }
}
