// HTML escaping by construction. Every string that reaches the page passes through `html`, a tagged
// template that escapes each interpolated value unless it is already SafeHtml (markup this module
// built). A renderer therefore cannot forget to escape a client order id: plain strings are always
// text. `raw` is the one way in for trusted markup, and it is used only for constant CSS and script.
//
// Text from the logs may hold characters a reader cannot see (src/text/invisible.ts). Every
// interpolated string has them written as their JSON escape (\u202e), in text and attributes alike;
// `shown` also marks each one, for ids and symbols.

import { escapeInvisible, INVISIBLE, INVISIBLE_ALL, invisibleEscape } from "../text/invisible.js";

export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
};

/** Escapes text for element content and for quoted attribute values alike (invisible characters escaped visibly). */
export function esc(text: string): string {
  return escapeInvisible(text).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * An id or symbol for element content: as esc, and each invisible character's escape is marked
 * (styled, with its code point in a tooltip) so that it cannot be taken for text of the id.
 */
export function shown(text: string): SafeHtml {
  if (!INVISIBLE.test(text)) return new SafeHtml(esc(text));
  let out = "";
  let from = 0;
  for (const m of text.matchAll(INVISIBLE_ALL)) {
    const code = m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    out += esc(text.slice(from, m.index)) + `<span class="inv" title="invisible character U+${code}">${esc(invisibleEscape(m[0]))}</span>`;
    from = m.index + m[0].length;
  }
  return new SafeHtml(out + esc(text.slice(from)));
}

export type Html = SafeHtml | string | number | null | undefined | readonly Html[];

function flatten(value: Html): string {
  if (value === null || value === undefined) return "";
  if (value instanceof SafeHtml) return value.text;
  if (typeof value === "number") return esc(String(value));
  if (typeof value === "string") return esc(value);
  let out = "";
  for (const item of value) out += flatten(item);
  return out;
}

/** Tagged template: literal parts are trusted markup, interpolations are escaped (arrays concatenated). */
export function html(strings: TemplateStringsArray, ...values: Html[]): SafeHtml {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += flatten(values[i]!) + (strings[i + 1] ?? "");
  return new SafeHtml(out);
}

/** Trusted constant markup (the stylesheet, the filter script). Never pass data here. */
export function raw(text: string): SafeHtml {
  return new SafeHtml(text);
}

export function join(parts: readonly Html[], separator: Html = ""): SafeHtml {
  const sep = flatten(separator);
  return new SafeHtml(parts.map(flatten).join(sep));
}
