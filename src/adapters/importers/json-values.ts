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
  const scanner = new JsonScanner(file);
  for (const { text, line } of lines) yield* scanner.line(text, line);
  scanner.end();
}

/** The scanner's state between lines: where it is in the value being read, and in a top-level array. */
class JsonScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Inside a top-level array: its elements are the values. */
  private inArray = false;
  private arrayItem = 0;
  private group = 0;
  private cur: Pending | undefined;

  constructor(private readonly file: string) {}

  *line(raw: string, line: number): Generator<JsonItem> {
    const text = this.unframed(raw);
    if (text === undefined) return;
    if (this.depth > 0 && !this.inString && this.cur !== undefined && text.startsWith("{") && !this.inArray) {
      // A new object in column 0 while one is open: the open one was truncated.
      yield { kind: "bad", pos: { file: this.file, line: this.cur.line }, reason: "a JSON value cut short (a new one starts on a later line before it closes)" };
      this.depth = 0;
      this.cur = undefined;
    }
    for (let i = 0; i < text.length; i += 1) {
      const ch = text[i]!;
      if (this.cur === undefined) {
        const between = this.between(ch, line);
        if (between === "skip") continue;
        if (between !== "value") {
          // A scalar where a record should be: report it with the rest of the line.
          yield { kind: "bad", pos: between, reason: `not a JSON object: ${text.slice(i).trim().slice(0, 40)}` };
          break;
        }
      }
      if (this.inValue(ch)) {
        yield* this.finish(this.cur!);
        this.cur = undefined;
      }
    }
    if (this.inString && this.cur !== undefined) {
      // JSON strings never span lines: this value is broken. Report it and resynchronise.
      yield { kind: "bad", pos: { file: this.file, line: this.cur.line }, reason: "a JSON string left open at the end of a line" };
      this.inString = false;
      this.escaped = false;
      this.depth = 0;
      this.cur = undefined;
    }
    if (this.cur !== undefined) this.cur.text += "\n";
  }

  /** The file ends: inside a value, it was cut short. */
  end(): void {
    if (this.cur === undefined) return;
    // The file ends inside a value: an export or a copy that did not finish. What follows the cut
    // is lost, so importing the rest would pass an incomplete record set off as complete.
    throw new DataError(this.file, this.cur.line, "(file)", "a complete JSON value",
      "the end of the file inside the one that starts here (the file was cut short: an export or a copy that did not finish); nothing imported");
  }

  /** A line without its Server-Sent Events framing; undefined when it carries no value (an event name, a comment). */
  private unframed(raw: string): string | undefined {
    if (this.depth === 0 && !this.inArray) {
      const sse = SSE_FIELD.exec(raw);
      if (sse !== null) return sse[1] === "data" ? raw.slice(sse[0].length) : undefined; // event names, ids and retry hints carry no record
      return raw.startsWith(":") ? undefined : raw; // an SSE comment (keep-alive)
    }
    return raw.startsWith("data:") ? raw.slice(5) : raw;
  }

  /**
   * A character outside any value: a separator or a top-level array's bracket ("skip"), the start
   * of a value ("value"), or a scalar where a record should be (its position, to report).
   */
  private between(ch: string, line: number): "skip" | "value" | Pos {
    if (ch === " " || ch === "\t" || ch === "\r" || ch === ",") return "skip";
    if (!this.inArray && this.depth === 0 && ch === "[") {
      this.inArray = true;
      this.arrayItem = 0;
      this.group += 1;
      return "skip";
    }
    if (this.inArray && ch === "]") {
      this.inArray = false;
      return "skip";
    }
    if (ch === "{" || ch === "[") {
      this.cur = { text: "", line, item: this.inArray ? this.arrayItem : undefined };
      if (this.inArray) this.arrayItem += 1;
      else this.group += 1;
      return "value";
    }
    return this.inArray ? { file: this.file, line, item: this.arrayItem++ } : { file: this.file, line };
  }

  /** One character of the value being read; true when it closes the value. */
  private inValue(ch: string): boolean {
    this.cur!.text += ch;
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (ch === "\\") this.escaped = true;
      else if (ch === '"') this.inString = false;
      return false;
    }
    if (ch === '"') this.inString = true;
    else if (ch === "{" || ch === "[") this.depth += 1;
    else if (ch === "}" || ch === "]") {
      this.depth -= 1;
      return this.depth === 0;
    }
    return false;
  }

  private *finish(p: Pending): Generator<JsonItem> {
    const pos: Pos = p.item === undefined ? { file: this.file, line: p.line } : { file: this.file, line: p.line, item: p.item };
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
    yield { kind: "value", value, pos, group: this.group };
  }
}
