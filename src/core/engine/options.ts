// What an engine is given (EngineOptions) and what a shard's engine hands to merge besides its
// groups (ShardEvidence).

import type { Dec } from "../../domain/decimal.js";
import type { CacheEntry } from "../books/cache.js";
import type { EmitGroup } from "../output/emit.js";
import type { BrokerRecall } from "./redelivery.js";

export interface EngineOptions {
  /** sha256 of the effective config, quoted in broker-limit mismatch alerts. */
  readonly configHash: string;
  /** The cache as loaded at process start (empty for a fresh or in-memory cache). */
  readonly cacheEntries: readonly CacheEntry[];
  /** Why the cache could not be loaded, or null. A failure engages the kill switch at startup. */
  readonly cacheFailure: string | null;
  /**
   * Reads a broker line again by its `pos`. Given, the redelivery check keeps one number per event
   * id instead of the line's text (memory), and reads the first delivery back only when an id
   * comes again. Absent (in-memory logs), it keeps the text.
   */
  readonly recallBroker?: BrokerRecall;
  /**
   * Where emitted groups go. Absent: an internal assembler numbers them into the report (a plain
   * replay). A shard replay writes them out instead, for `merge`.
   */
  readonly emit?: (group: EmitGroup) => void;
  /**
   * False when no store follows the order-id cache (a replay without --cache): its changes are then
   * not queued for drainCacheOps. Default true.
   */
  readonly queueCacheChanges?: boolean;
}

/** What a shard must tell `merge` so it can prove the merged result is the unsharded one. */
export interface ShardEvidence {
  /** The last group in which a decision was sent or skipped rather than blocked (-1: none). */
  readonly lastUnblockedDecisionGroup: number;
  /** Per UTC day, the lowest realized P&L seen at a limits check (days that went negative only). */
  readonly dayPnlLows: ReadonlyArray<readonly [string, Dec]>;
  /** The most order-id cache entries held at once. */
  readonly cacheEntriesPeak: number;
}

