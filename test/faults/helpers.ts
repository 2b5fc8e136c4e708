// Shared pieces of the fault-injection suite (test/faults/): small valid inputs to break one way at
// a time.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/adapters/inputs.js";
import { ConfigError, DataError } from "../../src/domain/errors.js";
import { tempDir } from "../helpers/cli.js";
import { B, J } from "../helpers/replay.js";

/** A journal that starts flat at 07:00 UTC. */
export const FLAT_JOURNAL_START = [J.snapshot("07:00:00")];
/** A broker log that starts flat at 06:59 UTC. */
export const FLAT_BROKER_START = [B.snapshot("06:59:00")];

/** The DataError `fn` throws (anything else thrown, or nothing, fails the test). */
export function dataErrorOf(fn: () => unknown): DataError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DataError) return err;
    throw err;
  }
  throw new Error("expected a DataError");
}

/** A config file holding `bytes`, in a folder of its own. */
export function configFile(bytes: string | Buffer): string {
  const path = join(tempDir(), "config.json");
  writeFileSync(path, bytes);
  return path;
}

/** The ConfigError loading the config at `path` throws (anything else fails the test). */
export function configErrorOf(path: string): ConfigError {
  try {
    loadConfig(path);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}
