/**
 * `datatailor demo adapt`: the whole adapt workflow on the bundled public-domain sample
 * (data/demo/adapt) with no model to download. Two n-gram LMs per domain stand in for a pilot:
 * "base" trained on the reference (the pretraining stand-in), "adapted" on reference + the
 * domain's training documents (continued pretraining as more data). A sweep then measures each
 * domain's similarity to the reference, scores its test sentences with both models, correlates
 * the two and gives each domain a verdict. n-gram models are a proxy that shows the mechanics,
 * not what a transformer does: adding in-domain text to an n-gram model rarely hurts it.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { BadInputLog } from "../../io/bad-input.js";
import { writeFileAtomic } from "../../io/atomic.js";
import { readRecords } from "../../io/read.js";
import { discoverShards } from "../../io/shards.js";
import { arpaChunks } from "../../models/ngram/arpa-write.js";
import { fallbackDiscount } from "../../models/ngram/discount.js";
import { trainNgram } from "../../models/ngram/train.js";
import { UserError } from "../../util/errors.js";
import { runSweep, type SweepResult } from "./sweep.js";
import { reportDemo } from "./report.js";
import { makeDirs } from "../../util/make-dirs.js";

export const DEMO_ORDER = 3;
export const PROXY_NOTE =
  "The models here are n-gram LMs (order 3): base trained on the reference, adapted on reference + the domain. They are a proxy that shows the mechanics of the analysis, not what continued pretraining of a transformer would do.";

export interface AdaptDemoOptions {
  data: string;
  out: string;
  seed: number;
  log: (m: string) => void;
  progress?: boolean;
  /** Write <out>/report.html (default true). */
  report?: boolean;
}

export interface AdaptDemoResult {
  sweep: SweepResult;
  /** The report's path, when one was written. */
  report?: string;
  manifest: string;
  models: Record<string, string>;
  seconds: { models: number; sweep: number };
}

/** Every line of every document's text: the sentences n-gram training reads. */
async function sentences(dir: string): Promise<string[]> {
  const { shards } = await discoverShards([dir]);
  const out: string[] = [];
  const bad = new BadInputLog({ strict: true });
  for (const shard of shards) for await (const r of readRecords(shard, { bad, raw: false })) for (const l of r.text.split("\n")) if (l.trim()) out.push(l);
  return out;
}

async function trainTo(file: string, lines: string[]): Promise<void> {
  const model = trainNgram(new TextEncoder().encode(lines.join("\n") + "\n"), { order: DEMO_ORDER, fallback: fallbackDiscount(), skipSymbols: true });
  await writeFileAtomic(file, [...arpaChunks(model.trie, model.estimate, model.vocab)]);
}

function quote(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

export async function runAdaptDemo(o: AdaptDemoOptions): Promise<AdaptDemoResult> {
  const refDir = path.join(o.data, "reference");
  const domDir = path.join(o.data, "domains");
  const domains = (await readdir(domDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  if (!domains.length) throw new UserError(`${domDir}: no domains`);
  const modelsDir = path.join(o.out, "models");
  await makeDirs(modelsDir);
  const t0 = performance.now();
  const ref = await sentences(refDir);
  const models: Record<string, string> = { reference: path.join(modelsDir, `reference.o${DEMO_ORDER}.arpa`) };
  await trainTo(models.reference, ref);
  o.log(`trained the base model on ${ref.length} reference sentences`);
  for (const d of domains) {
    const extra = await sentences(path.join(domDir, d, "train.jsonl.zst"));
    models[d] = path.join(modelsDir, `reference+${d}.o${DEMO_ORDER}.arpa`);
    await trainTo(models[d], [...ref, ...extra]);
    o.log(`trained the adapted model for ${d} on reference + ${extra.length} ${d} sentences`);
  }
  const t1 = performance.now();
  const csv = ["domain,data,test,base,adapted"];
  for (const d of domains) {
    csv.push([d, path.join(domDir, d, "train.jsonl.zst"), path.join(domDir, d, "test.txt"), `ngram:${models.reference}`, `ngram:${models[d]}`].map(quote).join(","));
  }
  const manifest = path.join(o.out, "domains.csv");
  await writeFileAtomic(manifest, csv.join("\n") + "\n");
  const sweep = await runSweep({ manifest, reference: [refDir], seed: o.seed, log: o.log, progress: o.progress, permutations: 200 });
  const seconds = { models: (t1 - t0) / 1000, sweep: (performance.now() - t1) / 1000 };
  const report = o.report === false ? undefined : await reportDemo(path.join(o.out, "report.html"), sweep, PROXY_NOTE);
  return { sweep, report, manifest, models, seconds };
}
