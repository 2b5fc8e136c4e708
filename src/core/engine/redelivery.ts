// Redelivery (docs/reference/rules.md, "Redeliveries"): a broker event whose event_id was already seen with
// the same content is a duplicate delivery (counted, otherwise a no-op); the same id with different content
// is a conflict (bad input). This module remembers every event id of the replay and answers "was this
// delivered before?". The question and the recording are separate calls: `firstDeliveryOf` only looks.

import { assert, DataError } from "../../domain/errors.js";
import type { BrokerEvent } from "../../domain/records.js";
import { parseJsonExact, sameJsonValue } from "../../domain/json-text.js";
import { compareInstants, type Instant } from "../../domain/time.js";
import { timeOrderError } from "../interleave.js";
import { SeenIdTable } from "./seen-ids.js";
import type { BrokerTick } from "../shard/shard.js";

/** Reads a broker line again by its `pos` (the shell's byte offset, or a line number in memory). */
export interface BrokerRecall {
  /** The text of the broker line at `pos`. */
  text(pos: number): string;
  /** Its line number (only for an error message: may be slow). */
  line(pos: number): number;
}

/** The earlier delivery of an event id: its text, and (lazily) its line for a message. */
export interface PriorDelivery {
  readonly text: string;
  readonly line: () => number;
}

/** Two deliveries of an event carry the same content: byte-identical, or equal JSON values (numbers exactly). */
export function sameContent(a: string, b: string): boolean {
  return a === b || sameJsonValue(parseJsonExact(a), parseJsonExact(b));
}

/** A redelivery check's verdict, when it was made upstream of the engine (a split replay's reader). */
export type Delivery = "first" | "again";

/** What redelivery reads of a broker event (a validated one, or a line a shard only peeked at). */
export type Delivered = Pick<BrokerEvent, "src" | "line" | "ts" | "eventId" | "fingerprint" | "pos">;

export class Redelivery {
  /** With a recall: a 32-bit hash and a position per id; the first delivery is read back to confirm. */
  private readonly seenIds = new SeenIdTable();
  /** Without a recall (in-memory logs): every event id with its first delivery's text. */
  private readonly seenTexts = new Map<string, { readonly fingerprint: string; readonly line: number }>();
  /** Duplicate deliveries counted so far. */
  duplicates = 0;
  /** The latest broker event time delivered in order (a redelivery may stand after it, late). */
  private lastTs: Instant | undefined;

  constructor(private readonly recall: BrokerRecall | undefined) {}

  /** The earlier delivery of this event's id, or undefined. Looks only: `remember` records. */
  firstDeliveryOf(ev: Delivered): PriorDelivery | undefined {
    const recall = this.recall;
    if (recall === undefined) {
      const first = this.seenTexts.get(ev.eventId);
      return first === undefined ? undefined : { text: first.fingerprint, line: () => first.line };
    }
    let text = "";
    const pos = this.seenIds.find(ev.eventId, (p) => {
      text = recall.text(p);
      return (JSON.parse(text) as { event_id?: unknown }).event_id === ev.eventId;
    });
    return pos === undefined ? undefined : { text, line: () => recall.line(pos) };
  }

  /** Records the first delivery of an event id (the caller has checked it is new). */
  remember(ev: Delivered): void {
    if (this.recall === undefined) this.seenTexts.set(ev.eventId, { fingerprint: ev.fingerprint, line: ev.line });
    else this.seenIds.add(ev.eventId, ev.pos);
  }

  /**
   * `deliver`, or, for an event judged upstream (`judged` given: a replay split across threads keeps
   * one index of event ids, in its reader), that verdict taken as given, a redelivery counted.
   */
  take(ev: BrokerEvent | BrokerTick, judged: Delivery | undefined): boolean {
    if (judged === undefined) {
      assert("eventId" in ev, "an event judged here carries its id and content");
      return this.deliver(ev);
    }
    if (judged === "again") this.duplicates += 1;
    return judged === "first";
  }

  /**
   * Takes one delivery: true for the first delivery of its id (now remembered), false for a
   * duplicate (counted). A redelivery with different content is bad input. A line that goes back in
   * time is accepted only as a redelivery (it may stand anywhere after its first delivery:
   * docs/reference/rules.md, "Redeliveries"); anything else breaks the file's time order.
   */
  deliver(ev: Delivered): boolean {
    const before = this.lastTs;
    const late = before !== undefined && compareInstants(ev.ts, before) < 0;
    if (!late) this.lastTs = ev.ts;
    const prior = this.firstDeliveryOf(ev);
    if (prior === undefined) {
      if (late) throw timeOrderError(ev, before);
      this.remember(ev);
      return true;
    }
    if (!sameContent(prior.text, ev.fingerprint)) {
      throw new DataError("broker", ev.line, "event_id",
        `a unique event_id, or a redelivery with identical content (it was first seen on line ${prior.line()} with different content)`,
        JSON.stringify(ev.eventId));
    }
    this.duplicates += 1;
    return false;
  }
}
