// The lines on which the two books differ, per symbol: what a position drift's evidence must show
// first and never leave out. Three things make the books differ:
//
//   a broker fill the engine has not taken in   (an orphan's fill, a fill missed while disconnected)
//   a broker position_snapshot that moved the broker's position from what its fills made it
//   a journal restart or snapshot that moved the engine's position from what it held before
//
// A symbol's causes are kept until a reconciliation finds its books agree again, so they stay few:
// the engine takes almost every fill as it is booked, and the books agree at most checks. Keyed by
// line, never by record, so nothing here keeps a finished order alive.

import type { Position } from "../rules/index.js";

/** Named limit: cause lines kept per symbol; beyond it they are counted (evidence_causes_omitted). */
export const EVIDENCE_CAUSE_LINES_MAX = 200;

/** One symbol's causes: broker lines (fills, a snapshot) and the journal line that moved the engine. */
export interface SymbolCauses {
  readonly broker: readonly number[];
  readonly journal: readonly number[];
  /** Cause lines past EVIDENCE_CAUSE_LINES_MAX, counted, not kept. */
  readonly omitted: number;
}

class Causes {
  readonly untakenFills = new Set<number>();
  brokerSnapshot: number | undefined = undefined;
  journalLine: number | undefined = undefined;
  omitted = 0;
}

const samePosition = (a: Position | undefined, b: Position | undefined): boolean =>
  (a?.qty ?? 0n) === (b?.qty ?? 0n) && (a?.avgPrice ?? 0n) === (b?.avgPrice ?? 0n);

export class DriftCauses {
  private readonly bySymbol = new Map<string, Causes>();
  /** The engine's positions just before it (re)started: what a snapshot is compared with. */
  private engineBefore: ReadonlyMap<string, Position> = new Map();

  // ------------------------------------------------------------ lookups (no side effects)

  of(symbol: string): SymbolCauses {
    const c = this.bySymbol.get(symbol);
    if (c === undefined) return { broker: [], journal: [], omitted: 0 };
    const broker = [...c.untakenFills, ...(c.brokerSnapshot === undefined ? [] : [c.brokerSnapshot])].sort((a, b) => a - b);
    return { broker, journal: c.journalLine === undefined ? [] : [c.journalLine], omitted: c.omitted };
  }

  // ------------------------------------------------------------ what the books tell it

  /** The broker booked a fill: a cause until the engine takes it in. */
  booked(symbol: string, line: number): void {
    const c = this.causes(symbol);
    if (c.untakenFills.size < EVIDENCE_CAUSE_LINES_MAX) c.untakenFills.add(line);
    else c.omitted += 1;
  }

  /** The engine took a broker fill in (live, by reconciliation, or as its snapshot's after a restart). */
  taken(symbol: string, line: number): void {
    this.bySymbol.get(symbol)?.untakenFills.delete(line);
  }

  /** A broker position_snapshot: every symbol whose position it changes has it as a cause. */
  brokerSnapshot(line: number, before: ReadonlyMap<string, Position>, after: ReadonlyMap<string, Position>): void {
    for (const symbol of new Set([...before.keys(), ...after.keys()])) {
      if (!samePosition(before.get(symbol), after.get(symbol))) this.causes(symbol).brokerSnapshot = line;
    }
  }

  /** The engine (re)starts at `line`: it forgets its positions, so each one it held now rests on that line. */
  engineRestarting(line: number, positions: ReadonlyMap<string, Position>): void {
    this.engineBefore = new Map(positions);
    for (const symbol of positions.keys()) this.causes(symbol).journalLine = line;
  }

  /** The engine's snapshot after a (re)start: a symbol it sets other than as held before moved on that line. */
  engineSnapshot(line: number, positions: ReadonlyMap<string, Position>): void {
    for (const symbol of new Set([...this.engineBefore.keys(), ...positions.keys()])) {
      if (!samePosition(this.engineBefore.get(symbol), positions.get(symbol))) this.causes(symbol).journalLine = line;
      else {
        const c = this.bySymbol.get(symbol);
        if (c !== undefined) c.journalLine = undefined; // restored as it was: the restart moved nothing
      }
    }
  }

  /** A reconciliation found the symbol's books in agreement: nothing before now explains a later drift. */
  agreed(symbol: string): void {
    this.bySymbol.delete(symbol);
  }

  /** A reconciliation checked `held` (the symbols either book holds): every other symbol is flat on both, so agrees. */
  agreedBut(held: ReadonlySet<string>): void {
    for (const symbol of this.bySymbol.keys()) if (!held.has(symbol)) this.bySymbol.delete(symbol);
  }

  private causes(symbol: string): Causes {
    let c = this.bySymbol.get(symbol);
    if (c === undefined) this.bySymbol.set(symbol, c = new Causes());
    return c;
  }
}
