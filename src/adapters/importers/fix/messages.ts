// Reading a FIX log: QuickFIX-style, each line holds one or more messages, possibly after a log
// prefix (a time, a log4j header); fields are separated by SOH, `|`, or, in logs that rendered SOH
// as a space, by a space before the next `tag=`. Every message's BodyLength (9) and CheckSum (10)
// are verified against the SOH form of the message, so a mangled line is reported, never
// half-imported.

export const SOH = "\u0001";
/** A BeginString at a field boundary (not the tail of a value such as 11=FIX.4.4:...). */
export const BEGIN = /(?<=^|[\s|\u0001:>])8=FIX[T.0-9]*/g;

export interface FixMessage {
  /** Tag → first value (repeating groups keep their first occurrence; we read no group fields). */
  readonly fields: ReadonlyMap<string, string>;
  readonly soh: string;
}

/** Splits one message's text into fields; the separator is SOH, `|`, or a space before `tag=`. */
export function splitFix(text: string): string[] {
  const body = text.trim();
  if (body.includes(SOH)) return body.split(SOH).filter((f) => f !== "");
  if (/^8=FIX[^|]*\|/.test(body)) return body.split("|").map((f) => f.trim()).filter((f) => f !== "");
  return body.split(/\s+(?=\d+=)/).map((f) => f.trim()).filter((f) => f !== "");
}

/** Parses and verifies one message. Returns the reason when it is not a sound FIX message. */
export function parseFix(text: string): FixMessage | string {
  const parts = splitFix(text);
  if (parts.length < 4 || !parts[0]!.startsWith("8=") || !parts[1]!.startsWith("9=")) {
    return "not a FIX message: expected BeginString (8) then BodyLength (9)";
  }
  const lastIdx = parts.findIndex((p) => p.startsWith("10="));
  if (lastIdx === -1) return "message cut short: no CheckSum (10) field";
  const fields = parts.slice(0, lastIdx + 1);
  for (const f of fields) {
    if (!/^\d+=/.test(f)) return `malformed field ${JSON.stringify(f.slice(0, 30))}: expected tag=value`;
  }
  const soh = fields.join(SOH) + SOH;
  const checksumAt = soh.lastIndexOf(SOH + "10=") + 1;
  const beforeChecksum = soh.slice(0, checksumAt);
  const declaredLen = Number(fields[1]!.slice(2));
  const bodyStart = fields[0]!.length + 1 + fields[1]!.length + 1;
  const actualLen = Buffer.byteLength(beforeChecksum.slice(bodyStart), "utf8");
  if (declaredLen !== actualLen) return `BodyLength (9) says ${fields[1]!.slice(2)} but the body has ${actualLen} bytes: the message was altered`;
  let sum = 0;
  for (const byte of Buffer.from(beforeChecksum, "utf8")) sum = (sum + byte) % 256;
  const declared = fields[lastIdx]!.slice(3);
  if (!/^\d{3}$/.test(declared) || Number(declared) !== sum) {
    return `CheckSum (10) says ${declared} but the message sums to ${String(sum).padStart(3, "0")}: the message was altered`;
  }
  const map = new Map<string, string>();
  for (const f of fields) {
    const eq = f.indexOf("=");
    const tag = f.slice(0, eq);
    if (!map.has(tag)) map.set(tag, f.slice(eq + 1));
  }
  return { fields: map, soh };
}

/** FIX UTCTimestamp "YYYYMMDD-HH:MM:SS[.sss…]" as RFC 3339 UTC, fraction verbatim. */
export function fixTime(value: string | undefined): string | undefined {
  const m = value === undefined ? null : /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?$/.exec(value);
  if (m === null) return undefined;
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ""}Z`;
}

/**
 * When an execution happened: TransactTime (60), unless SendingTime (52) says the same second more
 * precisely (FXCM sends 60 in whole seconds and 52 in milliseconds). A 52 in a later second is when
 * the report was sent (a resend, a slow gateway), not when the trade was done, so 60 stands.
 */
export function executionTime(transact: string | undefined, sending: string | undefined): string | undefined {
  const t60 = fixTime(transact);
  const t52 = fixTime(sending);
  if (t60 === undefined || t52 === undefined) return t60 ?? t52;
  const digits = (t: string) => (t.length > 20 ? t.length - 21 : 0); // "YYYY-MM-DDTHH:MM:SS.fffZ"
  const sameMoment = t52.startsWith(t60.slice(0, -1)); // 52 truncated to 60's precision is 60
  return digits(t52) > digits(t60) && sameMoment ? t52 : t60;
}

/** SenderCompID-TargetCompID: the session that numbers the messages and scopes ExecIDs. */
export function sessionOf(f: ReadonlyMap<string, string>): string {
  return `${f.get("49") ?? ""}-${f.get("56") ?? ""}`;
}
