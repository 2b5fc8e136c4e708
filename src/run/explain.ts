// The imperative shell of `recon-proof explain DIR ID`: read the report, check the inputs are the
// replay's own (sha256), replay them in-process up to the moment the item was raised, read the
// input lines it rests on, and hand it all to the pure explanation (src/explain/explain.ts).

import { checkArtifactsFolder, readFileInFolder, writeArtifactsFirst } from "../adapters/input-files.js";
import { type InputPaths, inputPath, readLines } from "../adapters/read-artifacts.js";
import { fileBytes, openBroker, openJournal, sha256Hex } from "../adapters/inputs.js";
import { replayToMoment, type Moment } from "../core/inspect/moment.js";
import type { Subject } from "../core/inspect/inspect.js";
import { type Config, resolveConfig } from "../domain/config.js";
import { configToJson } from "../domain/config-json.js";
import { ConfigError, DataError } from "../domain/errors.js";
import { isObject } from "../domain/json.js";
import { canonicalJson } from "../domain/validate.js";
import { REPORT_JSON } from "../artifacts/names.js";
import {
  evidenceRefs, explain, type Explanation, type ItemFacts, itemFromMoment, parseTarget, sameItem, subjectOf, type Target,
} from "../explain/explain.js";
import { parseEvidenceRef } from "../artifacts/bundle.js";
import { parseJsonText, parseReportJsonText } from "../artifacts/read.js";
import type { ReportDoc } from "../artifacts/report-schema.js";
import { withProgress } from "../runtime/progress.js";

export interface ExplainArgs extends InputPaths {
  readonly dir: string;
  readonly id: string;
}

function readReport(dir: string): { text: string; doc: ReportDoc } {
  checkArtifactsFolder(dir);
  const text = readFileInFolder(dir, REPORT_JSON, "artifacts folder", writeArtifactsFirst(dir)).toString("utf8");
  return { text, doc: parseReportJsonText(text) };
}

/** The replay's effective config, as the report records it; it must hash to the report's config_hash. */
function configOfReport(text: string, doc: ReportDoc): { config: Config; hash: string } {
  const raw = parseJsonText(text, REPORT_JSON);
  const config = resolveConfig(isObject(raw) ? raw["config"] : undefined);
  const hash = sha256Hex(canonicalJson(configToJson(config)));
  if (hash !== doc.inputs.config_hash) {
    throw new DataError(REPORT_JSON, 1, "config", `the effective config whose sha256 is inputs.config_hash (${doc.inputs.config_hash.slice(0, 12)}…)`, `one hashing to ${hash.slice(0, 12)}…`);
  }
  return { config, hash };
}

interface Located {
  readonly journal: string;
  readonly broker: string;
}

/**
 * Reads the wanted lines of both inputs into `lines`, refusing a file that is not the one the
 * replay read (its sha256 is checked on the way, as `report --inputs` does).
 */
function readEvidence(at: Located, doc: ReportDoc, refs: readonly string[], lines: Map<string, string>): void {
  for (const source of ["journal", "broker"] as const) {
    const wanted = new Set(refs.map(parseEvidenceRef).filter((r) => r !== null && r.source === source).map((r) => r!.line));
    readLines({ path: at[source], source, expected: doc.inputs[source], wanted }, lines);
  }
}

function* reporting<T>(records: Iterable<T>, tick: () => void): Generator<T> {
  for (const r of records) {
    tick();
    yield r;
  }
}

/** What explain replays: the replay's inputs, the config the report records (and its hash), and the item. */
interface Replaying {
  readonly at: Located;
  readonly config: Config;
  readonly hash: string;
  readonly doc: ReportDoc;
  readonly target: Target;
}

/** Replays the inputs in-process until the target is raised (a progress line on a terminal). */
function replayTo({ at, config, hash: configHash, doc, target }: Replaying, subject: Subject): Moment | null {
  const journal = openJournal(at.journal, config);
  const broker = openBroker(at.broker, config);
  try {
    return withProgress("explain", fileBytes(at.journal) + fileBytes(at.broker), "bytes", (progress) => {
      const tick = () => progress.update(journal.bytesRead() + broker.bytesRead());
      return replayToMoment({ config, journal: reporting(journal, tick), broker: reporting(broker, tick) },
        { configHash, cacheEntries: [], cacheFailure: doc.cache.failure, recallBroker: broker.recall }, { target: target.ref, subject });
    });
  } finally {
    broker.recall.close();
  }
}

/** The moment the item was raised, checked against the report: the same item, or the inputs are not the report's. */
function momentOf(replaying: Replaying, id: string): { item: ItemFacts; moment: Moment } {
  const { target } = replaying;
  const first = replayTo(replaying, subjectOf(target));
  const notReproduced = () => new ConfigError(`replaying these inputs does not raise ${id} as the report says: they, or the config, are not the replay's`);
  if (first === null) throw notReproduced();
  if (target.listed !== null) {
    if (!sameItem(target.listed, first)) throw notReproduced();
    return { item: target.listed, moment: first };
  }
  // Past the report's capped list: the first replay found the item; a second looks at its order and symbol.
  const item = itemFromMoment(id, first);
  if (item === null) throw notReproduced();
  const second = replayTo(replaying, item.subject);
  if (second === null) throw notReproduced();
  return { item, moment: second };
}

const NO_INPUTS = "give the replay's inputs (--inputs FOLDER, or --journal and --broker) to replay up to this item and show the input lines";

export function runExplain(args: ExplainArgs): Explanation {
  const { text, doc } = readReport(args.dir);
  const target = parseTarget(args.id, doc);
  const { config, hash } = configOfReport(text, doc);
  const journal = inputPath(args, "journal", doc.inputs.journal.name);
  const broker = inputPath(args, "broker", doc.inputs.broker.name);
  const files = { journal: doc.inputs.journal.name, broker: doc.inputs.broker.name };
  const lines = new Map<string, string>();
  if (journal === null || broker === null) {
    const item = target.listed;
    if (item === null) throw new ConfigError(`${args.id} is past the report's list (capped at report_list_items_max): ${NO_INPUTS}`);
    return explain({ item, config, moment: null, note: NO_INPUTS, lines, files });
  }
  const at = { journal, broker };
  readEvidence(at, doc, target.listed?.evidence ?? [], lines);
  if (doc.cache.entries_loaded > 0) {
    const item = target.listed;
    const note = `the replay started from an order-id cache of ${doc.cache.entries_loaded} entries, which explain cannot read back`;
    if (item === null) throw new ConfigError(`${args.id} is past the report's list, and ${note}`);
    return explain({ item, config, moment: null, note, lines, files });
  }
  const { item, moment } = momentOf({ at, config, hash, doc, target }, args.id);
  const more = evidenceRefs(item, moment).filter((r) => !lines.has(r));
  if (more.length > 0) readEvidence(at, doc, more, lines);
  return explain({ item, config, moment, note: null, lines, files });
}
