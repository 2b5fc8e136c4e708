// The broker's risk limits against the engine's rails (once per limits snapshot), each symbol's
// exposure against its cap, and the UTC day's realized P&L against the daily loss cap. Planned from
// the books, then applied: each breach is reported once while it lasts.

import * as D from "../../domain/decimal.js";
import type { Dec } from "../../domain/decimal.js";
import type { LimitsSnapshotEvent } from "../../domain/records.js";
import { type Instant, utcDay } from "../../domain/time.js";
import { type EngineCore, report } from "../engine/context.js";
import * as F from "../output/findings.js";
import { dailyLossBreached, limitMismatches, overCap } from "../rules/index.js";

export interface LimitsPlan {
  /** A limits snapshot not compared yet, and the fields in which it differs from the engine's rails. */
  readonly limits: { readonly snapshot: LimitsSnapshotEvent; readonly mismatches: readonly string[] } | null;
  /** Per capped symbol, in the config's order: its position and whether it is over the cap now. */
  readonly caps: ReadonlyArray<{ readonly symbol: string; readonly cap: Dec; readonly qty: Dec; readonly over: boolean }>;
  readonly day: string;
  readonly dayPnl: Dec;
  /** The day's loss is beyond the cap and not reported yet. */
  readonly lossBreach: boolean;
}

export function planLimits(core: EngineCore, at: Instant): LimitsPlan {
  const { config, book, reported } = core;
  const snapshot = book.limits;
  const limits = snapshot === undefined || reported.limitsCheckedEventId === snapshot.eventId ? null
    : { snapshot, mismatches: limitMismatches({ dailyLossCap: config.dailyLossCap, symbolCaps: config.symbolCaps }, snapshot) };
  const caps = config.symbolCaps.map(([symbol, cap]) => {
    const qty = book.position(symbol).qty;
    return { symbol, cap, qty, over: overCap(qty, cap) };
  });
  const day = utcDay(at);
  const dayPnl = book.realizedOn(day);
  return { limits, caps, day, dayPnl, lossBreach: dailyLossBreached(dayPnl, config.dailyLossCap) && !reported.lossBreachDays.has(day) };
}

export function applyLimits(core: EngineCore, plan: LimitsPlan, id: string, at: Instant): void {
  const { reported, totals, config } = core;
  if (plan.limits !== null) {
    reported.limitsCheckedEventId = plan.limits.snapshot.eventId;
    const { mismatches, snapshot } = plan.limits;
    for (const m of mismatches) report(core, F.brokerLimitMismatch(m, core.configHash, snapshot.line, at, id));
    if (mismatches.length > 0) core.out.alert(F.brokerLimitMismatchAlert([...mismatches], core.configHash, at, id));
  }
  for (const c of plan.caps) {
    if (!c.over) reported.capBreachOpen.delete(c.symbol);
    else if (!reported.capBreachOpen.has(c.symbol)) {
      reported.capBreachOpen.add(c.symbol);
      report(core, F.symbolCapBreach(c.symbol, { position: D.abs(c.qty), cap: c.cap }, core.book.positionTrail(c.symbol), { at, reconcileId: id }));
    }
  }
  if (config.dailyLossCap !== undefined && plan.dayPnl < (totals.dayPnlLows.get(plan.day) ?? D.ZERO)) totals.dayPnlLows.set(plan.day, plan.dayPnl);
  if (!plan.lossBreach) return;
  reported.lossBreachDays.add(plan.day);
  report(core, F.dailyLossBreach({ day: plan.day, pnl: plan.dayPnl, cap: config.dailyLossCap! }, core.book.dayTrail(plan.day), { at, reconcileId: id }));
}
