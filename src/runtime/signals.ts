// SIGINT, SIGTERM and SIGHUP during a replay: a short message, the staged output and the cache's
// pending changes discarded (--out and the cache are as they were), and the shell's exit code for
// the signal (128 + its number). The replay is one synchronous loop, and a handler only runs when
// the event loop turns, so the loop yields every few thousand records (yieldToSignals) and stops
// there with Interrupted when a signal has come; the command's failure handling (describeFailure in
// errors.ts) turns that into its message and exit code, with the --json document too.

export const TRAPPED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
export type TrappedSignal = (typeof TRAPPED_SIGNALS)[number];

const EXIT_ON_SIGNAL: Readonly<Record<TrappedSignal, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** Thrown where the work stops for a signal; the work's own cleanup runs as for any failure. */
export class Interrupted extends Error {
  /** The shell's exit code for the signal. */
  readonly exitCode: number;

  constructor(readonly signal: TrappedSignal) {
    super(`interrupted by ${signal}: the work in progress was discarded; its output folder and cache are as they were`);
    this.name = "Interrupted";
    this.exitCode = EXIT_ON_SIGNAL[signal];
  }
}

let received: TrappedSignal | null = null;
/** True once the work stopped for the signal (and said so); false when the signal came too late to stop it. */
let stoppedWork = false;

/** Lets the event loop turn (so a signal's handler runs); throws Interrupted if a signal came. */
export async function yieldToSignals(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (received === null) return;
  stoppedWork = true;
  throw new Interrupted(received);
}

/** Throws Interrupted if a signal came (for work that waits on events rather than looping). */
export function throwIfSignalled(): void {
  if (received === null) return;
  stoppedWork = true;
  throw new Interrupted(received);
}

/**
 * Runs `body` with the three signals trapped. The body reports an Interrupted of its own (through
 * describeFailure: a one-line message and the signal's exit code); a signal that came after the
 * body finished (during its last, synchronous writes) is reported here, saying the output is
 * complete, with the signal's exit code.
 */
export async function withSignalsTrapped(body: () => Promise<number>): Promise<number> {
  const handlers = TRAPPED_SIGNALS.map((signal) => [signal, () => { received ??= signal; }] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  try {
    const code = await body();
    await new Promise<void>((resolve) => setImmediate(resolve)); // a signal that came during the last writes
    if (received === null || stoppedWork) return code;
    process.stderr.write(`recon-proof: ${received} came as the work finished; its output is complete\n`);
    return EXIT_ON_SIGNAL[received];
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}

/** For `--help`: what a signal does. */
export const SIGNALS_HELP = `
Signals: SIGINT, SIGTERM or SIGHUP stop a replay within a few thousand records: the output folder
and the cache are left as they were, and the exit code is ${EXIT_ON_SIGNAL.SIGINT}, ${EXIT_ON_SIGNAL.SIGTERM} or ${EXIT_ON_SIGNAL.SIGHUP} (128 + the signal's number).`;
