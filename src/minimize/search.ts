// The whole search of `minimize`, as a generator of candidate batches (see ddmin.ts for why): the
// smallest window of the logs that keeps the predicate; then ddmin over its lines; then, line by line, drop any one field
// (or array element) the validator can do without while the predicate still holds; and again over
// lines while dropping fields made a difference. The result is 1-minimal over lines: no single
// line can be removed. Pure and deterministic: the same inputs give the same result, however the
// batches are tried, because the answer to a batch is always its first candidate that holds.

import type { Json } from "../domain/json.js";
import { isObject } from "../domain/json.js";
import { type Batch, ddmin, type SearchState, windows } from "./ddmin.js";
import type { Item } from "./trials.js";

/** Candidates of one batch, as lines. */
export interface ItemBatch {
  readonly size: number;
  candidate(i: number): readonly Item[];
  sizeOf(i: number): number;
}

export type Search = Generator<ItemBatch, Item[], number>;

/** A ddmin over positions, seen as batches of lines. */
function* overItems(search: Generator<Batch, number[], number>, items: readonly Item[]): Generator<ItemBatch, Item[], number> {
  let step = search.next();
  while (step.done !== true) {
    const b = step.value;
    const answer = yield { size: b.size, sizeOf: (i) => b.sizeOf(i), candidate: (i) => b.candidate(i).map((p) => items[p]!) };
    step = search.next(answer);
  }
  return step.value.map((p) => items[p]!);
}

/** Every value that is `value` with one part removed: an object key (never a record's "type"), or an array element. */
export function* withOnePartLess(value: unknown, top = true): Generator<unknown> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield [...value.slice(0, i), ...value.slice(i + 1)];
    for (let i = 0; i < value.length; i++) {
      for (const v of withOnePartLess(value[i], false)) yield [...value.slice(0, i), v, ...value.slice(i + 1)];
    }
    return;
  }
  if (!isObject(value)) return;
  const keys = Object.keys(value).filter((k) => !(top && k === "type"));
  for (const k of keys) {
    const { [k]: _dropped, ...rest } = value;
    yield rest;
  }
  for (const k of keys) {
    for (const v of withOnePartLess(value[k], false)) yield { ...value, [k]: v as Json[string] };
  }
}

/**
 * Drops fields line by line: each line's variants with one part less are tried in order, the first
 * that keeps the predicate is taken (on every copy of that line, so a redelivery stays identical),
 * and the line is tried again. Returns the new lines, or null when nothing could be dropped.
 */
function* dropFields(items: readonly Item[], nextId: () => number): Generator<ItemBatch, Item[] | null, number> {
  let current = [...items];
  let changed = false;
  for (let p = 0; p < current.length; p++) {
    for (;;) {
      const line = current[p]!;
      const variants = [...withOnePartLess(JSON.parse(line.text))].map((v): Item => ({ id: nextId(), src: line.src, text: JSON.stringify(v) }));
      if (variants.length === 0) break;
      const replaced = (v: Item) => current.map((it) => (it.text === line.text ? v : it));
      const kept = yield { size: variants.length, sizeOf: () => current.length, candidate: (i) => replaced(variants[i]!) };
      if (kept < 0) break;
      current = replaced(variants[kept]!);
      changed = true;
    }
  }
  return changed ? current : null;
}

/**
 * The whole search over `items` (both logs' lines in event order), which must keep the predicate
 * (the caller checks that first, to say why when they do not). Returns the lines kept.
 */
export function* minimizeSearch(items: readonly Item[], state: (s: SearchState) => void = () => {}): Search {
  let next = items.reduce((m, i) => Math.max(m, i.id), -1) + 1;
  const nextId = () => next++;
  // The engine starts at a journal record: windows begin at one.
  let current = yield* overItems(windows(items.length, (p) => items[p]!.src === "journal", state), items);
  for (;;) {
    current = yield* overItems(ddmin(current.length, state), current);
    const fewer = yield* dropFields(current, nextId);
    if (fewer === null) return current;
    current = fewer;
  }
}

/** Drives a search with a function that answers each batch (the index of its first candidate that holds, or -1). */
export function runSearch(search: Search, answer: (b: ItemBatch) => number): Item[] {
  let step = search.next();
  while (step.done !== true) step = search.next(answer(step.value));
  return step.value;
}

/** The same, with an answer that takes its time (worker threads). */
export async function runSearchAsync(search: Search, answer: (b: ItemBatch) => Promise<number>): Promise<Item[]> {
  let step = search.next();
  while (step.done !== true) step = search.next(await answer(step.value));
  return step.value;
}

/** The in-process answer: try a batch's candidates in order and stop at the first that holds. */
export function firstThatHolds(holds: (items: readonly Item[]) => boolean): (b: ItemBatch) => number {
  return (b) => {
    for (let i = 0; i < b.size; i++) if (holds(b.candidate(i))) return i;
    return -1;
  };
}
