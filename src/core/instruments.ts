// The instruments a replay meets (domain/instruments.ts says what each is). Every symbol an input
// record names is looked up when the record arrives, so an unknown non-FX instrument stops the
// replay at its first line (a config error), before anything is measured in a guessed unit.

import type { Config } from "../domain/config.js";
import { ConfigError } from "../domain/errors.js";
import { entryTemplate } from "../domain/instrument-entry.js";
import { type Instrument, lookUpInstrument } from "../domain/instruments.js";
import type { InputRecord } from "../domain/records.js";

export class Instruments {
  private readonly met = new Map<string, Instrument>();

  constructor(private readonly config: Config) {}

  /** The instrument of a symbol already met (every symbol in the books was met on its way in). */
  of(symbol: string): Instrument {
    return this.met.get(symbol) ?? this.meet(symbol, "(an input record)");
  }

  /** Every instrument met, by symbol. */
  all(): Instrument[] {
    return [...this.met.values()].sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  }

  /** Looks up every symbol a record names. */
  meetRecord(rec: InputRecord): void {
    const where = `${rec.src}:${rec.line}`;
    switch (rec.type) {
      case "decision": case "order_accepted": case "fill":
        if (!this.met.has(rec.symbol)) this.meet(rec.symbol, where);
        return;
      case "snapshot":
        for (const o of rec.openOrders) this.meet(o.symbol, where);
        for (const p of rec.positions) this.meet(p.symbol, where);
        return;
      case "position_snapshot":
        for (const p of rec.positions) this.meet(p.symbol, where);
        return;
      default:
        return;
    }
  }

  private meet(symbol: string, where: string): Instrument {
    const known = this.met.get(symbol);
    if (known !== undefined) return known;
    const found = lookUpInstrument(symbol, this.config.instruments, this.config.pipSizes);
    if (found === undefined) {
      throw new ConfigError(`config: unknown instrument "${symbol}" (first named at ${where}): it is not an FX pair of two ` +
        `currency codes, so the config's "instruments" must describe it (\`recon-proof import <source> FILE --instruments instruments.json\` ` +
        `writes such entries with what a broker's records state). Paste this entry there and replace each <...>: ${entryTemplate(symbol)}`);
    }
    this.met.set(symbol, found);
    return found;
  }
}
