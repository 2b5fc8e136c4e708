// Provenance of one replay, gathered by the shell while it reads (hashes and line counts), so the
// report can say exactly which inputs produced it. File names only: never a path or a host.

export interface InputFileMeta {
  readonly name: string;
  readonly sha256: string;
  readonly lines: number;
}

export interface RunMeta {
  readonly journal: InputFileMeta;
  readonly broker: InputFileMeta;
  /** The config file as given (null when every default applies). */
  readonly configFile: InputFileMeta | null;
  /** sha256 of the effective config's canonical JSON. */
  readonly configHash: string;
  readonly effectiveConfig: Record<string, unknown>;
}
