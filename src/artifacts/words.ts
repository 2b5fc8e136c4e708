// Plain words for the closed lists the artifacts write, for every reader that shows them to a person
// (the HTML page, the job summary's verdict).

import type { KillReason } from "../domain/report.js";

/** Plain words for the kill-switch reasons the engine writes; unknown reasons are shown as written. */
export const KILL_REASON_WORDS: Readonly<Record<KillReason, string>> = {
  stale_local_order: "the engine holds an order as open that the broker has no live record of",
  orphan_broker_order: "the broker has an order or fill the engine never sent",
  position_drift: "engine and broker net positions differ beyond tolerance",
  cache_load_failed: "the idempotency cache could not be loaded (or its checksum did not match)",
  broker_unreachable: "the broker could not be reached at a reconcile",
  symbol_cap_breach: "a position exceeds the broker's per-symbol cap",
  daily_loss_breach: "the day's realized loss exceeds the daily loss cap",
  overfill: "the broker filled more than an order's quantity",
  order_mismatch: "the broker's live order under the engine's id differs from what the engine decided",
  instrument_undescribed: "the broker's log names an instrument the config does not describe",
};
