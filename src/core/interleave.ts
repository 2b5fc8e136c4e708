// The two logs interleaved in event time. The order is defined, not incidental: by timestamp (to the nanosecond),
// then journal before broker (the engine decides, then the broker answers), then by line. Each file must
// itself be in time order; a line that goes back in time is a data error and is never silently re-sorted
// (docs/reference/rules.md, "Event time"). One exception: a broker redelivery (an event id seen before, with
// the same content and so its original ts) may stand anywhere after its first delivery. The merge passes a
// broker line that goes back in time on where it stands; the engine, which knows the event ids seen, accepts
// it only as such a redelivery (see Engine.step).

import { DataError } from "../domain/errors.js";
import type { BrokerEvent, InputRecord, JournalRecord } from "../domain/records.js";
import { compareInstants, type Instant } from "../domain/time.js";

/** The time-order error for a line that goes back before `previous`. */
export function timeOrderError(r: Timed, previous: Instant): DataError {
  return new DataError(r.src, r.line, "ts", `a time at or after the previous line's ${previous.text} (each file must be in time order)`, r.ts.text);
}

/** What interleaving reads of a record (a validated one, or a line a shard only peeked at). */
export type Timed = Pick<InputRecord, "src" | "line" | "ts">;

/** Yields the records, checking time order; a late line passes (at its place) only when `late` allows. */
function* inTimeOrder<T extends Timed>(records: Iterable<T>, lateAllowed: boolean): Generator<T> {
  let previous: Instant | undefined;
  for (const r of records) {
    if (previous !== undefined && compareInstants(r.ts, previous) < 0) {
      if (!lateAllowed) throw timeOrderError(r, previous);
      yield r; // judged by the engine: only a redelivery may stand here
      continue;
    }
    previous = r.ts;
    yield r;
  }
}

export function* interleaveByEventTime<J extends Timed = JournalRecord, B extends Timed = BrokerEvent>(
  journal: Iterable<J>,
  broker: Iterable<B>,
): Generator<J | B> {
  const j = inTimeOrder(journal, false)[Symbol.iterator]();
  const b = inTimeOrder(broker, true)[Symbol.iterator]();
  try {
    let nj = j.next();
    let nb = b.next();
    while (!nj.done || !nb.done) {
      if (nb.done || (!nj.done && compareInstants(nj.value.ts, nb.value.ts) <= 0)) {
        yield nj.value as J;
        nj = j.next();
      } else {
        yield nb.value;
        nb = b.next();
      }
    }
  } finally {
    // A caller that stops early (a bad line, a stop) closes both sources, e.g. their files.
    j.return?.(undefined);
    b.return?.(undefined);
  }
}
