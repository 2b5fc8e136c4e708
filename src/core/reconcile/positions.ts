// Engine vs broker net position per symbol: the drift each symbol shows now (after the order sync
// applied the fills reconciliation caught), and which drifts are news. Planned from the books, then
// applied: the largest drift seen, the reported drifts, and the causes of symbols whose books agree.

import * as D from "../../domain/decimal.js";
import type { Dec } from "../../domain/decimal.js";
import { assert } from "../../domain/errors.js";
import type { Instant } from "../../domain/time.js";
import { type EngineCore, report } from "../engine/context.js";
import * as F from "../output/findings.js";
import { type Drift, driftSignature, type Position, positionDrift } from "../rules/index.js";

export interface SymbolDrift {
  readonly symbol: string;
  readonly engine: Position;
  readonly broker: Position;
  readonly drift: Drift;
  /** Beyond tolerance and not reported in this state of the two positions: a finding. */
  readonly news: boolean;
}

export interface PositionsCounts {
  readonly drifting: number;
  readonly maxDriftPips: Dec;
  readonly maxDriftUnits: Dec;
  readonly newDivergence: boolean;
}

/** Every symbol either book holds, in symbol order. */
export function planPositions(core: EngineCore): SymbolDrift[] {
  const { view, book, config, reported } = core;
  const symbols = [...new Set([...view.positions().keys(), ...book.positions().keys()])].sort();
  const tolerance = { units: config.driftToleranceUnits, pips: config.driftTolerancePips };
  return symbols.map((symbol) => {
    const engine = view.position(symbol);
    const broker = book.position(symbol);
    const drift = positionDrift(engine, broker, core.instruments.find(symbol)?.unitSize, tolerance);
    return { symbol, engine, broker, drift, news: drift.beyond && reported.lastDrift.get(symbol) !== driftSignature(engine, broker) };
  });
}

export function applyPositions(core: EngineCore, drifts: readonly SymbolDrift[], id: string, at: Instant): PositionsCounts {
  const { totals, reported, causes } = core;
  const findingsBefore = core.out.findingsInGroup;
  let maxDriftPips = D.ZERO;
  let maxDriftUnits = D.ZERO;
  for (const d of drifts) {
    maxDriftUnits = D.max(maxDriftUnits, d.drift.units);
    maxDriftPips = D.max(maxDriftPips, d.drift.headlinePips);
    if (!d.drift.beyond) {
      reported.lastDrift.delete(d.symbol);
      causes.agreed(d.symbol);
    } else if (d.news) {
      reported.lastDrift.set(d.symbol, driftSignature(d.engine, d.broker));
      report(core, F.positionDrift(d, { causes: causes.of(d.symbol), broker: core.book.positionTrail(d.symbol), engine: core.view.positionTrail(d.symbol) },
        { at, reconcileId: id }));
    }
  }
  causes.agreedBut(new Set(drifts.map((d) => d.symbol)));
  assert(core.out.findingsInGroup - findingsBefore === drifts.filter((d) => d.news).length, "one drift finding per drift that is news");
  totals.maxDriftUnits = D.max(totals.maxDriftUnits, maxDriftUnits);
  totals.maxDriftPips = D.max(totals.maxDriftPips, maxDriftPips);
  return { drifting: drifts.filter((d) => d.drift.beyond).length, maxDriftPips, maxDriftUnits, newDivergence: drifts.some((d) => d.news) };
}
