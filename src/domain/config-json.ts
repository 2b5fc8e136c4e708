// The effective config in the config file's own shape: what reconcile-report.json shows and what
// the config hash is taken over. Keys in a fixed order, every value exact.

import { type Config } from "./config.js";
import { parseDec, toPlain as decToText, type Dec } from "./decimal.js";
import { baseFromSymbol, holdsBaseAsset, type Instrument } from "./instruments.js";

/** The effective config in file shape, keys in a fixed order: what the config hash is taken over. */
export function configToJson(c: Config): Record<string, unknown> {
  // A number when a double holds the value exactly (every usual config), else its exact decimal
  // string: the config hash and the report must not round a setting.
  const num = (d: Dec): number | string => {
    const text = decToText(d);
    return parseDec(String(Number(text))) === d ? Number(text) : text;
  };
  return {
    idempotency_ttl_ms: c.idempotencyTtlMs,
    idempotency_ttl_ms_by_symbol: Object.fromEntries(c.idempotencyTtlMsBySymbol),
    reconcile_interval_ms: c.reconcileIntervalMs,
    in_flight_grace_ms: c.inFlightGraceMs,
    signature_match_window_ms: c.signatureMatchWindowMs,
    drift_tolerance_units: num(c.driftToleranceUnits),
    drift_tolerance_pips: num(c.driftTolerancePips),
    pip_sizes: Object.fromEntries([...c.pipSizes].map(([k, v]) => [k, num(v)])),
    instruments: Object.fromEntries([...c.instruments].map(([k, i]) => [k, {
      asset_class: i.assetClass, quote_currency: i.quoteCurrency, [i.unit === "pips" ? "pip_size" : "tick_size"]: num(i.unitSize),
      // Written only where it says more than the symbol does, so a config that never names it keeps its hash.
      ...(i.baseCurrency === baseFromSymbolOf(i) ? {} : { base_currency: i.baseCurrency }),
    }])),
    sessions: c.sessions.map((s) => ({ name: s.name, start_hour: s.startHour, end_hour: s.endHour })),
    slippage_presets: c.slippagePresets.map((p) => ({ symbol: p.symbol, session: p.session, max_slippage_pips: num(p.maxSlippagePips) })),
    limits: {
      daily_loss_cap: c.dailyLossCap === undefined ? null : num(c.dailyLossCap),
      symbol_caps: Object.fromEntries(c.symbolCaps.map(([k, v]) => [k, num(v)])),
    },
    recovery: {
      orphan_policy: c.orphanPolicy,
      open_positions_policy: c.openPositionsPolicy,
      emergency_exit_loss_threshold: c.emergencyExitLossThreshold === undefined ? null : num(c.emergencyExitLossThreshold),
    },
    line_bytes_max: c.lineBytesMax,
    events_max: c.eventsMax,
    cache_entries_max: c.cacheEntriesMax,
    report_list_items_max: c.reportListItemsMax,
  };
}


/** The base asset an instrument's symbol alone gives it (see baseCurrencyOf). */
function baseFromSymbolOf(i: Instrument): string | undefined {
  return holdsBaseAsset(i.assetClass) ? baseFromSymbol(i.symbol, i.quoteCurrency) : undefined;
}

