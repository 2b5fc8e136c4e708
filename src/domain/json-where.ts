// Where in a JSON text something is, for error messages: the first syntax error (what was
// expected there, and line:column), and the key a config path such as `slippage_presets[0].session`
// names. JSON.parse says only "at position 35", or, for some errors, nowhere at all, and its words
// change between Node versions; a person fixing a file by hand wants a line and a column.
// Only ever run on the error path: the text is read again, once.

import { isObject } from "./json.js";

/** The first thing wrong in a text that is not JSON: where, and what, in words. */
export interface JsonSyntaxProblem {
  /** Index into the text (UTF-16 code units, as String indexes). */
  readonly offset: number;
  /** "expected ..., got ..." or the likely mistake ("a trailing comma before ..."). */
  readonly message: string;
}

/** A line and column, both 1-based; the column counts characters (code points). */
export interface LineColumn {
  readonly line: number;
  readonly column: number;
}

export function lineColumnAt(text: string, offset: number): LineColumn {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf("\n") + 1;
  let line = 1;
  for (let i = before.indexOf("\n"); i !== -1; i = before.indexOf("\n", i + 1)) line += 1;
  return { line, column: [...before.slice(lineStart)].length + 1 };
}

class SyntaxAt extends Error {
  constructor(readonly offset: number, readonly problem: string) {
    super(problem);
  }
}

const LITERALS = ["true", "false", "null"] as const;
const ESCAPES = new Set(["\"", "\\", "/", "b", "f", "n", "r", "t"]);

/** Reads JSON text by the grammar, by offset; skips values or finds the one a path names. */
class JsonWalker {
  constructor(private readonly text: string) {}

  /** The character at `at` in words, for "got ...". */
  private found(at: number): string {
    if (at >= this.text.length) return "the end of the text";
    const c = this.text.codePointAt(at)!;
    if (c === 0x0a) return "the end of the line";
    return c < 0x20 || c === 0x7f ? `the control character U+${c.toString(16).toUpperCase().padStart(4, "0")}` : JSON.stringify(String.fromCodePoint(c));
  }

  private fail(at: number, expected: string): never {
    throw new SyntaxAt(at, `expected ${expected}, got ${this.found(at)}`);
  }

  ws(at: number): number {
    for (let c = this.text.charCodeAt(at); c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d; c = this.text.charCodeAt(at)) at += 1;
    return at;
  }

  /** End of the value starting at `at` (white space before it skipped). */
  value(at: number): number {
    at = this.ws(at);
    const c = this.text[at];
    if (c === "{") return this.members(at, () => {});
    if (c === "[") return this.items(at, () => {});
    if (c === "\"") return this.string(at);
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number(at);
    for (const word of LITERALS) if (this.text.startsWith(word, at)) return at + word.length;
    return this.fail(at, "a value (an object, array, string, number, true, false or null)");
  }

  string(at: number): number {
    for (let i = at + 1; i < this.text.length; i++) {
      const c = this.text.charCodeAt(i);
      if (c === 0x22) return i + 1;
      if (c < 0x20) this.fail(i, "a closing quote or text (a control character in a string is written as an escape such as \\n or \\t)");
      if (c === 0x5c) {
        const e = this.text[i + 1];
        if (e === "u" ? !/^[0-9a-fA-F]{4}$/.test(this.text.slice(i + 2, i + 6)) : e === undefined || !ESCAPES.has(e)) {
          this.fail(i, "an escape such as \\\" \\\\ \\n or \\u00e9");
        }
        i += e === "u" ? 5 : 1;
      }
    }
    return this.fail(this.text.length, "a closing quote");
  }

  private number(at: number): number {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(at, at + 400));
    if (m === null) return this.fail(at + 1, "a digit");
    const end = at + m[0].length;
    if (/^[.eE\d]/.test(this.text.slice(end, end + 1))) this.fail(end, "a number written as JSON writes one (no leading zero, digits after the point and the exponent)");
    return end;
  }

  /** A trailing comma: the comma at `comma` is followed by the closing bracket at `at`. */
  private trailingComma(comma: number, at: number): never {
    throw new SyntaxAt(comma, `a trailing comma before ${JSON.stringify(this.text[at])}: JSON allows none (remove the comma)`);
  }

  /** End of the object at `at`; `member` sees each key (its offset) and the offset of its value. */
  members(at: number, member: (key: string, keyAt: number, valueAt: number) => void): number {
    at = this.ws(at + 1);
    if (this.text[at] === "}") return at + 1;
    for (;;) {
      if (this.text[at] !== "\"") this.fail(at, "a key in double quotes");
      const keyEnd = this.string(at);
      const colon = this.ws(keyEnd);
      if (this.text[colon] !== ":") this.fail(colon, "\":\" after the key");
      member(JSON.parse(this.text.slice(at, keyEnd)) as string, at, colon + 1);
      at = this.ws(this.value(colon + 1));
      if (this.text[at] === "}") return at + 1;
      if (this.text[at] !== ",") this.fail(at, "\",\" or \"}\" after a value");
      const comma = at;
      at = this.ws(at + 1);
      if (this.text[at] === "}") this.trailingComma(comma, at);
    }
  }

  /** End of the array at `at`; `item` sees each item's index and offset. */
  items(at: number, item: (index: number, itemAt: number) => void): number {
    at = this.ws(at + 1);
    if (this.text[at] === "]") return at + 1;
    for (let index = 0; ; index++) {
      item(index, at);
      at = this.ws(this.value(at));
      if (this.text[at] === "]") return at + 1;
      if (this.text[at] !== ",") this.fail(at, "\",\" or \"]\" after a value");
      const comma = at;
      at = this.ws(at + 1);
      if (this.text[at] === "]") this.trailingComma(comma, at);
    }
  }
}

/** The first syntax error of a text that is not one JSON value, or undefined when it is one. */
export function jsonSyntaxProblem(text: string): JsonSyntaxProblem | undefined {
  const walker = new JsonWalker(text);
  try {
    const end = walker.ws(walker.value(0));
    if (end < text.length) throw new SyntaxAt(end, `expected nothing after the JSON value, got ${JSON.stringify(text[end])}`);
    return undefined;
  } catch (err) {
    if (err instanceof SyntaxAt) return { offset: err.offset, message: err.problem };
    throw err;
  }
}

/** Where a text JSON.parse refused goes wrong, and what is wrong there, in words that do not change with the runtime. */
export interface JsonSyntaxError extends LineColumn {
  /** "text that is not JSON at column C: <what was expected, and what came>", for a message's "got". */
  readonly got: string;
}

/**
 * Text that JSON.parse refused, described by the grammar (never by the runtime's own message, whose
 * words change from one Node version to the next). Text the grammar accepts that JSON.parse still
 * refused (nesting deeper than the runtime's stack) is named as such at its first character.
 */
export function jsonSyntaxError(text: string): JsonSyntaxError {
  const problem = jsonSyntaxProblem(text) ?? { offset: 0, message: "JSON nested deeper than this runtime reads" };
  const { line, column } = lineColumnAt(text, problem.offset);
  return { line, column, got: `text that is not JSON at column ${column}: ${problem.message}` };
}

/**
 * The steps of a path such as `instruments.BRK.B.tick_size` or `sessions[1].name` in a parsed
 * value: keys may hold dots, so each step is the longest key of the object there that the path
 * continues with. Stops where the value has no such key (a key that is required but missing).
 */
function pathSteps(value: unknown, path: string): (string | number)[] {
  const steps: (string | number)[] = [];
  let node = value;
  let rest = path;
  while (rest !== "") {
    const index = /^\[(\d+)\]\.?/.exec(rest);
    if (index !== null && Array.isArray(node)) {
      steps.push(Number(index[1]));
      node = node[Number(index[1])];
      rest = rest.slice(index[0].length);
      continue;
    }
    if (!isObject(node)) break;
    const key = Object.keys(node).filter((k) => rest === k || rest.startsWith(k + ".") || rest.startsWith(k + "["))
      .sort((a, b) => b.length - a.length)[0];
    if (key === undefined) break;
    steps.push(key);
    node = node[key];
    rest = rest.slice(key.length).replace(/^\./, "");
  }
  return steps;
}

/**
 * Where the JSON text puts what `path` names (the key of an object member, or an array item's
 * first character): the deepest step of it the text holds. Undefined for an empty path or a text
 * that is not JSON.
 */
export function jsonPathOffset(text: string, value: unknown, path: string): number | undefined {
  const steps = pathSteps(value, path);
  if (steps.length === 0) return undefined;
  const walker = new JsonWalker(text);
  let found: number | undefined;
  const visit = (at: number, depth: number): void => {
    at = walker.ws(at);
    const step = steps[depth];
    const enter = (here: number, inside: number) => {
      found = here;
      if (depth + 1 < steps.length) visit(inside, depth + 1);
    };
    if (text[at] === "{" && typeof step === "string") {
      walker.members(at, (key, keyAt, valueAt) => key === step && enter(keyAt, valueAt));
    } else if (text[at] === "[" && typeof step === "number") {
      walker.items(at, (index, itemAt) => index === step && enter(itemAt, itemAt));
    }
  };
  try {
    visit(0, 0);
  } catch (err) {
    if (err instanceof SyntaxAt) return undefined;
    throw err;
  }
  return found;
}
