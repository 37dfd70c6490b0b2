/**
 * `datatailor demo tune`: FT and FTICL sets from the small bundled sample (data/demo/tune:
 * Social IQa question generation and sentence-polarity sentiment, both CC BY 4.0; see NOTICE),
 * in three trainer formats, each checked for leakage against its test set. The sample carries two
 * planted leaks (a few-shot demo that is a test item, as in the paper's release, and a training
 * sentence that is a test sentence in other case and spacing) so the check has something to find.
 */
import path from "node:path";
import { runBuild, type BuildSummary } from "./build.js";
import type { OutputFormat } from "./formats.js";
import type { TaskName } from "./templates.js";

export interface TuneDemoResult {
  data: string;
  out: string;
  seconds: number;
  builds: Array<Pick<BuildSummary, "out" | "format" | "k" | "examples" | "leaks" | "tokens"> & { task: TaskName }>;
}

const PLAN: Array<{ task: TaskName; k: number; format: OutputFormat; file: string }> = [
  { task: "question", k: 0, format: "trl", file: "question-ft.trl.jsonl" },
  { task: "question", k: 4, format: "openai", file: "question-fticl4.openai.jsonl" },
  { task: "sentiment", k: 0, format: "trl", file: "sentiment-ft.trl.jsonl" },
  { task: "sentiment", k: 4, format: "axolotl", file: "sentiment-fticl4.axolotl.jsonl" },
];

export async function runTuneDemo(data: string, out: string, log: (m: string) => void = () => {}): Promise<TuneDemoResult> {
  const t0 = performance.now();
  const builds: TuneDemoResult["builds"] = [];
  for (const p of PLAN) {
    const dir = path.join(data, p.task);
    const s = await runBuild({
      task: p.task,
      train: path.join(dir, "train.jsonl"),
      demos: p.k > 0 ? path.join(dir, "few_shot.jsonl") : undefined,
      k: p.k,
      format: p.format,
      out: path.join(out, p.file),
      tests: [path.join(dir, "test.jsonl")],
      log: (m) => log(`  ${m}`),
      progress: false,
    });
    log(`${p.task} k=${p.k} (${p.k === 0 ? "FT" : "FTICL"}, ${p.format}): ${s.examples} examples, median ${s.tokens.total.p50} words → ${s.out}`);
    builds.push({ task: p.task, out: s.out, format: s.format, k: s.k, examples: s.examples, leaks: s.leaks, tokens: s.tokens });
  }
  return { data, out: path.resolve(out), seconds: Number(((performance.now() - t0) / 1000).toFixed(2)), builds };
}
