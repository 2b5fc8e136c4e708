// Delta debugging (Zeller and Hildebrandt's ddmin) over a list of items, as a generator: it yields
// batches of candidate subsets, in the order ddmin tries them, and is told which is the first that
// still keeps the predicate (-1: none). The caller decides how to try them (one by one in-process,
// or several at once in worker threads); since the answer is always the first in order, the search
// and its result are the same either way. Pure.
//
// The result is 1-minimal: removing any single item of it loses the predicate (the last round tries
// every complement of one item and finds none that keeps it).
//
// ddmin alone is slow on a replay's logs: almost any cut leaves orders half in and half out (broker
// events of a decision cut away are orphans, which engage the kill switch, which blocks every later
// decision), so few large subsets keep a precise predicate, and the complements ddmin then tries
// are each nearly as large as the whole. `windows` comes first: it narrows to the smallest
// contiguous window that keeps the predicate, trying only windows that start where the engine
// would start (a journal record), at ever finer cuts; each round costs one replay's worth of lines.

/** A batch of candidates; each is built only when it is tried (a complement of a large list is large). */
export interface Batch {
  readonly size: number;
  /** Positions into the list the search was given, in order. */
  candidate(i: number): readonly number[];
  /** How many items each candidate keeps (for progress, without building it). */
  sizeOf(i: number): number;
}

/** The state of the search after a batch, for progress lines. */
export interface SearchState {
  readonly items: number;
  readonly granularity: number;
}

/** `list` cut into `n` chunks of nearly equal size, in order. */
function split(list: readonly number[], n: number): number[][] {
  const out: number[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = start + Math.floor((list.length - start) / (n - i));
    out.push(list.slice(start, end));
    start = end;
  }
  return out;
}

function subsets(chunks: readonly (readonly number[])[]): Batch {
  return { size: chunks.length, candidate: (i) => chunks[i]!, sizeOf: (i) => chunks[i]!.length };
}

function complements(chunks: readonly (readonly number[])[], total: number): Batch {
  return {
    size: chunks.length,
    candidate: (i) => chunks.flatMap((c, k) => (k === i ? [] : c)),
    sizeOf: (i) => total - chunks[i]!.length,
  };
}

/** Positions lo..hi-1. */
const range = (lo: number, hi: number): number[] => Array.from({ length: hi - lo }, (_, i) => lo + i);

/**
 * The window [lo, hi) cut into about `g` windows, each cut moved forward to the next start (so
 * every window but the first begins with one). `starts` is sorted.
 */
function snappedCuts(lo: number, hi: number, g: number, starts: readonly number[]): Array<readonly [number, number]> {
  const cuts = new Set<number>();
  let s = 0;
  for (let k = 1; k < g; k++) {
    const nominal = lo + Math.floor((k * (hi - lo)) / g);
    while (s < starts.length && starts[s]! < nominal) s++;
    if (s < starts.length && starts[s]! > lo && starts[s]! < hi) cuts.add(starts[s]!);
  }
  const edges = [lo, ...[...cuts].sort((a, b) => a - b), hi];
  return edges.slice(1).map((end, i) => [edges[i]!, end] as const);
}

/**
 * The smallest contiguous window of positions 0..n-1 that keeps the predicate, found by trying
 * the windows of ever finer cuts (2, 4, 8, ... pieces) and starting again inside the first that
 * keeps it. `isStart(p)`: whether a window may begin at p. Every candidate is a window, so the
 * cost of one round is one replay's worth of lines. Returns the window's positions.
 */
export function* windows(n: number, isStart: (p: number) => boolean, state: (s: SearchState) => void = () => {}): Generator<Batch, number[], number> {
  let [lo, hi] = [0, n];
  let granularity = 2;
  for (;;) {
    const starts = range(lo, hi).filter(isStart);
    const pieces = snappedCuts(lo, hi, granularity, starts);
    state({ items: hi - lo, granularity });
    if (pieces.length > 1) {
      const kept = yield { size: pieces.length, candidate: (i) => range(...pieces[i]!), sizeOf: (i) => pieces[i]![1] - pieces[i]![0] };
      if (kept >= 0) {
        [lo, hi] = pieces[kept]!;
        granularity = 2;
        continue;
      }
    }
    // Finer cuts than one per start cannot make new windows.
    if (granularity > starts.length + 1) return range(lo, hi);
    granularity *= 2;
  }
}

/**
 * ddmin over the positions 0..n-1. Yields batches; expects the index of the first candidate that
 * keeps the predicate, or -1. Returns the kept positions, in order. `state` is told where it stands.
 */
export function* ddmin(n: number, state: (s: SearchState) => void = () => {}): Generator<Batch, number[], number> {
  let current = Array.from({ length: n }, (_, i) => i);
  let granularity = 2;
  while (current.length >= 2) {
    state({ items: current.length, granularity });
    const chunks = split(current, granularity);
    const kept = yield subsets(chunks);
    if (kept >= 0) {
      current = chunks[kept]!;
      granularity = 2;
      continue;
    }
    // With two chunks, the complements are the subsets again.
    if (granularity > 2) {
      const batch = complements(chunks, current.length);
      const rest = yield batch;
      if (rest >= 0) {
        current = batch.candidate(rest) as number[];
        granularity = Math.max(granularity - 1, 2);
        continue;
      }
    }
    if (granularity >= current.length) break;
    granularity = Math.min(current.length, granularity * 2);
  }
  state({ items: current.length, granularity });
  return current;
}
