// The words every command that writes an output folder (replay, merge, minimize, proof) uses for it.

import { ADOPT_FLAG } from "../../adapters/out-dir.js";

/** --adopt-out: the one way to write into a folder recon-proof did not write. */
export const ADOPT_OUT_OPTION = [
  ADOPT_FLAG,
  "write into an output folder recon-proof did not write (one that holds other files, and no .recon-proof marker): its files are kept, those named like the set's are replaced",
] as const;

/** How an output folder is written, for an --out option's help. */
export const OUT_FOLDER_RULES =
  "replaced atomically (the complete old set or the complete new one, never a mix; docs/outputs-and-proofs.md); your own files in it are kept. " +
  `A non-empty folder recon-proof did not write is refused unless ${ADOPT_FLAG}; a symbolic link recon-proof did not make is refused (not followed); ` +
  "a read-only folder is refused; one writer at a time: a second is refused (exit 74)";

/** The exit-code lines shared by the commands that write an output folder. */
export const OUT_USAGE_REFUSALS = `an --out that is a symbolic link recon-proof did not make, or a folder it did not write (without ${ADOPT_FLAG})`;
export const OUT_IO_REFUSALS = "a read-only --out, another recon-proof writing the same --out";
