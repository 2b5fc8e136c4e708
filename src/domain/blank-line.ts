// What counts as a blank line in either log: skipped by the replay, but still counted, so the
// lines after it keep their numbers in the file. One definition for the file reader and for
// logs given as lines (the testing entry point), so both skip the same lines.

/** Blank: empty or only whitespace, as String.prototype.trim has it. */
export function isBlankLine(text: string): boolean {
  const first = text.charCodeAt(0);
  return !(first > 0x20 && first < 0x7f) && text.trim() === ""; // a visible ASCII character first: not blank
}
