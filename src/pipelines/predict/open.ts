/**
 * predict's first two steps: open the model database (saying what its protocol left out and
 * which rows were skipped), and turn the benchmark names into the tasks to model.
 */
import { EXIT, UserError, usageError } from "../../util/errors.js";
import { benchmarkSummary, loadModelDb, type ModelDb } from "./db.js";
import { taskData, type TaskData } from "./features.js";
import type { ResolvedPredictOptions } from "./options.js";

/** Step 1: the database, from `db` or from `models` + `results`. */
export async function openDatabase(o: ResolvedPredictOptions): Promise<ModelDb> {
  if (!o.db && !(o.models && o.results)) throw usageError("give --db <path>, or --models <file> and --results <file>");
  const db = await loadModelDb({ db: o.db, models: o.models, results: o.results }, { metric: o.metric });
  if (db.excluded.length) o.log(`${db.excluded.length} models left out by the database's protocol; first: ${db.excluded[0]}`);
  if (db.skipped.length) {
    if (o.strict) throw new UserError(`${db.skipped.length} bad rows; first: ${db.skipped[0]}`, EXIT.badInput);
    o.log(`${db.skipped.length} model/result rows skipped; first: ${db.skipped[0]}`);
  }
  o.log(`${db.source}: ${db.models.length} models, ${db.results.length} results, ${db.columns.length} feature columns`);
  return db;
}

/** Step 2: one task per benchmark (and setting, metric); "all" = every benchmark with at least 30 models. */
export function selectTasks(db: ModelDb, o: ResolvedPredictOptions): TaskData[] {
  if (!o.benchmark?.length) throw usageError("--benchmark is required (a name, several, or 'all')");
  const names = o.benchmark.flatMap((b) => b.split(",")).map((b) => b.trim()).filter(Boolean);
  if (names.length === 1 && names[0] === "all") {
    return benchmarkSummary(db)
      .filter((b) => b.n >= 30 && (o.metric ? b.metric === o.metric : true))
      .filter((b, i, all) => o.metric || b.metric === "accuracy" || !all.some((x) => x.benchmark === b.benchmark && x.setting === b.setting && x.metric === "accuracy"))
      .map((b) => taskData(db, b.benchmark, b.setting, b.metric));
  }
  return names.map((b) => taskData(db, b, o.setting, o.metric));
}
