// Progress for long work: percent done and time left, on stderr, only when stderr is a terminal,
// only once the work has taken ~2 s, never in artifacts. Wall-clock time is fine here: this is the
// shell, and nothing it measures is written anywhere but the terminal.

/** Where progress goes: process.stderr, or a stand-in (tests force the TTY check through one). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressOptions {
  readonly stream?: ProgressStream;
  /** Milliseconds since some fixed point; Date.now by default. */
  readonly now?: () => number;
  /** Nothing is printed before the work has run this long. */
  readonly quietMs?: number;
  /** At most one update per this many milliseconds. */
  readonly everyMs?: number;
}

/** What a long-running step reports to: how much of its total is done. */
export interface ProgressSink {
  update(done: number): void;
}

export type ProgressUnit = "bytes" | "events" | "groups" | "scenarios";

/** Work shorter than this shows nothing (docs/outputs-and-proofs.md, "Progress": work over about 2 s). */
const QUIET_MS_DEFAULT = 2000;
const EVERY_MS_DEFAULT = 250;
/** The environment can shorten the quiet period (e.g. to 0, to see progress on a small input). */
const QUIET_ENV = "RECON_PROOF_PROGRESS_AFTER_MS";

function quietMsFromEnv(): number {
  const text = process.env[QUIET_ENV];
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : QUIET_MS_DEFAULT;
}

const MIB = 1024 * 1024;

function amount(n: number, unit: ProgressUnit): string {
  if (unit === "bytes") return (n / MIB).toFixed(1);
  return Math.round(n).toLocaleString("en-US");
}

function unitLabel(unit: ProgressUnit): string {
  return unit === "bytes" ? "MiB" : unit;
}

/** "0:07", "12:03", "1:02:03". */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(r).padStart(2, "0")}`;
}

/** One line: "replay  42%  50.6 of 120.5 MiB  ETA 0:07". */
export function progressLine(label: string, done: number, total: number, unit: ProgressUnit, elapsedMs: number): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const eta = fraction > 0 ? clock(((elapsedMs / 1000) * (1 - fraction)) / fraction) : "--:--";
  return `${label} ${percent}  ${amount(done, unit)} of ${amount(total, unit)} ${unitLabel(unit)}  ETA ${eta}`;
}

export class Progress implements ProgressSink {
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private readonly quietMs: number;
  private readonly everyMs: number;
  private readonly started: number;
  private lastPrint = -Infinity;
  private width = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly unit: ProgressUnit,
    options: ProgressOptions = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    this.now = options.now ?? Date.now;
    this.quietMs = options.quietMs ?? quietMsFromEnv();
    this.everyMs = options.everyMs ?? EVERY_MS_DEFAULT;
    this.started = this.now();
  }

  private get enabled(): boolean {
    return this.stream.isTTY === true && this.total > 0;
  }

  /** Nothing is shown until some of the work is done: a percent of nothing has no time left to tell. */
  update(done: number): void {
    if (!this.enabled || done <= 0) return;
    this.show((elapsed) => progressLine(this.label, done, this.total, this.unit, elapsed));
  }

  /** For work whose total is not known: a line of its own words ("minimize  12 lines left  57 replays"). */
  status(text: string): void {
    if (this.stream.isTTY !== true) return;
    this.show(() => `${this.label}  ${text}`);
  }

  /** Writes the line over the last one, once the work has run `quietMs` and at most every `everyMs`. */
  private show(line: (elapsedMs: number) => string): void {
    const now = this.now();
    const elapsed = now - this.started;
    if (elapsed < this.quietMs || now - this.lastPrint < this.everyMs) return;
    this.lastPrint = now;
    const text = line(elapsed);
    this.stream.write(`\r${text.padEnd(this.width)}`);
    this.width = text.length;
  }

  /** A sink for one part of the work, which starts `offset` into the total (a scenario of a proof run). */
  from(offset: number): ProgressSink {
    return { update: (done) => this.update(offset + done) };
  }

  /** Clears the progress line, so the command's own last words start at the left margin. */
  done(): void {
    if (this.width > 0) this.stream.write(`\r${" ".repeat(this.width)}\r`);
    this.width = 0;
  }
}

/**
 * Runs `body` with a progress line that is cleared when it ends, however it ends (for an async
 * body, when its promise settles).
 */
export function withProgress<T>(label: string, total: number, unit: ProgressUnit, body: (p: Progress) => T): T {
  const progress = new Progress(label, total, unit);
  let result: T;
  try {
    result = body(progress);
  } catch (err) {
    progress.done();
    throw err;
  }
  if (result instanceof Promise) return result.finally(() => progress.done()) as T;
  progress.done();
  return result;
}
