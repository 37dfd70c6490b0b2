/**
 * Loads tune eval's test sets: the first `limit` items of each, the few-shot demos when shots are
 * asked for, and for classification the gold label of every item (an output that is none of the
 * labels is bad input, counted with file and line, and the item is left out).
 */
import path from "node:path";
import type { BadInputLog } from "../../io/bad-input.js";
import { UserError, usageError } from "../../util/errors.js";
import type { TestSpec } from "./eval-spec.js";
import { readTuneSet, type TuneItem } from "./read.js";
import type { Template } from "./templates.js";

export interface LoadedTest extends TestSpec {
  items: TuneItem[];
  demos: TuneItem[];
  /** Gold label index per item (classification). */
  gold?: Int32Array;
}

export async function loadTests(specs: TestSpec[], template: Template, opts: { limit: number; maxShots: number; labels?: string[]; bad: BadInputLog }): Promise<LoadedTest[]> {
  const tests: LoadedTest[] = [];
  for (const t of specs) {
    const set = await readTuneSet(t.file, template.fields, opts.bad);
    let items = set.items.slice(0, opts.limit);
    let demos: TuneItem[] = [];
    if (opts.maxShots > 0) {
      if (!t.shots) throw usageError(`--shots ${opts.maxShots}: test set ${t.name} has no few-shot file (give it as in:<test>+<few-shot file>)`);
      demos = (await readTuneSet(t.shots, template.fields, opts.bad)).items;
      if (demos.length < opts.maxShots) throw usageError(`--shots ${opts.maxShots}: ${t.shots} has only ${demos.length} demos`);
    }
    let gold: Int32Array | undefined;
    if (opts.labels) {
      const lower = opts.labels.map((l) => l.toLowerCase());
      const g: number[] = [];
      const kept: TuneItem[] = [];
      for (const it of items) {
        const k = lower.indexOf(it.output.trim().toLowerCase());
        if (k < 0) {
          opts.bad.add(path.basename(t.file), it.line, "label_not_in_set", `output "${it.output.slice(0, 40)}" is none of ${opts.labels.join(", ")}`, path.resolve(t.file));
          continue;
        }
        g.push(k);
        kept.push(it);
      }
      items = kept;
      gold = Int32Array.from(g);
    }
    if (items.length === 0) throw new UserError(`${t.file}: no usable test items`);
    tests.push({ ...t, items, demos, gold });
  }
  return tests;
}
