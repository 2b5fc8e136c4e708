// Named limits of the HTML report. They keep a report for a million-event replay small enough to
// open fast: charts are downsampled and tables capped, and the page says so where it happens.

/** Points kept per chart series after min/max-preserving downsampling. */
export const CHART_POINTS_MAX = 2000;
/** Symbols that get their own cumulative P&L chart (the largest by absolute P&L; the rest are listed). */
export const CHART_SYMBOLS_MAX = 12;
/** Individual marks on the reconcile timeline; clean runs beyond it are drawn as a density band. */
export const TIMELINE_MARKS_MAX = 1500;
/** Rows a table holds in the page; the rest stay in the artifacts and the table says how many. */
export const TABLE_ROWS_MAX = 500;
/** Rows shown per page of a table with controls (with JavaScript off, every row it holds is shown). */
export const TABLE_PAGE_ROWS = 25;
/** Detail entries shown per finding or alert cell before "…". */
export const DETAIL_ENTRIES_MAX = 8;
/** Characters of one detail value shown before it is cut (the full value is in the JSON). */
export const DETAIL_VALUE_CHARS_MAX = 160;
/** Critical findings shown as cards at the top of the page; the rest are in the findings table. */
export const TRIAGE_CARDS_MAX = 20;
/** Findings listed inside one expandable group of warnings (or info) of a kind. */
export const TRIAGE_GROUP_ROWS_MAX = 50;
/** Input lines read back from the journal and broker log to show as evidence. */
export const EVIDENCE_LINES_MAX = 200;
/** Evidence lines a card shows as table rows (causes first); the rest are one click away. */
export const EVIDENCE_ROWS_OPEN = 5;
/** Restarts drawn as full-height lines with a label; more than this become ticks in a strip above the lanes. */
export const TIMELINE_RESTART_LINES_MAX = 24;
