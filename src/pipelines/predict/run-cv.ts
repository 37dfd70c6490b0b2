/**
 * `predict cv`: scale-only vs design-aware trees under the Not-Just-Scaling protocol. The
 * pipeline, step by step:
 *   1. open the database                                        (open.ts `openDatabase`)
 *   2. the tasks: one per benchmark                             (open.ts `selectTasks`)
 *   3. per task: features (forward selection when asked), then the nested CV over seeds (`crossValidate`)
 *   4. Benjamini-Hochberg across benchmarks                     (evaluate.ts `adjustAcrossBenchmarks`)
 *   5. the HTML report, when asked                              (report.ts `writeReport`)
 */
import { createProgress } from "../../util/progress.js";
import type { ModelDb } from "./db.js";
import { adjustAcrossBenchmarks, compareFeatureSets, resolveFeatures, type CvSummary } from "./evaluate.js";
import type { TaskData } from "./features.js";
import { openDatabase, selectTasks } from "./open.js";
import { resolvePredictOptions, type PredictOptions, type ResolvedPredictOptions } from "./options.js";
import { writeReport } from "./report.js";

export interface PredictCvResult {
  /** The database, as named in logs and the report. */
  db: string;
  /** One summary per benchmark, with p-values adjusted across them. */
  results: CvSummary[];
  reportPath?: string;
}

export async function runPredictCv(options: PredictOptions): Promise<PredictCvResult> {
  const o = resolvePredictOptions(options);
  const db = await openDatabase(o);
  const results = selectTasks(db, o).map((task) => crossValidate(db, task, o));
  adjustAcrossBenchmarks(results);
  const reportPath = await writeReport(o, { db: db.source, cv: results });
  return { db: db.source, results, reportPath };
}

/** Step 3: one benchmark's features, then the CV protocol over `seeds` seeds. */
function crossValidate(db: ModelDb, task: TaskData, o: ResolvedPredictOptions): CvSummary {
  const { features, steps } = resolveFeatures(db, task, o.features, {
    selectionSeeds: o.selectionSeeds,
    candidates: o.candidates,
    onStep: (m) => o.log(`${task.benchmark}: ${m}`),
  });
  const bar = createProgress({ label: `${task.benchmark} ${task.setting}`, unit: "seeds", total: o.seeds, enabled: o.progress });
  let done = 0;
  const r = compareFeatureSets(db, task, features, o.seeds, {
    onSeed: (d) => {
      bar.tick(d - done);
      done = d;
    },
    seed: o.seed,
  });
  bar.stop();
  if (steps) r.selection = steps;
  return r;
}
