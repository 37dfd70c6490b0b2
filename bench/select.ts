/**
 * `npm run bench -- select [--part quality|speed|all] [--docs N] [--seed S]`
 *
 * Quality: labelled pools built from ../shared/data. For each target, the pool holds documents
 * from one matching domain (N docs) among many others. BETR and DSIR run through `runSelect`,
 * the same code as `datatailor select` with its default --sample/--holdout and
 * `--keep N/docs --keep-by docs`. The headline figure is P@N: the share of the matching domain
 * among the N top-scored docs of the run's scores/ table, so BETR, DSIR and a seeded random
 * subset are compared at exactly the same number of docs. Also printed: DSIR's KL reduction
 * toward the targets (hashed uni+bigrams, 10k buckets) of those N docs; what the run's own
 * threshold (set on the held-out sample) kept and its precision; and, as a diagnostic, P@N of
 * BETR's ranking stage alone (built-in embedder fitted on the pool, max-log rank score),
 * before the fastText classifier is trained on its top 10% and applied.
 *
 * Speed: the corpus-scale scoring stage (read .jsonl.zst, DCLM preprocessing, fastText score,
 * write kept shards + a scores Parquet per shard) on 1 and 2 worker threads, against Debian's
 * `/usr/bin/fasttext predict-prob` on the same documents (already preprocessed into a text
 * file, so the peer does no decompression or JSON parsing), with the same model, in one run.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compress } from "zstd-napi";
import { chunk as chunkText, readJsonl, shuffle, take } from "../scripts/lib/sample-text.js";
import { LocalExecutor } from "../src/exec/local.js";
import type { JobSpec, ShardTask } from "../src/exec/types.js";
import { discoverShards } from "../src/io/shards.js";
import { readRecords } from "../src/io/read.js";
import { BadInputLog } from "../src/io/bad-input.js";
import { readParquetColumns } from "../src/io/parquet-read.js";
import { NgramHasher } from "../src/text/ngram-hash.js";
import { dclmPreprocess } from "../src/text/dclm.js";
import { klReduction } from "../src/models/dsir/index.js";
import { betrScores } from "../src/models/betr/index.js";
import { createEmbedder } from "../src/backends/embed/index.js";
import type { SelectScoreParams } from "../src/pipelines/select/score-shard.js";
import { absoluteThreshold } from "../src/pipelines/select/threshold.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SHARED = path.resolve(ROOT, "../shared/data");
const OUT = path.join(ROOT, ".bench-out", "select");
const FASTTEXT = "/usr/bin/fasttext";

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}
const PART = arg("part", "all");
const SEED = Number(arg("seed", "1"));
const SPEED_DOCS = Number(arg("docs", "60000"));

/** Chunks re-joined with single newlines (the pools' line-based sources). */
const chunk = (text: string, size: number, sep: RegExp) => chunkText(text, size, sep, "\n");

interface Doc {
  id: string;
  text: string;
  domain: string;
}

function writeShards(dir: string, docs: Doc[], shards: number, ext: "jsonl.zst" | "jsonl"): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const per = Math.ceil(docs.length / shards);
  for (let s = 0; s < shards; s++) {
    const part = docs.slice(s * per, (s + 1) * per);
    const body = Buffer.from(part.map((d) => JSON.stringify({ id: d.id, text: d.text, metadata: { domain: d.domain } })).join("\n") + "\n");
    writeFileSync(path.join(dir, `part.${String(s).padStart(5, "0")}.${ext}`), ext === "jsonl.zst" ? compress(body, { compressionLevel: 3 }) : body);
  }
}

async function readSelected(dir: string): Promise<Array<{ text: string; domain: string }>> {
  if (!existsSync(dir)) return [];
  const { shards } = await discoverShards([dir]);
  const bad = new BadInputLog();
  const out: Array<{ text: string; domain: string }> = [];
  for (const s of shards) for await (const r of readRecords(s, { bad, raw: false })) out.push({ text: r.text, domain: String(r.metadata?.domain ?? "?") });
  return out;
}

// ---------- quality ----------
interface Target {
  name: string;
  texts: string[];
  match: string[];
}
interface Pool {
  name: string;
  docs: Doc[];
  targets: Target[];
}

/** The Pile toy set (DSIR's test data): 14 domains; targets are held-out docs of one domain. */
function pilePool(): Pool {
  const rows = readJsonl(SHARED, "corpora/pile-toy-dsir/toy_pile_data.jsonl").map((r, i) => ({
    id: `pile-${i}`,
    text: String(r.contents),
    domain: String((r.metadata as { pile_set_name: string }).pile_set_name),
  }));
  const targets: Target[] = [];
  const held = new Set<string>();
  for (const domain of ["Github", "PubMed Central", "DM Mathematics", "FreeLaw", "StackExchange"]) {
    const ofDomain = shuffle(rows.filter((r) => r.domain === domain), SEED + domain.length);
    const n = Math.max(8, Math.round(ofDomain.length * 0.25));
    const t = ofDomain.slice(0, n);
    t.forEach((d) => held.add(d.id));
    targets.push({ name: `pile:${domain}`, texts: t.map((d) => d.text), match: [domain] });
  }
  return { name: "Pile toy (14 domains)", docs: rows.filter((r) => !held.has(r.id)), targets };
}

/** Public corpora by domain, with benchmark-like targets whose matching domain is known. */
function mixedPool(): Pool {
  const docs: Doc[] = [];
  const add = (domain: string, texts: string[]) => texts.forEach((t, i) => docs.push({ id: `${domain}-${i}`, text: t, domain }));
  const books = ["austen-emma", "austen-sense", "melville-moby_dick", "chesterton-ball", "chesterton-thursday", "edgeworth-parents", "whitman-leaves", "milton-paradise", "bryant-stories", "carroll-alice"];
  add("books", take(books.flatMap((b) => chunk(readFileSync(path.join(SHARED, `corpora/gutenberg-small/${b}.txt`), "utf8"), 1500, /\n/)), 1500, SEED));
  const wiki = ["valid", "test"].flatMap((s) => chunk(readFileSync(path.join(SHARED, `corpora/wikitext-2/${s}.txt`), "utf8"), 1500, /\n/));
  add("encyclopedia", take(wiki, 1200, SEED + 1));
  add("math", [
    ...take(readJsonl(SHARED, "benchmarks/llm-foundry/math.jsonl"), 1200, SEED + 2).map((r) => `Problem: ${r.context}\nSolution: ${r.chain_of_thought}`),
    ...readJsonl(SHARED, "benchmarks/llm-foundry/svamp.jsonl").map((r) => `${r.context}\nAnswer: ${r.answer}`),
  ]);
  add("news", take(readJsonl(SHARED, "corpora/nltk-corpora/abc_news_blocks.jsonl"), 1500, SEED + 3).map((r) => String(r.text)));
  add("reviews", take(readJsonl(SHARED, "corpora/nltk-corpora/movie_reviews.jsonl"), 1200, SEED + 4).map((r) => String(r.text)));
  add("speeches", take(readJsonl(SHARED, "corpora/nltk-corpora/us_speeches.jsonl").flatMap((r) => chunk(String(r.text), 1500, /\n/)), 1000, SEED + 5));
  add("brown", readJsonl(SHARED, "corpora/nltk-corpora/brown.jsonl").map((r) => String(r.text)));
  const agnews = readFileSync(path.join(SHARED, "classification/ag_news/alps/test.tsv"), "utf8").split("\n").filter(Boolean).map((l) => l.split("\t")[0]);
  return {
    name: "Mixed public corpora (7 domains)",
    docs: shuffle(docs, SEED + 6),
    targets: [
      { name: "gsm8k → math", texts: take(readJsonl(SHARED, "benchmarks/gsm8k.train.jsonl"), 300, SEED).map((r) => `${r.question}\n${r.answer}`), match: ["math"] },
      { name: "sst2 → reviews", texts: take(readJsonl(SHARED, "benchmarks/sst2.validation.jsonl"), 300, SEED).map((r) => String(r.sentence)), match: ["reviews"] },
      { name: "ag_news → news", texts: take(agnews, 300, SEED), match: ["news"] },
    ],
  };
}

function hashedCounts(hasher: NgramHasher, texts: string[]): Float64Array {
  const c = new Float64Array(hasher.nBuckets);
  for (const t of texts) hasher.addCounts(t, c);
  return c;
}

/** Precision of BETR's ranking stage alone: top-`n` pool docs by max-log rank score with the default embedder. */
async function rankStagePrecision(pool: Pool, target: Target, n: number): Promise<number> {
  const emb = await createEmbedder(undefined, { seed: SEED });
  const texts = pool.docs.map((d) => d.text);
  await emb.fit!(texts);
  const docs = await emb.embed(texts);
  const tv = await emb.embed(target.texts);
  const { score } = betrScores(tv, target.texts.length, docs, texts.length, emb.dim, { aggregate: "max", value: "log" });
  const order = Array.from({ length: texts.length }, (_, i) => i).sort((a, b) => score[b]! - score[a]! || a - b);
  let hits = 0;
  for (let r = 0; r < n; r++) if (target.match.includes(pool.docs[order[r]!]!.domain)) hits++;
  return hits / n;
}

/** Every doc's score from a run's scores/ Parquet tables, by doc id. */
async function scoresById(outDir: string): Promise<Map<string, number>> {
  const { shards } = await discoverShards([path.join(outDir, "scores")]);
  const out = new Map<string, number>();
  for (const s of shards) {
    const cols = await readParquetColumns(s.path, ["id", "score"]);
    const ids = cols.id as string[];
    const scores = cols.score as number[];
    for (let i = 0; i < ids.length; i++) out.set(ids[i]!, scores[i]!);
  }
  return out;
}

/** The `n` highest-scoring docs (ties by pool order). */
function topN(docs: Doc[], score: (d: Doc, i: number) => number, n: number): Doc[] {
  const s = docs.map(score);
  return docs
    .map((_, i) => i)
    .sort((a, b) => s[b]! - s[a]! || a - b)
    .slice(0, n)
    .map((i) => docs[i]!);
}

async function quality(): Promise<void> {
  const { runSelect } = await import("../src/pipelines/select/index.js");
  const hasher = new NgramHasher({ buckets: 10_000, mode: "fast" });
  console.log("\n## Quality: precision of recovering the matching domain, and KL reduction");
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  console.log("N = the matching domain's doc count. P@N: share of the matching domain among the N top-scored docs of the run's scores/ table (random: N seeded docs);");
  console.log("KL red. on those N docs; 'kept' = what the run's threshold (set on its held-out half, --keep N/docs --keep-by docs) actually kept, and its precision.");
  console.log(
    "pool | target | docs | N | P@N BETR | P@N DSIR | P@N random (expected N/docs) | BETR rank stage alone P@N | KL red. BETR | KL red. DSIR | KL red. random | kept BETR / DSIR | kept precision BETR / DSIR | BETR s | DSIR s",
  );
  const keys = ["betr", "dsir", "random", "rank", "klBetr", "klDsir", "klRandom"] as const;
  const sums = Object.fromEntries([...keys, "expected"].map((k) => [k, 0])) as Record<(typeof keys)[number] | "expected", number>;
  let rows = 0;
  for (const pool of [pilePool(), mixedPool()]) {
    const poolDir = path.join(OUT, "quality", pool.name.replace(/\W+/g, "-"), "corpus");
    writeShards(poolDir, pool.docs, 4, "jsonl.zst");
    const rawCounts = hashedCounts(hasher, pool.docs.map((d) => d.text));
    for (const target of pool.targets) {
      const tdir = path.join(OUT, "quality", "targets");
      mkdirSync(tdir, { recursive: true });
      const tfile = path.join(tdir, target.name.replace(/\W+/g, "_") + ".jsonl");
      writeFileSync(tfile, target.texts.map((text) => JSON.stringify({ text })).join("\n") + "\n");
      const isMatch = (d: { domain: string }) => target.match.includes(d.domain);
      const N = pool.docs.filter(isMatch).length;
      if (N === 0) throw new Error(`${pool.name}: no document of ${target.match.join(", ")} in the pool`);
      const targetCounts = [hashedCounts(hasher, target.texts)];
      const precision = (docs: Array<{ domain: string }>) => (docs.length ? docs.filter(isMatch).length / docs.length : 0);
      const kl = (docs: Doc[]) => klReduction(targetCounts, rawCounts, hashedCounts(hasher, docs.map((d) => d.text))).reduction;
      const res: Record<string, { pAtN: number; kl: number; seconds: number; kept: number; keptPrecision: number }> = {};
      for (const method of ["betr", "dsir"] as const) {
        const out = path.join(OUT, "quality", "runs", `${pool.name.replace(/\W+/g, "-")}-${target.name.replace(/\W+/g, "_")}-${method}`);
        rmSync(out, { recursive: true, force: true });
        const t0 = performance.now();
        await runSelect({
          target: [tfile],
          corpus: [poolDir],
          out,
          keep: N / pool.docs.length,
          keepBy: "docs",
          method,
          sample: 100_000,
          holdout: 100_000,
          seed: SEED,
          workers: 2,
          strict: false,
          allExamples: true,
          aggregate: "max",
          value: "log",
          report: false,
          log: () => {},
          progress: false,
        });
        const seconds = (performance.now() - t0) / 1000;
        const scores = await scoresById(out);
        if (scores.size !== pool.docs.length) throw new Error(`${method}: ${scores.size} scores for ${pool.docs.length} docs`);
        const top = topN(pool.docs, (d) => scores.get(d.id)!, N);
        const kept = await readSelected(path.join(out, "selected"));
        res[method] = { pAtN: precision(top), kl: kl(top), seconds, kept: kept.length, keptPrecision: precision(kept) };
      }
      const rnd = take(pool.docs, N, SEED + 99);
      const rank = await rankStagePrecision(pool, target, N);
      const f = (x: number) => x.toFixed(3);
      const row = { betr: res.betr.pAtN, dsir: res.dsir.pAtN, random: precision(rnd), rank, klBetr: res.betr.kl, klDsir: res.dsir.kl, klRandom: kl(rnd) };
      console.log(
        `${pool.name} | ${target.name} | ${pool.docs.length} | ${N} | ${f(row.betr)} | ${f(row.dsir)} | ${f(row.random)} (${f(N / pool.docs.length)}) | ${f(rank)} | ${f(row.klBetr)} | ${f(row.klDsir)} | ${f(row.klRandom)} | ` +
          `${res.betr.kept} / ${res.dsir.kept} | ${f(res.betr.keptPrecision)} / ${f(res.dsir.keptPrecision)} | ${res.betr.seconds.toFixed(1)} | ${res.dsir.seconds.toFixed(1)}`,
      );
      for (const k of keys) sums[k] += row[k];
      sums.expected += N / pool.docs.length;
      rows++;
    }
  }
  const m = (k: (typeof keys)[number]) => (sums[k] / rows).toFixed(3);
  console.log(`mean of ${rows} | | | | ${m("betr")} | ${m("dsir")} | ${m("random")} (${(sums.expected / rows).toFixed(3)}) | ${m("rank")} | ${m("klBetr")} | ${m("klDsir")} | ${m("klRandom")} | | | |`);
}

// ---------- speed ----------
function speedCorpus(n: number): Doc[] {
  const base: Doc[] = [];
  const add = (domain: string, texts: string[]) => texts.forEach((t) => base.push({ id: "", text: t, domain }));
  add("encyclopedia", ["valid", "test"].flatMap((s) => chunk(readFileSync(path.join(SHARED, `corpora/wikitext-2/${s}.txt`), "utf8"), 1500, /\n/)));
  add("math", readJsonl(SHARED, "benchmarks/llm-foundry/math.jsonl").map((r) => `Problem: ${r.context}\nSolution: ${r.chain_of_thought}`));
  add("news", readJsonl(SHARED, "corpora/nltk-corpora/abc_news_blocks.jsonl").map((r) => String(r.text)));
  add("reviews", readJsonl(SHARED, "corpora/nltk-corpora/movie_reviews.jsonl").map((r) => String(r.text)));
  add("books", ["austen-emma", "melville-moby_dick", "edgeworth-parents", "whitman-leaves"].flatMap((b) => chunk(readFileSync(path.join(SHARED, `corpora/gutenberg-small/${b}.txt`), "utf8"), 1500, /\n/)));
  const shuffled = shuffle(base, SEED);
  return Array.from({ length: n }, (_, i) => ({ ...shuffled[i % shuffled.length], id: `doc-${i}` }));
}

/** The select-score task's params, as `select --method classifier --model m.bin --threshold 0.5` would pass them. */
function scoreParams(model: string): SelectScoreParams {
  return {
    scorer: { kind: "fasttext", model, label: "__label__pos" },
    threshold: absoluteThreshold(0.5),
    tieSeed: SEED,
    histogram: { min: 0, max: 1, bins: 50 },
    nearK: 5,
    textChars: 600,
  };
}

function time<T>(fn: () => T): { value: T; seconds: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

async function speed(): Promise<void> {
  if (!existsSync(FASTTEXT)) {
    console.log(`\n## Speed: skipped (${FASTTEXT} not installed; apt-get install fasttext)`);
    return;
  }
  const dir = path.join(OUT, "speed");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const docs = speedCorpus(SPEED_DOCS);
  const corpusDir = path.join(dir, "corpus");
  writeShards(corpusDir, docs, 8, "jsonl.zst");
  // The peer's input: the same documents after DCLM preprocessing, one per line.
  const textFile = path.join(dir, "docs.txt");
  writeFileSync(textFile, docs.map((d) => dclmPreprocess(d.text)).join("\n") + "\n");
  const bytes = docs.reduce((a, d) => a + Buffer.byteLength(d.text), 0);
  // A BETR-shaped classifier (dim 128, word bigrams) trained by the peer itself on a labelled slice.
  const trainFile = path.join(dir, "train.txt");
  writeFileSync(
    trainFile,
    shuffle(docs.slice(0, 20_000), SEED)
      .map((d) => `${d.domain === "encyclopedia" || d.domain === "math" ? "__label__pos" : "__label__neg"} ${dclmPreprocess(d.text)}`)
      .join("\n") + "\n",
  );
  const model = path.join(dir, "model");
  execFileSync(FASTTEXT, ["supervised", "-input", trainFile, "-output", model, "-dim", "128", "-wordNgrams", "2", "-minCount", "5", "-epoch", "5", "-lr", "0.03", "-ws", "10", "-bucket", "1000000", "-thread", "2"], { stdio: "ignore" });

  console.log(`\n## Speed: scoring stage on ${docs.length} docs (${(bytes / 1e6).toFixed(1)} MB of text, 8 .jsonl.zst shards), model dim 128, wordNgrams 2, 1M buckets`);
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} (shared with other work)`);
  const peerOut = path.join(dir, "peer.txt");
  const fd = openSync(peerOut, "w");
  const peer = time(() => spawnSync(FASTTEXT, ["predict-prob", model + ".bin", textFile, "2"], { stdio: ["ignore", fd, "inherit"] }));
  closeSync(fd);
  if (peer.value.status !== 0) throw new Error(`fasttext predict-prob failed with status ${peer.value.status}`);
  const peerRate = docs.length / peer.seconds;
  console.log(`fastText 0.9.2 predict-prob (1 thread, preprocessed text file in, labels+probs out): ${peer.seconds.toFixed(2)} s, ${peerRate.toFixed(0)} docs/s`);

  const { shards } = await discoverShards([corpusDir]);
  const tasks: ShardTask[] = shards.map((s, index) => ({ index, shard: s.rel }));
  for (const workers of [1, 2]) {
    const outDir = path.join(dir, `out-${workers}`);
    rmSync(outDir, { recursive: true, force: true });
    const exec = new LocalExecutor({ workers });
    const spec: JobSpec = { kind: "select-score", inputRoot: corpusDir, outDir, params: scoreParams(model + ".bin") };
    const t0 = performance.now();
    const results = await exec.run(spec, tasks);
    const seconds = (performance.now() - t0) / 1000;
    await exec.close();
    const read = results.reduce((a, r) => a + r.counts.read, 0);
    const rate = read / seconds;
    console.log(
      `datatailor scoring stage, ${workers} worker${workers > 1 ? "s" : ""} (read .jsonl.zst, preprocess, score, write kept shards + scores): ${seconds.toFixed(2)} s, ${rate.toFixed(0)} docs/s, ` +
        `${(rate / workers).toFixed(0)} docs/s per core = ${(rate / workers / peerRate).toFixed(2)}x fastText per core`,
    );
    if (workers === 1) await parity(outDir, peerOut, docs.length);
  }
}

/** Our scores against the peer's probabilities for the same model and docs. */
async function parity(outDir: string, peerOut: string, n: number): Promise<void> {
  const peer = readFileSync(peerOut, "utf8").split("\n");
  const pPos = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const m = /__label__pos (\S+)/.exec(peer[i] ?? "");
    pPos[i] = m ? Number(m[1]) : 1 - Number(/__label__neg (\S+)/.exec(peer[i] ?? "")?.[1] ?? NaN);
  }
  const { shards } = await discoverShards([path.join(outDir, "scores")]);
  let maxDiff = 0;
  let compared = 0;
  for (const s of shards) {
    const cols = await readParquetColumns(s.path, ["id", "score"]);
    const ids = cols.id as string[];
    const scores = cols.score as number[];
    for (let i = 0; i < ids.length; i++) {
      const k = Number(ids[i].slice(4));
      maxDiff = Math.max(maxDiff, Math.abs(scores[i] - pPos[k]));
      compared++;
    }
  }
  console.log(`parity: ${compared} scores compared with fastText's p(__label__pos): max |difference| = ${maxDiff.toExponential(2)} (fastText prints 5 significant digits)`);
}

console.log(`datatailor select benchmark (seed ${SEED}, ${new Date().toISOString()})`);
if (PART === "all" || PART === "quality") await quality();
if (PART === "all" || PART === "speed") await speed();
