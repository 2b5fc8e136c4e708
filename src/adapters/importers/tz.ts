// Local wall-clock time in a named IANA zone → UTC, without guessing. The zone's rules come from
// the ICU data bundled with Node, so the answer is the same on every machine whatever its own zone.

import { ConfigError } from "../../domain/errors.js";

export interface WallClock {
  readonly y: number;
  readonly mo: number;
  readonly d: number;
  readonly h: number;
  readonly mi: number;
  readonly s: number;
}

/** One formatter per zone, made on first use (a cache, not a constant). */
const formatByZone = new Map<string, Intl.DateTimeFormat>();

/** Checks an IANA zone name (ConfigError, exit 2, when unknown) and returns it. */
export function checkZone(zone: string): string {
  try {
    formatFor(zone);
  } catch {
    throw new ConfigError(`--tz ${JSON.stringify(zone)} is not an IANA time zone (e.g. America/New_York, Europe/London, UTC)`);
  }
  return zone;
}

function formatFor(zone: string): Intl.DateTimeFormat {
  let f = formatByZone.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
    formatByZone.set(zone, f);
  }
  return f;
}

function wallAt(ms: number, zone: string): WallClock {
  const parts = Object.fromEntries(formatFor(zone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return { y: Number(parts["year"]), mo: Number(parts["month"]), d: Number(parts["day"]), h: Number(parts["hour"]) % 24, mi: Number(parts["minute"]), s: Number(parts["second"]) };
}

const HALF_DAY_MS = 12 * 3600 * 1000;

/**
 * The UTC epoch ms of a wall-clock time in `zone`. A time skipped by a DST jump is "nonexistent";
 * a time that happens twice (clocks set back) is "ambiguous" with both candidates, earlier first.
 */
export function wallToUtc(w: WallClock, zone: string): { ms: number } | { nonexistent: true } | { ambiguous: [number, number] } {
  const naive = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  const offsets = new Set<number>();
  for (const probe of [naive - HALF_DAY_MS, naive, naive + HALF_DAY_MS]) {
    const local = wallAt(probe, zone);
    offsets.add(Date.UTC(local.y, local.mo - 1, local.d, local.h, local.mi, local.s) - probe);
  }
  const hits = [...offsets].map((off) => naive - off).filter((ms) => {
    const back = wallAt(ms, zone);
    return back.y === w.y && back.mo === w.mo && back.d === w.d && back.h === w.h && back.mi === w.mi && back.s === w.s;
  });
  const unique = [...new Set(hits)].sort((a, b) => a - b);
  if (unique.length === 0) return { nonexistent: true };
  if (unique.length === 1) return { ms: unique[0]! };
  return { ambiguous: [unique[0]!, unique[1]!] };
}
