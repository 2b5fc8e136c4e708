// The instruments a replay meets (domain/instruments.ts says what each is). Every symbol an input
// record names is looked up when the record arrives. The engine's own instruments are the user's to
// describe: a decision or journal snapshot in an unknown non-FX instrument stops the replay at its
// line (a config error), before anything is measured in a guessed unit. The broker's log is the
// truth, so a broker record in an instrument the config does not describe is taken in all the same:
// it is measured in units only (no pips, ticks, slippage or P&L currency), and the engine reports
// it (see Engine.step).

import type { Config } from "../../domain/config.js";
import { assert, ConfigError } from "../../domain/errors.js";
import { entryTemplate } from "../../domain/instrument-entry.js";
import { type Instrument, lookUpInstrument } from "../../domain/instruments.js";
import type { InputRecord } from "../../domain/records.js";
import type { FeeCurrencies } from "../rules/index.js";

const NONE: readonly string[] = [];

/** A symbol only the broker's log names that the config does not describe, and where it first did. */
export interface UndescribedSymbol {
  readonly symbol: string;
  readonly line: number;
}

const UNDESCRIBED_CURRENCIES: FeeCurrencies = { quoteCurrency: null, baseCurrency: undefined };

export class Instruments {
  private readonly met = new Map<string, Instrument>();
  private readonly undescribed = new Map<string, UndescribedSymbol>();

  constructor(private readonly config: Config) {}

  /** The instrument of a symbol already met and described (the engine's own symbols always are). */
  of(symbol: string): Instrument {
    const found = this.met.get(symbol);
    assert(found !== undefined, `the instrument of ${symbol} was met and described before it is used`);
    return found;
  }

  /** The instrument of a symbol already met, or undefined where the config does not describe it. */
  find(symbol: string): Instrument | undefined {
    return this.met.get(symbol);
  }

  /** The currencies a fee in this symbol can be booked against (none named for an undescribed one). */
  feeCurrencies(symbol: string): FeeCurrencies {
    return this.met.get(symbol) ?? UNDESCRIBED_CURRENCIES;
  }

  /** Symbols met only in the broker's log that the config does not describe, by symbol. */
  allUndescribed(): UndescribedSymbol[] {
    return [...this.undescribed.values()].sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  }

  /** Every instrument met, by symbol. */
  all(): Instrument[] {
    return [...this.met.values()].sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  }

  /**
   * Looks up every symbol a record names. Returns the symbols of a broker record that the config
   * does not describe and no earlier record named (usually none).
   */
  meetRecord(rec: InputRecord): readonly string[] {
    switch (rec.type) {
      case "decision":
        if (!this.met.has(rec.symbol)) this.meet(rec.symbol, `${rec.src}:${rec.line}`);
        return NONE;
      case "snapshot":
        for (const o of rec.openOrders) this.meet(o.symbol, `${rec.src}:${rec.line}`);
        for (const p of rec.positions) this.meet(p.symbol, `${rec.src}:${rec.line}`);
        return NONE;
      case "order_accepted": case "fill":
        return this.met.has(rec.symbol) ? NONE : this.meetInBrokerLog([rec.symbol], rec.line);
      case "position_snapshot":
        return this.meetInBrokerLog(rec.positions.map((p) => p.symbol), rec.line);
      default:
        return NONE;
    }
  }

  /** The broker's symbols: described ones are met as usual, the others noted (once) as undescribed. */
  private meetInBrokerLog(symbols: readonly string[], line: number): string[] {
    const fresh: string[] = [];
    for (const symbol of symbols) {
      if (this.met.has(symbol) || this.undescribed.has(symbol)) continue;
      const found = lookUpInstrument(symbol, this.config.instruments, this.config.pipSizes);
      if (found !== undefined) this.met.set(symbol, found);
      else {
        this.undescribed.set(symbol, { symbol, line });
        fresh.push(symbol);
      }
    }
    return fresh;
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
