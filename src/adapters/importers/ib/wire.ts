// Reading IB's recorded messages: one incoming message per line with fields separated by `|` (NUL
// on the wire) or NUL, a recorded session YAML whose responses are `- raw: "..."` lines with `\0`
// separators, or a raw TWS API log (`// hh:mm:ss:mmm -> ` lines, NUL shown as "-", see
// rawLogFields). Only messages from TWS are read (a request is what the client sent, with clashing
// message ids). 1.7976931348623157E308 (Double.MAX_VALUE) means "not set".

import type { Dec } from "../../../domain/decimal.js";
import { decOf } from "../common.js";

const UNSET_DOUBLE = "1.7976931348623157E308";
const UNSET_INTS = new Set(["2147483647", "9223372036854775807", "-2147483648"]);
const RAW_LINE = /^\/\/ \d{2}:\d{2}:\d{2}:\d{3} (<-|->) (.*)$/;

export type WireLine = { fields: string[] } | { request: true } | { bad: string } | undefined;

/** An IB number, or undefined for empty and the "not set" sentinels. */
export function ibNumber(text: string | undefined): Dec | undefined {
  if (text === undefined || text === "" || text.toUpperCase() === UNSET_DOUBLE.toUpperCase() || UNSET_INTS.has(text)) return undefined;
  return decOf(text);
}

/** Splits one recorded line into a message's fields; undefined when the line holds no message. */
export function ibFields(text: string): WireLine {
  const yaml = /^(\s*)(-\s+)?raw:\s*"(.*)"\s*$/.exec(text);
  if (yaml !== null) {
    if (yaml[2] === undefined) return { request: true };
    const unescaped = yaml[3]!.replace(/\\(0|"|\\|n|t)/g, (_m, c: string) => (c === "0" ? "\u0000" : c === "n" ? "\n" : c === "t" ? "\t" : c));
    return { fields: dropTerminator(unescaped.split("\u0000")) };
  }
  if (text.startsWith("//")) return rawLogFields(text);
  if (!/^\d+[|\u0000]/.test(text)) return undefined;
  return { fields: dropTerminator(text.split(/[|\u0000]/)) };
}

/**
 * A raw TWS API log line (`// 11:49:32:834 -> ` then the message as sent on the wire): a 4-byte
 * length prefix, then fields with NUL shown as "-". The prefix is checked when all four bytes were
 * printable ("---T" is 84); bytes above 127 show as U+FFFD and cannot be read back. A "-" also
 * starts a negative number: execDetails' reqId (-1 for live executions) is the one the importer
 * reads; the other fields it reads are never negative, and each message's layout is checked.
 */
function rawLogFields(text: string): WireLine {
  const m = RAW_LINE.exec(text);
  if (m === null) return undefined; // a comment
  if (m[1] === "<-") return { request: true };
  const chars = [...m[2]!];
  const prefix = chars.slice(0, 4);
  const body = chars.slice(4).join("");
  if (prefix.length === 4 && prefix.every((c) => c === "-" || (c > " " && c <= "~"))) {
    const declared = prefix.reduce((n, c) => n * 256 + (c === "-" ? 0 : c.charCodeAt(0)), 0);
    const actual = Buffer.byteLength(body, "utf8");
    if (declared !== actual) return { bad: `raw TWS message: its length prefix says ${declared} bytes but it has ${actual}: not imported` };
  }
  const fields = dropTerminator(body.split("-"));
  if (fields[0] === "11" && fields[1] === "" && /^\d+$/.test(fields[2] ?? "")) fields.splice(1, 2, `-${fields[2]}`);
  return { fields };
}

function dropTerminator(fields: string[]): string[] {
  return fields.length > 1 && fields[fields.length - 1] === "" ? fields.slice(0, -1) : fields;
}
