// When interval reconciliations are due (docs/reference/rules.md, "Reconciliation": on a cadence of
// event time). Pure.
//
// In a quiet stretch (no record between several due times) the runs in the middle would see exactly
// what the first one saw, so they are coalesced: the first due run and the last one before `now`
// run (the last still catches TTL expiry and grace timeouts), and the ones between are counted. A
// log spanning years with a 5-minute cadence thus costs runs per record, not per five minutes.

export interface DueRuns {
  /** Event times (ms) of the runs to make now, in order: none, one, or the first and the last. */
  readonly atMs: readonly number[];
  /** Runs between them that would have seen nothing new. */
  readonly coalesced: number;
}

const NONE_DUE: DueRuns = { atMs: [], coalesced: 0 };

/**
 * The interval runs due before a record at `nowMs`, given the next due time (undefined before the
 * first run). A run is due when its time has come (inclusive: a record exactly at the due time is
 * preceded by the run). Each run schedules the next one interval after itself.
 */
export function dueRuns(nextDueMs: number | undefined, nowMs: number, intervalMs: number): DueRuns {
  if (nextDueMs === undefined || nowMs < nextDueMs) return NONE_DUE;
  const second = nextDueMs + intervalMs;
  if (nowMs < second) return { atMs: [nextDueMs], coalesced: 0 };
  const skipped = Math.floor((nowMs - second) / intervalMs);
  return { atMs: [nextDueMs, second + skipped * intervalMs], coalesced: skipped };
}
