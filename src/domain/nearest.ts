// "Did you mean": the known name nearest to a misspelt one, by edit distance (a transposition is
// one edit). Used for config keys, where a misspelt key is an error and the fix is one word away.

/** Optimal string alignment distance: insertions, deletions, substitutions and transpositions. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known names nearest to `word` (several when they tie), or none when even the nearest is
 * not near: within a third of the longer name's length, and at least 2 edits allowed, so that
 * `reconcile_interval` finds `reconcile_interval_ms` (a unit suffix left out) and `nam` finds
 * `name`, while an unrelated word suggests nothing.
 */
export function nearestNames(word: string, known: readonly string[]): string[] {
  let best = Infinity;
  let names: string[] = [];
  for (const name of known) {
    const near = Math.max(2, Math.floor(Math.max(word.length, name.length) / 3));
    // The lengths alone bound the distance from below: a long stray key costs nothing here.
    if (Math.abs(word.length - name.length) > near) continue;
    const distance = editDistance(word.toLowerCase(), name.toLowerCase());
    if (distance > near) continue;
    if (distance < best) [best, names] = [distance, [name]];
    else if (distance === best) names.push(name);
  }
  return names.sort();
}
