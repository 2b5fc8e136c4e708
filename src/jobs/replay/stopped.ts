// Why a replay in jobs stopped before it was done. Either way it is replayed in one job, which
// reports bad input exactly as an unsharded replay does (see jobs.ts).

/** The error names of bad input (a DataError, ConfigError or IoError), as they cross threads. */
export const INPUT_ERRORS = new Set(["DataError", "ConfigError", "IoError"]);

/** A worker stopped before it was done. */
export class ShardStopped extends Error {
  constructor(readonly shard: number, readonly inputError: boolean, message: string) {
    super(`shard ${shard} stopped: ${message}`);
    this.name = "ShardStopped";
  }
}

/** The main thread's reader stopped on bad input (replayed in one job, which reports it). */
export class ReaderStopped extends Error {
  constructor(message: string) {
    super(`reading stopped: ${message}`);
    this.name = "ReaderStopped";
  }
}
