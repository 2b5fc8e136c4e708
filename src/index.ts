// recon-proof as a library: what `import ... from "recon-proof"` gives (docs/library.md). Only what
// is exported here is the package's interface; every other module is internal.

export { replay, type ArtifactBytes, type InputSource, type ReconcileReport, type ReplayOptions, type ReplayResult } from "./api/replay.js";
export { verify, type Criterion, type VerifyOptions, type VerifyResult } from "./api/verify.js";
export { BadInputError, type BadInputParts, ConfigError, IoError } from "./api/errors.js";
export { IMPORT_SOURCES, importRecords, type ImportOptions, type ImportResult } from "./api/import.js";
export { merge, type MergeOptions, type MergeResult } from "./api/merge.js";
