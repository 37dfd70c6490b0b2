/**
 * What `select` calls to check its kept documents for benchmark contamination (issue 14,
 * selection side). Three calls, one per stage, each a one-line hook in the select pipeline:
 *   coordinator  prepareSelectContamination: the items are `--decontaminate-against` (matching
 *                kept documents are dropped) or else the evaluation splits beside the target
 *                files (kept documents are only reported); builds the index under
 *                `<out>/contamination/` and records what was checked in check.json, also when
 *                there was nothing to check;
 *   shard job    openShardCheck → ShardCheck.check(record) for each kept document;
 *   run level    selectContamination: counts and the report section's data from the shards'
 *                summaries (also for `datatailor merge`, from the files on disk).
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../../io/atomic.js";
import type { ShardResult } from "../../exec/types.js";
import type { ContaminationData } from "../../report/contamination-section.js";
import { DocChecker, mergeChecks, type CheckSummary } from "./doc-hits.js";
import { evalSplitsBeside } from "./eval-splits.js";
import { INDEX_FILE, openIndexFile, prepareIndex, readIndexMeta } from "./index-file.js";

export const CONTAMINATION_DIR = "contamination";
/** n of the check (decontaminate's default). */
export const SELECT_CHECK_NGRAM = 13;
const CHECK_FILE = `${CONTAMINATION_DIR}/check.json`;

/** Shard-job parameters (part of the job's fingerprint: another index redoes the shards). */
export interface SelectContamParams {
  /** The index image, relative to the output directory. */
  index: string;
  indexKey: string;
  /** Drop kept documents that match (--decontaminate-against) or only report them. */
  drop: boolean;
}

/** What was checked, for the report (check.json). */
export interface SelectCheckInfo {
  source: "against" | "beside" | "none";
  files: string[];
  drop: boolean;
  note: string;
}

/** A shard's contamination summary: the checks plus how many kept documents were dropped. */
export interface SelectShardContamination extends CheckSummary {
  dropped: number;
}

export interface SelectContamination {
  info: SelectCheckInfo;
  /** Kept documents dropped because they matched (0 when only reported). */
  dropped: number;
  /** Absent when nothing was checked. */
  data?: ContaminationData;
}

export async function prepareSelectContamination(o: {
  against?: string[];
  targets: string[];
  outDir: string;
  strict?: boolean;
  log?: (m: string) => void;
}): Promise<SelectContamParams | undefined> {
  const drop = Boolean(o.against?.length);
  const files = drop ? o.against! : o.targets.length ? await evalSplitsBeside(o.targets) : [];
  const names = files.map((f) => path.basename(f));
  let info: SelectCheckInfo;
  if (drop) info = { source: "against", files, drop, note: `kept documents checked against ${names.join(", ")}; matching ones were dropped (--decontaminate-against)` };
  else if (files.length) info = { source: "beside", files, drop, note: `kept documents checked against the evaluation splits beside the target files (${names.join(", ")}); nothing was dropped (use --decontaminate-against to drop matches)` };
  else
    info = {
      source: "none",
      files,
      drop,
      note: o.targets.length
        ? "no evaluation split beside the target files to check the kept documents against (looked for <benchmark>.validation|valid|val|dev|test files next to each <benchmark>.train file); pass --decontaminate-against to check against benchmark files"
        : "no target files, so no evaluation splits to check the kept documents against; pass --decontaminate-against to check against benchmark files",
    };
  o.log?.(`contamination: ${info.note}`);
  await writeFileAtomic(path.join(o.outDir, CHECK_FILE), JSON.stringify(info, null, 1) + "\n");
  if (!files.length) return undefined;
  const dir = path.join(o.outDir, CONTAMINATION_DIR);
  const prepared = await prepareIndex(files, dir, { n: SELECT_CHECK_NGRAM, strict: o.strict, log: o.log });
  return { index: path.join(CONTAMINATION_DIR, INDEX_FILE), indexKey: prepared.meta.key, drop };
}

/** The shard side: checks kept documents, keeps what the report needs. */
export class ShardCheck {
  dropped = 0;
  constructor(
    private readonly checker: DocChecker,
    readonly drop: boolean,
  ) {}

  /** True when the document should be dropped (it matches and the run drops matches). */
  check(doc: { id: string; line: number; text: string }, shard: string): boolean {
    const hit = this.checker.check({ id: doc.id, shard, line: doc.line, text: doc.text }).length > 0;
    if (hit && this.drop) this.dropped++;
    return hit && this.drop;
  }

  summary(): SelectShardContamination {
    return { ...this.checker.summary, dropped: this.dropped };
  }
}

export async function openShardCheck(params: SelectContamParams | undefined, outDir: string): Promise<ShardCheck | undefined> {
  if (!params) return undefined;
  const index = await openIndexFile(path.resolve(outDir, params.index));
  return new ShardCheck(new DocChecker(index), params.drop);
}

/** Run level: reads check.json and the shards' summaries (`summary.contamination`). */
export async function selectContamination(outDir: string, results: ShardResult[]): Promise<SelectContamination | undefined> {
  let info: SelectCheckInfo;
  try {
    info = JSON.parse(await fs.readFile(path.join(outDir, CHECK_FILE), "utf8")) as SelectCheckInfo;
  } catch {
    return undefined; // a run made before this check existed
  }
  const parts = [...results]
    .sort((a, b) => a.index - b.index)
    .map((r) => ({ shard: r.shard, summary: (r.summary as { contamination?: SelectShardContamination } | undefined)?.contamination }))
    .filter((p): p is { shard: string; summary: SelectShardContamination } => p.summary !== undefined);
  const dropped = parts.reduce((a, p) => a + p.summary.dropped, 0);
  if (info.source === "none") return { info, dropped };
  const dir = path.join(outDir, CONTAMINATION_DIR);
  const meta = await readIndexMeta(dir);
  if (!meta) return { info, dropped };
  return { info, dropped, data: await mergeChecks(parts, meta, dir, info.note) };
}
