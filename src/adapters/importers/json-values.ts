// Splits text lines into top-level JSON values, whatever the framing: JSON Lines (one object per
// line, the OANDA transaction stream), one pretty-printed document (a REST response), a top-level
// array (a REST listing: each element is yielded on its own, with its own line), concatenated
// objects, or Server-Sent Events (`data:` fields, as Alpaca's Broker API sends). It is a streaming
// scanner: it holds one value's text at a time, never the whole file.
//
// A value that does not parse is reported as such at the line it starts on; a line that starts a
// new object in column 0 while the previous one is still open means the previous one was cut short,
// so the scanner reports it and starts over rather than swallowing the rest of the file. A file that
// ends inside a value was cut short: that is bad input (exit 65), never a partial import.

import { DataError } from "../../domain/errors.js";
import { JsonTextError, parseJsonExact } from "../../domain/json-text.js";
import { jsonSyntaxProblem, lineColumnAt } from "../../domain/json-where.js";
import { type ImportReport, isObject, type Json, type Pos } from "./common.js";

export type JsonItem =
  | { readonly kind: "value"; readonly value: unknown; readonly pos: Pos; readonly group: number }
  | { readonly kind: "bad"; readonly pos: Pos; readonly reason: string };

/** A scanned item that parsed to a JSON object. */
export type ObjectItem = Extract<JsonItem, { kind: "value" }> & { readonly value: Json };

/**
 * Whether a scanned item is an object; if not, reports why (a value that did not parse, or one
 * that is not an object: `expected` says what the importer wanted).
 */
export function isObjectItem(item: JsonItem, report: ImportReport, expected: string): item is ObjectItem {
  if (item.kind === "bad") {
    report.problem(item.pos, item.reason);
    return false;
  }
  if (!isObject(item.value)) {
    report.problem(item.pos, `expected ${expected}`);
    return false;
  }
  return true;
}

/** The largest single JSON value we buffer; bigger is reported, not parsed. */
export const JSON_VALUE_BYTES_MAX = 256 * 1024 * 1024;

const SSE_FIELD = /^(data|event|id|retry):\s?/;

interface Pending {
  text: string;
  line: number;
  item: number | undefined;
}

/** Why a value's text is not JSON, at the file's line where it goes wrong (a REST dump is
 * pretty-printed: one value spans many lines). */
function notJson(p: Pending, err: Error): string {
  const problem = jsonSyntaxProblem(p.text);
  if (problem === undefined) return `not valid JSON (${err.message})`;
  return `not valid JSON at line ${p.line + lineColumnAt(p.text, problem.offset).line - 1}: ${problem.message}`;
}

/** Scans lines ({text, line}) of one file and yields each top-level value (or array element). */
export function* scanJson(lines: Iterable<{ text: string; line: number }>, file: string): Generator<JsonItem> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let inArray = false; // inside a top-level array: its elements are the values
  let arrayItem = 0;
  let group = 0;
  let cur: Pending | undefined;

  const finish = function* (p: Pending): Generator<JsonItem> {
    const pos: Pos = p.item === undefined ? { file, line: p.line } : { file, line: p.line, item: p.item };
    if (p.text.length > JSON_VALUE_BYTES_MAX) {
      yield { kind: "bad", pos, reason: `a JSON value larger than JSON_VALUE_BYTES_MAX=${JSON_VALUE_BYTES_MAX} bytes` };
      return;
    }
    // Read exactly, as the replay reads its inputs: a number a double cannot hold keeps its text
    // (JsonNumber), and a key named twice is refused rather than resolved last-wins.
    let value: unknown;
    try {
      value = parseJsonExact(p.text);
    } catch (err) {
      const reason = err instanceof JsonTextError ? `field "${err.field}": expected ${err.expected}, got ${err.got}` : notJson(p, err as Error);
      yield { kind: "bad", pos, reason };
      return;
    }
    yield { kind: "value", value, pos, group };
  };

  for (const { text: raw, line } of lines) {
    let text = raw;
    if (depth === 0 && !inArray) {
      const sse = SSE_FIELD.exec(text);
      if (sse !== null) {
        if (sse[1] !== "data") continue; // event names, ids and retry hints carry no record
        text = text.slice(sse[0].length);
      } else if (text.startsWith(":")) {
        continue; // an SSE comment (keep-alive)
      }
    } else if (text.startsWith("data:")) {
      text = text.slice(5);
    }
    if (depth > 0 && !inString && cur !== undefined && text.startsWith("{") && !inArray) {
      // A new object in column 0 while one is open: the open one was truncated.
      yield { kind: "bad", pos: { file, line: cur.line }, reason: "a JSON value cut short (a new one starts on a later line before it closes)" };
      depth = 0;
      cur = undefined;
    }
    for (let i = 0; i < text.length; i += 1) {
      const ch = text[i]!;
      if (cur === undefined) {
        if (ch === " " || ch === "\t" || ch === "\r" || ch === ",") continue;
        if (!inArray && depth === 0 && ch === "[") {
          inArray = true;
          arrayItem = 0;
          group += 1;
          continue;
        }
        if (inArray && ch === "]") {
          inArray = false;
          continue;
        }
        if (ch === "{" || ch === "[") {
          cur = { text: "", line, item: inArray ? arrayItem : undefined };
          if (inArray) arrayItem += 1;
          else group += 1;
        } else {
          // A scalar where a record should be: report it with the rest of the line.
          const rest = text.slice(i).trim();
          yield { kind: "bad", pos: inArray ? { file, line, item: arrayItem++ } : { file, line }, reason: `not a JSON object: ${rest.slice(0, 40)}` };
          break;
        }
      }
      cur.text += ch;
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === "\\") escaped = true;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === "{" || ch === "[") depth += 1;
      else if (ch === "}" || ch === "]") {
        depth -= 1;
        if (depth === 0) {
          yield* finish(cur);
          cur = undefined;
        }
      }
    }
    if (inString && cur !== undefined) {
      // JSON strings never span lines: this value is broken. Report it and resynchronise.
      yield { kind: "bad", pos: { file, line: cur.line }, reason: "a JSON string left open at the end of a line" };
      inString = false;
      escaped = false;
      depth = 0;
      cur = undefined;
    }
    if (cur !== undefined) cur.text += "\n";
  }
  if (cur !== undefined) {
    // The file ends inside a value: an export or a copy that did not finish. What follows the cut
    // is lost, so importing the rest would pass an incomplete record set off as complete.
    throw new DataError(file, cur.line, "(file)", "a complete JSON value",
      "the end of the file inside the one that starts here (the file was cut short: an export or a copy that did not finish); nothing imported");
  }
}
