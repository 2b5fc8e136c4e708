// `recon-proof cache init|dump`: create an order-id cache, or show one to Ops as JSON.

import type { Command } from "commander";
import { dumpCache } from "../../adapters/cache/dump.js";
import { initCache } from "../../adapters/cache/schema.js";
import { printToStdout } from "../../adapters/stdout.js";
import { EXIT } from "../../runtime/exit-codes.js";
import { exitCodeOf, exitCodesHelp, type SetExit } from "../errors.js";

export function registerCache(program: Command, setExit: SetExit): void {
  const cache = program
    .command("cache")
    .description("Create or inspect the SQLite order-id cache used by `replay --cache`.")
    .addHelpText("after", `${exitCodesHelp([
      [EXIT.ok, "done"],
      [EXIT.usage, "usage error (an unknown subcommand)"],
      [EXIT.ioError, "the cache file cannot be created, read, or is not a cache"],
    ])}

Example:
  recon-proof cache init cache.db && recon-proof cache dump cache.db`);

  cache
    .command("init")
    .description("Create an empty cache file. A replay never creates one itself: a missing cache is a failure (cache_ok=false), not a fresh start. The file appears complete or not at all (a full disk leaves nothing).")
    .argument("<db>", "path of the new cache file (must not exist)")
    .addHelpText("after", `${exitCodesHelp([
      [EXIT.ok, "the empty cache is created"],
      [EXIT.usage, "usage error"],
      [EXIT.ioError, "the file exists already or cannot be created"],
    ])}

Example (a cache, then a replay that uses it):
  recon-proof cache init cache.db
  recon-proof replay --journal fixtures/scenarios/healthy/journal.jsonl --broker fixtures/scenarios/healthy/broker.jsonl \\
    --config fixtures/scenarios/healthy/config.json --cache cache.db --out artifacts/healthy`)
    .action((path: string) => setExit(exitCodeOf(() => {
      initCache(path);
      process.stderr.write(`recon-proof: created an empty order-id cache at ${path}\n`);
      return EXIT.ok;
    })));

  cache
    .command("dump")
    .description("Print the cache as JSON: entries (with TTL as UTC), replays recorded, pending changes of an interrupted replay, whether the checksum holds, and the replay holding it (held_by_pid). It does not wait for a running replay: it reads the last committed transaction. A cache in a read-only folder is read all the same.")
    .argument("<db>", "cache file")
    .addHelpText("after", `${exitCodesHelp([
      [EXIT.ok, "the cache is printed (a checksum mismatch is reported in the JSON, not as an error)"],
      [EXIT.usage, "usage error"],
      [EXIT.ioError, "the file is missing or is not a cache, stdout cannot be written, or another process\nholds SQLite's lock past sqlite_busy_wait_ms (5000; RECON_PROOF_SQLITE_BUSY_WAIT_MS)"],
    ])}

Example:
  recon-proof cache init cache.db && recon-proof cache dump cache.db`)
    .action((path: string) => setExit(exitCodeOf(() => {
      printToStdout(JSON.stringify(dumpCache(path), null, 2) + "\n");
      return EXIT.ok;
    })));
}
