// Named limits of the HTML report. They keep a report for a million-event replay small enough to
// open fast: charts are downsampled and tables capped, and the page says so where it happens.

/** Points kept per chart series after min/max-preserving downsampling. */
export const chart_points_max = 2000;
/** Symbols that get their own cumulative P&L chart (the largest by absolute P&L; the rest are listed). */
export const chart_symbols_max = 12;
/** Individual marks on the reconcile timeline; clean runs beyond it are drawn as a density band. */
export const timeline_marks_max = 1500;
/** Rows rendered per table; the rest stay in the artifacts and the table says how many. */
export const table_rows_max = 500;
/** Detail entries shown per finding or alert cell before "…". */
export const detail_entries_max = 8;
/** Characters of one detail value shown before it is cut (the full value is in the JSON). */
export const detail_value_chars_max = 160;
