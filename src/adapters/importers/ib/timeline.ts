// Time in IB's messages. Execution times carry no zone ("20230224  12:04:56" is in the TWS login's
// zone): without --tz the importer refuses (exit 2) rather than guess. openOrder / orderStatus /
// position carry no time at all: at the end they take the time of the nearest timed message before
// them in their file (else after them, else --as-of).

import { assert, ConfigError } from "../../../domain/errors.js";
import { type OutRecord, type Pos, snapshotEventId, toUtc } from "../common.js";
import { wallToUtc } from "../tz.js";
import type { Entry, IbImport } from "./context.js";

/** "20230224  12:04:56" (TWS-local: needs --tz), "… 12:04:56 US/Eastern" (named), "20230224-12:04:56" (UTC). */
export function execTime(p: IbImport, text: string, pos: Pos): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})( +|-)(\d{2}):(\d{2}):(\d{2})(?:\s+(\S+))?$/.exec(text.trim());
  if (m === null) {
    p.report.problem(pos, `execDetails time ${JSON.stringify(text)}: expected "yyyymmdd  hh:mm:ss" with an optional zone`);
    return undefined;
  }
  const w = { y: Number(m[1]), mo: Number(m[2]), d: Number(m[3]), h: Number(m[5]), mi: Number(m[6]), s: Number(m[7]) };
  const zone = m[8] ?? (m[4] === "-" ? "UTC" : p.opts.tz);
  if (zone === undefined) {
    throw new ConfigError(`${pos.file}:${pos.line}: execution time ${JSON.stringify(text)} carries no zone (TWS writes its login's local time); ` +
      "pass --tz with that zone, e.g. --tz America/New_York. The importer does not guess.");
  }
  let r: ReturnType<typeof wallToUtc>;
  try {
    r = wallToUtc(w, zone);
  } catch {
    p.report.problem(pos, `execution time zone ${JSON.stringify(zone)} is not an IANA zone`);
    return undefined;
  }
  if ("nonexistent" in r) {
    p.report.problem(pos, `execution time ${JSON.stringify(text)} does not exist in ${zone} (skipped by a daylight-saving jump)`);
    return undefined;
  }
  let ms: number;
  if ("ambiguous" in r) {
    p.report.problem(pos, `execution time ${JSON.stringify(text)} happens twice in ${zone} (clocks set back); the earlier instant is used`);
    ms = r.ambiguous[0];
  } else {
    ms = r.ms;
  }
  if (!p.zonelessNoted && m[8] === undefined && m[4] !== "-") {
    p.zonelessNoted = true;
    p.report.note(`zoneless TWS times read as ${zone} (--tz)`);
  }
  return new Date(ms).toISOString().slice(0, 19) + "Z";
}

/** currentTime (49): no record, but a time the untimed messages around it can take. */
export function timeAnchor(p: IbImport, f: string[], pos: Pos): void {
  const secs = f[2] ?? f[1];
  if (secs !== undefined && /^\d+$/.test(secs)) p.timeline.push({ ts: new Date(Number(secs) * 1000).toISOString().slice(0, 19) + "Z", fields: undefined, pos });
  p.report.ignore("currentTime (used as a time anchor)");
}

/**
 * The timeline's records, each with its time: an untimed message borrows the nearest time in its
 * own file (files may be hours apart): the last timed message before it, else the first after it,
 * else --as-of. Fills not in `keep` (superseded executions) are left out.
 */
export function timedRecords(p: IbImport, keep: ReadonlySet<Entry>): OutRecord[] {
  const asOf = p.opts.asOf === undefined ? undefined : toUtc(p.opts.asOf);
  const { before, after } = neighbourTimes(p.timeline);
  const records: OutRecord[] = [];
  let [entries, superseded, untimed] = [0, 0, 0];
  p.timeline.forEach((e, i) => {
    if (e.fields === undefined) return;
    entries += 1;
    if (e.fields["type"] === "fill" && !keep.has(e)) return void (superseded += 1);
    const ts = e.ts ?? before[i] ?? after[i] ?? asOf;
    if (ts === undefined) {
      untimed += 1;
      p.report.problem(e.pos, `${String(e.fields["type"])}: IB sends no time with this message and no timed message or --as-of is available; not imported`);
      return;
    }
    e.fields["ts"] = ts;
    if (e.fields["type"] === "position_snapshot") e.fields["event_id"] = snapshotEventId("ib:positions", e.fields["positions"], ts);
    records.push({ ts, fields: e.fields, pos: e.pos, seq: e.seq });
  });
  assert(records.length + superseded + untimed === entries, "every record of the timeline is written, superseded by its correction, or reported untimed");
  return records;
}

/** For each place in the timeline, the last time before it and the first after it, within its file. */
function neighbourTimes(timeline: readonly Entry[]): { before: (string | undefined)[]; after: (string | undefined)[] } {
  const n = timeline.length;
  const before: (string | undefined)[] = new Array(n);
  const after: (string | undefined)[] = new Array(n);
  for (let i = 0, last: string | undefined, file = ""; i < n; i += 1) {
    const e = timeline[i]!;
    if (e.pos.file !== file) [last, file] = [undefined, e.pos.file];
    before[i] = last;
    last = e.ts ?? last;
  }
  for (let i = n - 1, next: string | undefined, file = ""; i >= 0; i -= 1) {
    const e = timeline[i]!;
    if (e.pos.file !== file) [next, file] = [undefined, e.pos.file];
    after[i] = next;
    next = e.ts ?? next;
  }
  return { before, after };
}
