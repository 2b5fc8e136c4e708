// A synchronous, streaming line reader: the hot path of every replay. It reads fixed-size chunks,
// so a file of any size costs one buffer of memory; it hashes the bytes as it goes (the report's
// provenance) and refuses a line longer than line_bytes_max the moment it sees one, instead of
// buffering it. Synchronous on purpose: the replay is a pull loop over two files, and a sync reader
// keeps it a plain `for` loop with no promise per line (measured in `npm run bench`).

import { isAscii, isUtf8 } from "node:buffer";
import { createHash, type Hash } from "node:crypto";
import { closeSync, readSync } from "node:fs";
import { isBlankLine } from "../domain/blank-line.js";
import { DataError } from "../domain/errors.js";
import { inputName, openInputFile, unreadableInput } from "./input-files.js";

export interface Line {
  readonly text: string;
  /** 1-based. */
  readonly line: number;
  /** Byte offset of the line's first byte in the file (see LineRecall). */
  readonly offset: number;
}

const CHUNK_BYTES = 1 << 20;

/** A file by its path, or bytes already in memory (a library caller's lines): read the same way. */
export type LineSource = string | Buffer;

/** An open source: reads like readSync (position null: from where the last read ended). */
interface OpenBytes {
  read(buf: Buffer, length: number, position: number | null): number;
  close(): void;
}

function openBytes(source: LineSource, what: string): OpenBytes {
  if (typeof source !== "string") {
    let cursor = 0;
    return {
      read: (buf, length, position) => {
        const from = position ?? cursor;
        const n = source.copy(buf, 0, from, Math.min(source.length, from + length));
        cursor = from + n;
        return n;
      },
      close: () => undefined,
    };
  }
  const fd = openInputFile(source, what);
  return { read: (buf, length, position) => readSync(fd, buf, 0, length, position), close: () => closeSync(fd) };
}

/** How an error names a source: its path, or "(in memory)". */
function sourcePath(source: LineSource): string {
  return typeof source === "string" ? source : "(in memory)";
}
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export class LineReader implements Iterable<Line> {
  private readonly hash: Hash = createHash("sha256");
  private linesRead = 0;
  private done = false;

  constructor(
    private readonly path: LineSource,
    /** Which input this is, for errors ("journal", "broker"). */
    private readonly source: string,
    private readonly lineBytesMax: number,
    /** How a message that the file cannot be read names it ("broker log", "oanda file"). */
    private readonly what: string = inputName(source),
  ) {}

  /** Lines seen so far (blank ones included); final once iteration has finished. */
  get lines(): number {
    return this.linesRead;
  }

  /** sha256 of the whole file; only available once iteration has finished. */
  sha256(): string {
    if (!this.done) throw new Error("invariant: sha256 asked before the file was read to its end");
    return this.hash.digest("hex");
  }

  *[Symbol.iterator](): Generator<Line> {
    const bytes = openBytes(this.path, this.what);
    try {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const carry = new Carry();
      let lineNo = 0;
      let chunkOffset = 0;
      for (;;) {
        let n: number;
        try {
          n = bytes.read(chunk, CHUNK_BYTES, null);
        } catch (err) {
          throw unreadableInput(this.what, sourcePath(this.path), err);
        }
        if (n === 0) break;
        const data = chunk.subarray(0, n);
        this.hash.update(data);
        let start = 0;
        if (carry.length > 0) {
          // The line begun in an earlier chunk ends in this one (or goes on past it).
          const nl = data.indexOf(NEWLINE);
          if (nl === -1) {
            carry.add(Buffer.from(data)); // a copy: `chunk` is reused by the next read
            this.checkLength(carry.lengthWithoutCr, lineNo + 1);
            chunkOffset += n;
            continue;
          }
          const lineOffset = chunkOffset - carry.length;
          carry.add(Buffer.from(data.subarray(0, nl)));
          const line = this.lineOfBytes(carry.take(), (lineNo += 1), lineOffset);
          if (line !== null) yield line;
          start = nl + 1;
        }
        const last = data.lastIndexOf(NEWLINE);
        if (last >= start && !isAscii(data.subarray(start, last + 1))) {
          for (const line of this.byteLines(data.subarray(start, last + 1), lineNo, chunkOffset + start)) yield line;
          lineNo = this.linesRead;
          start = last + 1;
        }
        // Whole lines of ASCII bytes: a line's bytes are its characters, so none can be bad UTF-8
        // and each decodes with one native call and no check of its own (most input is ASCII; a
        // UTF-8 check and decode per line was most of what reading cost). Each line is a string of
        // its own, not a slice of one string of the chunk: a record that keeps its line (a broker
        // event's fingerprint) must not keep the whole chunk alive with it.
        for (let nl = start <= last ? data.indexOf(NEWLINE, start) : -1; nl !== -1; start = nl + 1, nl = data.indexOf(NEWLINE, start)) {
          lineNo += 1;
          const end = nl > start && data[nl - 1] === CARRIAGE_RETURN ? nl - 1 : nl;
          this.checkLength(end - start, lineNo);
          this.linesRead = lineNo;
          const text = data.toString("latin1", start, end);
          if (!isBlankLine(text)) yield { text, line: lineNo, offset: chunkOffset + start };
        }
        if (start < n) {
          carry.add(Buffer.from(data.subarray(start))); // a copy: `chunk` is reused by the next read
          this.checkLength(carry.lengthWithoutCr, lineNo + 1);
        }
        chunkOffset += n;
      }
      if (carry.length > 0) {
        const lineOffset = chunkOffset - carry.length;
        const line = this.lineOfBytes(carry.take(), (lineNo += 1), lineOffset);
        if (line !== null) yield line;
      }
      this.done = true;
    } finally {
      bytes.close();
    }
  }

  /** Whole lines of bytes (each ending in LF), one at a time: some are not ASCII. */
  private *byteLines(bytes: Buffer, lineNo: number, offset: number): Generator<Line> {
    for (let at = 0, nl = bytes.indexOf(NEWLINE); nl !== -1; at = nl + 1, nl = bytes.indexOf(NEWLINE, at)) {
      const line = this.lineOfBytes(bytes.subarray(at, nl), (lineNo += 1), offset + at);
      if (line !== null) yield line;
    }
  }

  /** One line from its bytes (its LF not included), or null when it is blank. */
  private lineOfBytes(bytes: Buffer, lineNo: number, lineOffset: number): Line | null {
    const ending = bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN ? 1 : 0;
    this.checkLength(bytes.length - ending, lineNo);
    this.linesRead = lineNo;
    const text = this.decode(bytes, lineNo, lineOffset);
    return isBlankLine(text) ? null : { text, line: lineNo, offset: lineOffset };
  }

  /** Text of a line; bytes that are not UTF-8 are bad input (replacement characters would make
   * two different byte strings one id). */
  private decode(bytes: Buffer, lineNo: number, lineOffset: number): string {
    if (!isUtf8(bytes)) {
      const at = firstInvalidUtf8Byte(bytes);
      const byte = bytes[at]!.toString(16).padStart(2, "0");
      throw new DataError(this.source, lineNo, "(line)", "UTF-8 text", `the byte 0x${byte} at byte offset ${lineOffset + at}`);
    }
    return decodeLine(bytes, lineNo);
  }

  /**
   * The limit counts a line's bytes without its ending: the CR of a CRLF ending is not the line's,
   * so a file with CRLF endings holds the same lines as the file with LF. A line still being read
   * (carried over to the next chunk) is checked as it grows: a line is refused as soon as it is
   * known to be too long, never buffered whole first.
   */
  private checkLength(length: number, lineNo: number): void {
    if (length > this.lineBytesMax) {
      throw new DataError(this.source, lineNo, "(line)", `a line of at most line_bytes_max=${this.lineBytesMax} bytes (its ending not counted)`, `more than ${this.lineBytesMax} bytes`);
    }
  }
}

/** The bytes of a line that spans chunks, kept in pieces and joined once (a long line is not copied per chunk). */
class Carry {
  private pieces: Buffer[] = [];
  length = 0;

  add(piece: Buffer): void {
    this.pieces.push(piece);
    this.length += piece.length;
  }

  /** Its length, a CR at its end not counted (it may be the start of a CRLF ending). */
  get lengthWithoutCr(): number {
    const last = this.pieces[this.pieces.length - 1];
    return last !== undefined && last.length > 0 && last[last.length - 1] === CARRIAGE_RETURN ? this.length - 1 : this.length;
  }

  /** The whole line, and the carry emptied. */
  take(): Buffer {
    const bytes = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.length);
    this.pieces = [];
    this.length = 0;
    return bytes;
  }
}

function decodeLine(bytes: Buffer, lineNo: number): string {
  let text = bytes.toString("utf8");
  if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.endsWith("\r")) text = text.slice(0, -1);
  return text;
}

/**
 * Index of the first byte that does not start or continue a well-formed UTF-8 sequence (Unicode
 * table 3-7: no overlong forms, no surrogates, nothing past U+10FFFF), or -1. Only called once
 * isUtf8 has said there is one, to name it in the error.
 */
export function firstInvalidUtf8Byte(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    if (c < 0x80) {
      i += 1;
      continue;
    }
    let follow: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) follow = 1;
    else if (c === 0xe0) [follow, lo] = [2, 0xa0];
    else if (c === 0xed) [follow, hi] = [2, 0x9f];
    else if (c >= 0xe1 && c <= 0xef) follow = 2;
    else if (c === 0xf0) [follow, lo] = [3, 0x90];
    else if (c === 0xf4) [follow, hi] = [3, 0x8f];
    else if (c >= 0xf1 && c <= 0xf3) follow = 3;
    else return i;
    for (let k = 1; k <= follow; k++) {
      const x = b[i + k];
      if (x === undefined || x < (k === 1 ? lo : 0x80) || x > (k === 1 ? hi : 0xbf)) return i;
    }
    i += follow + 1;
  }
  return -1;
}

const RECALL_READ_BYTES = 4096;

/**
 * Reads single lines of a file again by byte offset (a redelivered broker event is compared with
 * its first delivery this way, so the replay need not keep every line's text). The file is the
 * one LineReader read; it must not change during the replay.
 */
export class LineRecall {
  private fd: OpenBytes | null = null;
  private readonly buf = Buffer.allocUnsafe(RECALL_READ_BYTES);

  constructor(private readonly path: LineSource, private readonly source: string, private readonly lineBytesMax: number) {}

  private handle(): OpenBytes {
    this.fd ??= openBytes(this.path, inputName(this.source));
    return this.fd;
  }

  /** The line starting at `offset`, decoded as LineReader decodes it. */
  text(offset: number): string {
    const fd = this.handle();
    const parts: Buffer[] = [];
    let length = 0;
    for (let at = offset; length <= this.lineBytesMax;) {
      const n = fd.read(this.buf, RECALL_READ_BYTES, at);
      if (n === 0) break;
      const nl = this.buf.subarray(0, n).indexOf(NEWLINE);
      const end = nl === -1 ? n : nl;
      parts.push(Buffer.from(this.buf.subarray(0, end)));
      length += end;
      if (nl !== -1) break;
      at += n;
    }
    return decodeLine(Buffer.concat(parts), offset === 0 ? 1 : 2);
  }

  /** The 1-based number of the line starting at `offset` (reads the file up to it: for errors only). */
  line(offset: number): number {
    const fd = this.handle();
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let newlines = 0;
    for (let at = 0; at < offset;) {
      const n = fd.read(buf, Math.min(CHUNK_BYTES, offset - at), at);
      if (n === 0) break;
      for (let i = buf.indexOf(NEWLINE, 0); i !== -1 && i < n; i = buf.indexOf(NEWLINE, i + 1)) newlines += 1;
      at += n;
    }
    return newlines + 1;
  }

  close(): void {
    this.fd?.close();
    this.fd = null;
  }
}
