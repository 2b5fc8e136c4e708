// The fixed world every generated scenario lives in: the faults that can be asked for, the
// instruments traded, when the day starts, how often the engine reconciles, the seeded random
// source every choice draws from, and how times and prices are written.

import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import * as D from "../domain/decimal.js";
import type { Dec } from "../domain/decimal.js";

export const FAULTS = [
  "drop-ack", "duplicate-delivery", "disconnect", "orphan", "lost-order",
  "price-drift", "unit-drift", "crash-restart", "corrupt-cache",
] as const;
export type Fault = (typeof FAULTS)[number];

export interface Instrument {
  readonly symbol: string;
  readonly brokerSymbol: string;
  readonly pipettes: number; // price in integer pipettes (1/10 pip)
  readonly pipetteSize: Dec;
}

export const INSTRUMENTS: readonly Instrument[] = [
  { symbol: "EURUSD", brokerSymbol: "EUR_USD", pipettes: 108_500, pipetteSize: D.parseDec("0.00001")! },
  { symbol: "GBPUSD", brokerSymbol: "GBP/USD", pipettes: 133_500, pipetteSize: D.parseDec("0.00001")! },
  { symbol: "USDJPY", brokerSymbol: "USD_JPY", pipettes: 150_250, pipetteSize: D.parseDec("0.001")! },
];

export const START_MS = Date.UTC(2025, 9, 20, 0, 0, 0);
export const RECONCILE_INTERVAL_MS = 300_000;
/** How often the broker reports its positions while the engine is connected. */
export const SNAPSHOT_INTERVAL_MS = 3_600_000;
/** Orders are whole lots of this many units. */
export const LOT_UNITS = 1000;

/** A log record before it is written as a JSON line. */
export type Obj = Record<string, unknown>;

/** The config of every generated scenario (a fresh object: the caller may keep or change it). */
export function scenarioConfig(): Record<string, unknown> {
  return {
    reconcile_interval_ms: RECONCILE_INTERVAL_MS,
    slippage_presets: INSTRUMENTS.flatMap((i) => ["asia", "eu", "us", "overnight"].map((session) => ({ symbol: i.symbol, session, max_slippage_pips: 5 }))),
  };
}

/** The one seeded source of every choice: the same seed gives the same draws, in the same order. */
export class Rng {
  private readonly gen;
  constructor(seed: number) {
    this.gen = xoroshiro128plus(seed);
  }
  int(lo: number, hi: number): number {
    return uniformInt(this.gen, lo, hi);
  }
  chance(percent: number): boolean {
    return this.int(0, 99) < percent;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
  hex(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += "0123456789abcdef"[this.int(0, 15)];
    return s;
  }
}

/** The faults asked for, the ones still to force, and the random source they draw from. */
export interface Draws {
  readonly rng: Rng;
  readonly faults: ReadonlySet<Fault>;
  /** Forced faults that have not happened yet. */
  readonly toForce: Set<Fault>;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function compact(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

/** A price in pipettes as the logs write it. */
export function price(inst: Instrument, pipettes: number): string {
  return D.toPlain(D.mul(D.decFromInt(pipettes), inst.pipetteSize));
}
