// Progress for long work: on stderr, only when stderr is a terminal, only after ~2 s, never in
// artifacts. Wall-clock time is fine here: this is the shell, and nothing it measures is written.

const QUIET_MS = 2000;
const EVERY_MS = 500;

export class Progress {
  private readonly started = Date.now();
  private lastPrint = 0;
  private printed = false;
  private readonly enabled = process.stderr.isTTY === true;

  constructor(private readonly label: string) {}

  tick(done: number, unit: string): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.started < QUIET_MS || now - this.lastPrint < EVERY_MS) return;
    this.lastPrint = now;
    this.printed = true;
    const rate = Math.round(done / ((now - this.started) / 1000));
    process.stderr.write(`\r${this.label}: ${done.toLocaleString("en-US")} ${unit} (${rate.toLocaleString("en-US")}/s)   `);
  }

  done(): void {
    if (this.printed) process.stderr.write("\n");
  }
}
