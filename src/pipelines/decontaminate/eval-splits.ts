/**
 * The evaluation splits that sit beside a run's target files: for a target
 * `arc-challenge.train.oe_eval_docs.jsonl`, the files of the same directory named
 * `arc-challenge.<validation|valid|val|dev|test>…` (any of the target extensions). These are
 * what a selection's kept documents are checked against when no --decontaminate-against is
 * given. A target file that is itself an evaluation split is checked against itself.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { TARGET_EXTENSIONS, expandTargetInputs } from "../../targets/read.js";

const EVAL_SPLITS = ["validation", "valid", "val", "dev", "test"];
const SPLIT = /^(.*)\.(train|training|validation|valid|val|dev|test)(\..*)?$/i;

function stem(file: string): string {
  const base = path.basename(file);
  const lower = base.toLowerCase();
  for (const e of [...TARGET_EXTENSIONS].sort((a, b) => b.length - a.length)) if (lower.endsWith(e)) return base.slice(0, base.length - e.length);
  return base;
}

/** Benchmark name and split of a file name (`arc-challenge`, `train`), when it names a split. */
export function splitOf(file: string): { name: string; split: string } | undefined {
  const m = SPLIT.exec(stem(file));
  return m ? { name: m[1]!, split: m[2]!.toLowerCase() } : undefined;
}

/** Evaluation-split files beside the targets (sorted, de-duplicated); [] when there are none. */
export async function evalSplitsBeside(targets: string[]): Promise<string[]> {
  const files = await expandTargetInputs(targets);
  const found = new Set<string>();
  const byDir = new Map<string, Set<string>>();
  for (const f of files) {
    const s = splitOf(f);
    if (!s) continue;
    if (EVAL_SPLITS.includes(s.split)) {
      found.add(path.resolve(f));
      continue;
    }
    const dir = path.dirname(path.resolve(f));
    if (!byDir.has(dir)) byDir.set(dir, new Set());
    byDir.get(dir)!.add(s.name);
  }
  for (const [dir, names] of byDir) {
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch {
      continue;
    }
    for (const e of entries) {
      const s = splitOf(e);
      const lower = e.toLowerCase();
      if (s && names.has(s.name) && EVAL_SPLITS.includes(s.split) && TARGET_EXTENSIONS.some((x) => x !== ".txt" && lower.endsWith(x))) found.add(path.join(dir, e));
    }
  }
  return [...found].sort();
}
