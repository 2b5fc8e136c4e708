// How many jobs a replay runs: --jobs as given, `auto`, and when a --jobs above 1 is declined.

import { availableParallelism } from "node:os";
import { ConfigError } from "../../domain/errors.js";
import { replayInputBytes, type ReplayArgs } from "../../run/replay.js";

/** Worker threads at most (each holds its own heap). */
export const JOBS_MAX = 16;

/**
 * Below this many bytes of input, `--jobs auto` runs one job: starting the threads and passing
 * every record between them costs more than the engine's work they share.
 */
export const JOBS_AUTO_INPUT_BYTES_MIN = 32 * 1024 * 1024;

export type JobsRequest = number | "auto";

/** --jobs: `auto` or a whole number of threads from 1 to jobs_max. */
export function parseJobs(text: string): JobsRequest {
  if (text === "auto") return "auto";
  if (!/^[1-9][0-9]*$/.test(text) || Number(text) > JOBS_MAX) {
    throw new ConfigError(`--jobs takes auto or a whole number from 1 to jobs_max=${JOBS_MAX}, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

export interface JobsChoice {
  readonly jobs: number;
  /** Why a --jobs above 1 that was asked for is not used (said on stderr); null when it is, or was not asked. */
  readonly declined: string | null;
}

/** How many jobs a replay runs: `auto` is one per core for large inputs, one otherwise. */
export function chooseJobs(request: JobsRequest, args: Pick<ReplayArgs, "journal" | "broker" | "cache">, cores = availableParallelism()): JobsChoice {
  if (request === "auto") {
    const large = replayInputBytes(args) >= JOBS_AUTO_INPUT_BYTES_MIN;
    return { jobs: args.cache === undefined && large ? Math.min(cores, JOBS_MAX) : 1, declined: null };
  }
  if (request > 1 && args.cache !== undefined) {
    return { jobs: 1, declined: "the order-id cache (--cache) is one file written by one replay" };
  }
  return { jobs: request, declined: null };
}
