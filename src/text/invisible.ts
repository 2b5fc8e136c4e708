// Text from the logs may hold characters a reader cannot see: controls, bidirectional overrides
// (U+202E turns "C-\u202Egpj.exe" into "C-exe.jpg" on screen), zero-width spaces. An id shown that
// way is not the id Ops will search for, so every reader that shows log text to a person (the
// HTML page, `explain`) writes each one as its JSON escape (\u202e).

/** Characters that do not show as themselves: C0 and C1 controls, format characters (bidi, zero width), line and paragraph separators. */
export const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
export const INVISIBLE_ALL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** One invisible character as JSON writes an escape: \n, \t, \u001b, \u202e (\u{e0001} beyond the BMP). */
export function invisibleEscape(c: string): string {
  const code = c.codePointAt(0)!;
  if (code < 0x20) return JSON.stringify(c).slice(1, -1);
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** Text with every invisible character written as its escape, safe to print on a terminal or a page. */
export function escapeInvisible(text: string): string {
  return INVISIBLE.test(text) ? text.replace(INVISIBLE_ALL, invisibleEscape) : text;
}
