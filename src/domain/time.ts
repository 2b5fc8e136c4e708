// Event time. Inputs carry RFC 3339 timestamps with up to nine fractional digits (an offset is
// turned into UTC at the boundary); JavaScript's Date keeps only milliseconds, so an instant is kept
// as whole milliseconds since the epoch plus the nanoseconds below them. Ordering uses both;
// durations (TTL, cadence, grace) use milliseconds.

export interface Instant {
  /** Whole milliseconds since 1970-01-01T00:00:00Z. */
  readonly ms: number;
  /** Nanoseconds below the millisecond, 0..999999. */
  readonly subNs: number;
  /** The timestamp as written in the input, echoed verbatim into artifacts. */
  readonly text: string;
}

/** The form parseInstant accepts (it reads it by character code; tests hold it to this). */
export const RFC3339_UTC_SHAPE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

/** Midnight (ms) of each calendar day seen, or NaN for a day that does not exist (2025-02-30). */
const dayStartMs = new Map<string, number>();
const DAY_CACHE_ENTRIES_MAX = 100_000;

function startOfDayMs(date: string, year: number, month: number, day: number): number {
  let ms = dayStartMs.get(date);
  if (ms !== undefined) return ms;
  // Not Date.UTC(year, ...): it reads years 0-99 as 1900-1999. setUTCFullYear takes the year as is.
  const midnight = new Date(0);
  midnight.setUTCFullYear(year, month - 1, day);
  ms = midnight.getTime();
  // A date such as 2025-02-30 rolls over into March; such a date is not a real day.
  if (month < 1 || month > 12 || midnight.getUTCDate() !== day) ms = NaN;
  if (dayStartMs.size < DAY_CACHE_ENTRIES_MAX) dayStartMs.set(date, ms);
  return ms;
}

const CHAR_0 = 48;

/** The calendar day parseInstant read last ("YYYY-MM-DD") and its midnight. */
const lastDay = { date: "", ms: 0 };

function rememberDay(date: string, year: number, month: number, day: number): number {
  const ms = startOfDayMs(date, year, month, day);
  lastDay.date = date;
  lastDay.ms = ms;
  return ms;
}

/** The value of `count` ASCII digits at `at`, or -1 if one of them is not a digit. */
function digitsAt(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - CHAR_0;
    if (!(d >= 0 && d <= 9)) return -1; // NaN past the end of the text, too
    n = n * 10 + d;
  }
  return n;
}

/**
 * Parses an RFC 3339 timestamp in UTC ('Z'). Returns undefined when malformed or out of range.
 * Read by character code, not a regular expression: it runs for every input line, and a match
 * array per line was a measurable share of the garbage collector's work.
 */
export function parseInstant(text: string): Instant | undefined {
  // YYYY-MM-DDTHH:MM:SS then optionally .F{1,9}, then Z: the shape RFC3339_UTC_SHAPE describes.
  const n = text.length;
  if (n < 20 || n > 30 || text.charCodeAt(n - 1) !== 90 /* Z */) return undefined;
  if (text[4] !== "-" || text[7] !== "-" || text[10] !== "T" || text[13] !== ":" || text[16] !== ":") return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  let frac = 0;
  if (n > 20) {
    if (text[19] !== "." || n === 21) return undefined;
    const fracDigits = n - 21;
    const f = digitsAt(text, 20, fracDigits);
    if (f < 0) return undefined;
    frac = f * 10 ** (9 - fracDigits);
  }
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  // Consecutive input lines are nearly always on one day: that day's midnight without a slice.
  const dayMs = lastDay.date !== "" && text.startsWith(lastDay.date) ? lastDay.ms : rememberDay(text.slice(0, 10), year, month, day);
  if (Number.isNaN(dayMs)) return undefined;
  const wholeMs = dayMs + hour * 3_600_000 + minute * 60_000 + second * 1000;
  return { ms: wholeMs + Math.floor(frac / 1_000_000), subNs: frac % 1_000_000, text };
}

const RFC3339_OFFSET = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,9})?([+-])(\d{2}):(\d{2})$/;

/**
 * An input timestamp: RFC 3339 in UTC ('Z'), or with an offset ('+02:00'), which becomes the same
 * instant written in UTC with 'Z' and the fractional digits it was given. A 'Z' timestamp keeps its
 * text byte for byte (artifacts echo it).
 */
export function parseInputInstant(text: string): Instant | undefined {
  const m = RFC3339_OFFSET.exec(text);
  if (m === null) return parseInstant(text);
  const local = parseInstant(`${m[1]}Z`); // the wall-clock fields, checked like any UTC time
  const hours = Number(m[4]);
  const minutes = Number(m[5]);
  if (local === undefined || hours > 23 || minutes > 59) return undefined;
  const utcMs = local.ms - (m[3] === "-" ? -1 : 1) * (hours * 60 + minutes) * 60_000;
  const iso = new Date(utcMs).toISOString();
  if (!/^\d{4}-/.test(iso)) return undefined; // moved out of four-digit years
  return parseInstant(iso.slice(0, 19) + (m[2] ?? "") + "Z");
}

export function compareInstants(a: Instant, b: Instant): number {
  return a.ms - b.ms || a.subNs - b.subNs;
}

/** A synthetic instant (for a reconcile due on the cadence), printed with millisecond precision. */
export function instantFromMs(ms: number): Instant {
  return { ms, subNs: 0, text: new Date(ms).toISOString() };
}

// Every instant's text is RFC 3339 in UTC ("...Z": validated inputs, or toISOString for synthetic
// ones), so its calendar fields can be read straight from the text, without a Date per event.

export function utcHour(t: Instant): number {
  return Number(t.text.slice(11, 13));
}

/** The UTC calendar day, "YYYY-MM-DD", for daily limits. */
export function utcDay(t: Instant): string {
  return t.text.slice(0, 10);
}

export function formatMs(ms: number): string {
  return new Date(ms).toISOString();
}

const NS_PER_MS = 1_000_000;

/**
 * The instant in UTC with nine fractional digits ("2025-10-20T08:00:01.500000000Z"): one fixed width whatever
 * precision the input had, so text order is time order (docs/reference/artifacts.md, "trades.csv").
 */
export function formatFixedWidth(t: Instant): string {
  const msInDay = ((t.ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
  const midnight = t.ms - msInDay;
  if (midnight !== lastMidnight) {
    lastMidnight = midnight;
    lastDate = new Date(midnight).toISOString().slice(0, 11);
  }
  const seconds = Math.floor(msInDay / 1000);
  const fraction = (msInDay % 1000) * NS_PER_MS + t.subNs;
  return `${lastDate}${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}.${String(fraction).padStart(9, "0")}Z`;
}

const MS_PER_DAY = 86_400_000;
/** The calendar date ("2025-10-20T") of the last midnight formatted: rows of one day share it. */
let lastMidnight = Number.NaN;
let lastDate = "";
const two = (n: number): string => (n < 10 ? `0${n}` : String(n));
