// `recon-proof cache init|dump`: create an order-id cache, or show one to Ops as JSON.

import type { Command } from "commander";
import { dumpCache, initCache } from "../../adapters/cache-store.js";
import { EXIT } from "../exit-codes.js";
import { exitCodeOf, type SetExit } from "../errors.js";

export function registerCache(program: Command, setExit: SetExit): void {
  const cache = program
    .command("cache")
    .description("Create or inspect the SQLite order-id cache used by `replay --cache`.");

  cache
    .command("init")
    .description("Create an empty cache file. A replay never creates one itself: a missing cache is a failure (cache_ok=false), not a fresh start.")
    .argument("<db>", "path of the new cache file (must not exist)")
    .action((path: string) => setExit(exitCodeOf(() => {
      initCache(path);
      process.stderr.write(`recon-proof: created an empty order-id cache at ${path}\n`);
      return EXIT.ok;
    })));

  cache
    .command("dump")
    .description("Print the cache as JSON: entries (with TTL as UTC), replays recorded, pending changes of an interrupted replay, and whether the checksum holds.")
    .argument("<db>", "cache file")
    .action((path: string) => setExit(exitCodeOf(() => {
      process.stdout.write(JSON.stringify(dumpCache(path), null, 2) + "\n");
      return EXIT.ok;
    })));
}
