// Event time. Inputs carry RFC 3339 UTC timestamps with up to nine fractional digits; JavaScript's
// Date keeps only milliseconds, so an instant is kept as whole milliseconds since the epoch plus the
// nanoseconds below them. Ordering uses both; durations (TTL, cadence, grace) use milliseconds.

export interface Instant {
  /** Whole milliseconds since 1970-01-01T00:00:00Z. */
  readonly ms: number;
  /** Nanoseconds below the millisecond, 0..999999. */
  readonly subNs: number;
  /** The timestamp as written in the input, echoed verbatim into artifacts. */
  readonly text: string;
}

const RFC3339_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

/** Parses an RFC 3339 timestamp in UTC ('Z'). Returns undefined when malformed or out of range. */
export function parseInstant(text: string): Instant | undefined {
  const m = RFC3339_UTC.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  if (
    month! < 1 || month! > 12 || day! < 1 || day! > 31 ||
    hour! > 23 || minute! > 59 || second! > 59
  ) {
    return undefined;
  }
  const wholeMs = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  // Date.UTC rolls 2025-02-30 over into March; such a date is not a real instant.
  if (new Date(wholeMs).getUTCDate() !== day) return undefined;
  const frac = (m[7] ?? "").padEnd(9, "0");
  const fracNs = Number(frac);
  return { ms: wholeMs + Math.floor(fracNs / 1_000_000), subNs: fracNs % 1_000_000, text };
}

export function compareInstants(a: Instant, b: Instant): number {
  return a.ms - b.ms || a.subNs - b.subNs;
}

/** A synthetic instant (for a reconcile due on the cadence), printed with millisecond precision. */
export function instantFromMs(ms: number): Instant {
  return { ms, subNs: 0, text: new Date(ms).toISOString() };
}

export function utcHour(t: Instant): number {
  return new Date(t.ms).getUTCHours();
}

/** The UTC calendar day, "YYYY-MM-DD", for daily limits. */
export function utcDay(t: Instant): string {
  return new Date(t.ms).toISOString().slice(0, 10);
}

export function formatMs(ms: number): string {
  return new Date(ms).toISOString();
}
