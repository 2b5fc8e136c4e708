// SIGINT, SIGTERM and SIGHUP during a replay: a short message, the staged output and the cache's
// pending changes discarded (--out and the cache are as they were), and the shell's exit code for
// the signal (128 + its number). The replay is one synchronous loop, and a handler only runs when
// the event loop turns, so the loop yields every few thousand records (yieldToSignals) and stops
// there with Interrupted when a signal has come.

export const TRAPPED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
export type TrappedSignal = (typeof TRAPPED_SIGNALS)[number];

const EXIT_ON_SIGNAL: Readonly<Record<TrappedSignal, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** Thrown where the work stops for a signal; the work's own cleanup runs as for any failure. */
export class Interrupted extends Error {
  constructor(readonly signal: TrappedSignal) {
    super(`interrupted by ${signal}`);
    this.name = "Interrupted";
  }
}

let received: TrappedSignal | null = null;

/** Lets the event loop turn (so a signal's handler runs); throws Interrupted if a signal came. */
export async function yieldToSignals(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (received !== null) throw new Interrupted(received);
}

/**
 * Runs `body` with the three signals trapped. An Interrupted from the body becomes a one-line
 * message and the signal's exit code; a signal that came after the body finished (during its last,
 * synchronous writes) is reported the same way, saying the output is complete.
 */
export async function withSignalsTrapped(body: () => Promise<number>): Promise<number> {
  const handlers = TRAPPED_SIGNALS.map((signal) => [signal, () => { received ??= signal; }] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  try {
    const code = await body();
    await new Promise<void>((resolve) => setImmediate(resolve)); // a signal that came during the last writes
    if (received === null) return code;
    process.stderr.write(`recon-proof: ${received} came as the work finished; its output is complete\n`);
    return EXIT_ON_SIGNAL[received];
  } catch (err) {
    if (!(err instanceof Interrupted)) throw err;
    process.stderr.write(`recon-proof: interrupted by ${err.signal}: the work in progress was discarded; its output folder and cache are as they were\n`);
    return EXIT_ON_SIGNAL[err.signal];
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}

/** For `--help`: what a signal does. */
export const SIGNALS_HELP = `
Signals: SIGINT, SIGTERM or SIGHUP stop a replay within a few thousand records: the output folder
and the cache are left as they were, and the exit code is ${EXIT_ON_SIGNAL.SIGINT}, ${EXIT_ON_SIGNAL.SIGTERM} or ${EXIT_ON_SIGNAL.SIGHUP} (128 + the signal's number).`;
