// The input lines a position or a day's P&L rests on, for the findings about them (every finding
// names its evidence). Bounded: a trail keeps its latest `EVIDENCE_LINES_MAX` broker lines and
// counts the ones it let go, which the finding reports as `evidence_omitted`.

/** Named limit: broker lines kept per position or day as evidence. */
export const EVIDENCE_LINES_MAX = 20;

export class LineTrail {
  private lines: number[] = [];
  omitted = 0;

  add(line: number): void {
    if (this.lines.length === EVIDENCE_LINES_MAX) {
      this.lines.shift();
      this.omitted += 1;
    }
    this.lines.push(line);
  }

  get kept(): readonly number[] {
    return this.lines;
  }
}

/** Per symbol, the fill lines since a book's last snapshot (a fresh trail per symbol on first use). */
export class SymbolTrails {
  private readonly bySymbol = new Map<string, LineTrail>();

  add(symbol: string, line: number): void {
    let t = this.bySymbol.get(symbol);
    if (t === undefined) this.bySymbol.set(symbol, t = new LineTrail());
    t.add(line);
  }

  of(symbol: string): LineTrail | undefined {
    return this.bySymbol.get(symbol);
  }
}

/** Evidence refs for a finding: broker lines then journal lines, each ascending and once. */
export function evidenceRefs(broker: Iterable<number>, journal: Iterable<number>): string[] {
  const sorted = (lines: Iterable<number>) => [...new Set(lines)].sort((a, b) => a - b);
  return [...sorted(broker).map((l) => `broker:${l}`), ...sorted(journal).map((l) => `journal:${l}`)];
}
