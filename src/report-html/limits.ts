// Named limits of the HTML report. They keep a report for a million-event replay small enough to
// open fast: charts are downsampled and tables capped, and the page says so where it happens.

/** Points kept per chart series after min/max-preserving downsampling. */
export const chart_points_max = 2000;
/** Symbols that get their own cumulative P&L chart (the largest by absolute P&L; the rest are listed). */
export const chart_symbols_max = 12;
/** Individual marks on the reconcile timeline; clean runs beyond it are drawn as a density band. */
export const timeline_marks_max = 1500;
/** Rows a table holds in the page; the rest stay in the artifacts and the table says how many. */
export const table_rows_max = 500;
/** Rows shown per page of a table with controls (with JavaScript off, every row it holds is shown). */
export const table_page_rows = 25;
/** Detail entries shown per finding or alert cell before "…". */
export const detail_entries_max = 8;
/** Characters of one detail value shown before it is cut (the full value is in the JSON). */
export const detail_value_chars_max = 160;
/** Critical findings shown as cards at the top of the page; the rest are in the findings table. */
export const triage_cards_max = 20;
/** Findings listed inside one expandable group of warnings (or info) of a kind. */
export const triage_group_rows_max = 50;
/** Input lines read back from the journal and broker log to show as evidence. */
export const evidence_lines_max = 200;
/** Evidence lines a card shows as table rows (causes first); the rest are one click away. */
export const evidence_rows_open = 5;
/** Restarts drawn as full-height lines with a label; more than this become ticks in a strip above the lanes. */
export const timeline_restart_lines_max = 24;
