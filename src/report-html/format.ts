// Deterministic formatting: no locale, no time zone. Number.prototype.toFixed and
// Date.prototype.toISOString are specified exactly, so the same input gives the same bytes anywhere.

/** Groups thousands with a thin space-free comma ("12,345.67") without locale APIs. */
export function group(text: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(text);
  if (m === null) return text;
  const int = m[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${m[1]}${int}${m[3] ?? ""}`;
}

/** An integer count for display. */
export function count(n: number): string {
  return group(String(n));
}

/** A chart-scale number with as many decimals as its tick step needs. */
export function axisNumber(v: number, decimals: number): string {
  const text = (Math.abs(v) < 1e-12 ? 0 : v).toFixed(Math.max(0, Math.min(decimals, 10)));
  return group(text);
}

/** "2025-10-20 14:30:22Z" style UTC label for an instant in ms. */
export function utcLabel(ms: number, precision: "day" | "minute" | "second"): string {
  const iso = new Date(ms).toISOString();
  if (precision === "day") return iso.slice(0, 10);
  if (precision === "minute") return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** Signed decimal text with a plus for positives, for P&L ("+191.00", "-250.00"). */
export function signed(text: string): string {
  return text.startsWith("-") || /^0(\.0*)?$/.test(text) ? group(text) : `+${group(text)}`;
}

/** Cuts a long value for a table cell; the full text stays in the title attribute. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + "…";
}

/** snake_case identifiers read as words in headings: "stale_local_order" -> "stale local order". */
export function words(id: string): string {
  return id.replace(/_/g, " ");
}
