// The two logs as the search sees them: every line validated (with its real line number, so a bad
// line is named as the user sees it) and put in event order, the order the replay interleaves them in.
// Pure: the shell hands the lines in.

import { interleaveByEventTime } from "../core/interleave.js";
import type { BrokerEvent, InputRecord, JournalRecord } from "../domain/records.js";
import { parseBrokerLine, parseJournalLine } from "../domain/validate.js";
import type { Item, Source } from "./trials.js";

export interface NumberedLine {
  readonly text: string;
  readonly line: number;
}

export interface Lines {
  /** Both logs' lines in event order; an item's id is its place in the files read (journal first). */
  readonly items: Item[];
  /** The records, in file order with their real line numbers; `recordOf` pairs each item with its own. */
  readonly journal: JournalRecord[];
  readonly broker: BrokerEvent[];
  readonly recordOf: ReadonlyMap<Item, InputRecord>;
}

/** Validates both logs (a DataError names file:line) and orders their lines in event time. */
export function linesInEventOrder(journalLines: Iterable<NumberedLine>, brokerLines: Iterable<NumberedLine>): Lines {
  const journal: JournalRecord[] = [];
  const broker: BrokerEvent[] = [];
  const itemOf = new Map<InputRecord, Item>();
  const read = (src: Source, lines: Iterable<NumberedLine>) => {
    for (const { text, line } of lines) {
      const rec = src === "journal" ? parseJournalLine(text, line) : parseBrokerLine(text, line);
      if (rec.src === "journal") journal.push(rec);
      else broker.push(rec);
      itemOf.set(rec, { id: itemOf.size, src, text });
    }
  };
  read("journal", journalLines);
  read("broker", brokerLines);
  const items: Item[] = [];
  const recordOf = new Map<Item, InputRecord>();
  for (const rec of interleaveByEventTime(journal, broker)) {
    const item = itemOf.get(rec)!;
    items.push(item);
    recordOf.set(item, rec);
  }
  return { items, journal, broker, recordOf };
}

/** Lines of an in-memory log, numbered from 1. */
export const numbered = (texts: readonly string[]): NumberedLine[] => texts.map((text, i) => ({ text, line: i + 1 }));
