// Reads an artifact folder for `recon-proof report`: the files' text, sizes and hashes, handed to the
// pure parser. A missing folder or file is an IoError (exit 74); content that does not parse is the
// parser's DataError (exit 65).

import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { IoError } from "../domain/errors.js";
import { parseArtifactSet, REPORT_INPUTS } from "../report/html/bundle.js";
import type { ArtifactBundle, ArtifactFile } from "../report/html/model.js";

function readText(dir: string, name: string): { text: string; file: ArtifactFile } {
  const path = join(dir, name);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new IoError(`${name} is missing from ${dir} (write the artifacts with \`recon-proof replay --out ${dir}\` first)`);
    throw new IoError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return {
    text: bytes.toString("utf8"),
    file: { name, sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length },
  };
}

/** Reads and parses DIR's artifacts. Throws IoError (missing/unreadable) or DataError (malformed). */
export function readArtifactBundle(dir: string): ArtifactBundle {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new IoError(`no artifacts folder at ${dir}`);
  }
  if (!isDir) throw new IoError(`${dir} is not a folder of artifacts`);
  const [json, csv, summary] = REPORT_INPUTS.map((name) => readText(dir, name)) as [
    ReturnType<typeof readText>, ReturnType<typeof readText>, ReturnType<typeof readText>];
  return parseArtifactSet({
    name: basename(resolve(dir)),
    reportJson: json.text,
    tradesCsv: csv.text,
    summaryTxt: summary.text,
    files: [json.file, csv.file, summary.file],
  });
}
