// A cell holding a bare CR must be quoted (RFC 4180), or a spreadsheet reads it as two rows and the
// second "row" starts with a formula the guard never saw.

import { describe, expect, it } from "vitest";
import { FLAT_BROKER_START, FLAT_JOURNAL_START } from "./helpers.js";
import { B, J, run } from "../helpers/replay.js";

/** Splits CSV text the way a spreadsheet does: CR, LF or CRLF end a row unless inside quotes. */
function spreadsheetRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === "\"" && text[i + 1] === "\"") { cell += "\""; i++; }
      else if (c === "\"") quoted = false;
      else cell += c;
    } else if (c === "\"") quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\r" || c === "\n") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell); rows.push(row); row = []; cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) { row.push(cell); rows.push(row); }
  return rows;
}

const FORMULA_START = /^[=+\-@\t\r]/;

describe("trades.csv: line breaks inside a cell", () => {
  const hostile = [
    ["a bare CR", "77\r=2+5+cmd|' /C calc'!A0"],
    ["a bare LF", "77\n@SUM(A1:A9)"],
    ["CRLF", "77\r\n+1+1"],
    ["two CRs", "77\r\r-1+1"],
  ] as const;
  for (const [name, id] of hostile) {
    it(`a client order id with ${name} stays one quoted cell, and no line of it starts a formula`, () => {
      const r = run([...FLAT_JOURNAL_START, J.decision("08:00:00", id, "EURUSD", "buy", 100, 1.1)],
        [...FLAT_BROKER_START, B.fill("08:00:01", id, "B1", "EURUSD", "buy", 100, 1.1)]);
      const rows = spreadsheetRows(r.artifacts["trades.csv"]);
      expect(rows).toHaveLength(2); // header + one fill
      const cell = rows[1]![2]!;
      for (const line of cell.split(/\r\n|\r|\n/)) expect(line).not.toMatch(FORMULA_START);
      // Nothing but the neutralising apostrophes was added.
      expect(cell.replaceAll("'", "")).toBe(id.replaceAll("'", ""));
    });
  }
});
