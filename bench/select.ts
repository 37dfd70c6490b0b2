/**
 * `npm run bench -- select [--part quality|speed|all] [--docs N] [--seed S]`
 *
 * Quality (bench/_select-quality.ts): labelled pools, select's defaults against a scikit-learn
 * lexical BETR baseline, DSIR and random; tuning and confirmation pools reported apart.
 *
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
import { compress } from "../test/helpers/zstd.js";
import { chunk as chunkText, readJsonl, shuffle } from "../scripts/lib/sample-text.js";
import { quality } from "./_select-quality.js";
import { LocalExecutor } from "../src/exec/local.js";
import type { JobSpec, ShardTask } from "../src/exec/types.js";
import { discoverShards } from "../src/io/shards.js";
import { readParquetColumns } from "../src/io/parquet-read.js";
import { dclmPreprocess } from "../src/text/dclm.js";
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
  await lexicalSpeed(dir, corpusDir, tasks, docs);
}

/**
 * select's default scorer (lexical tf-idf + cross-fitted logistic regression, with every doc's
 * nearest target example) through the same scoring stage, against scikit-learn's
 * TfidfVectorizer.transform + LogisticRegression.decision_function on the same documents.
 */
async function lexicalSpeed(dir: string, corpusDir: string, tasks: ShardTask[], docs: Doc[]): Promise<void> {
  const { trainLexical } = await import("../src/pipelines/select/lexical.js");
  const train = docs.slice(0, 20_000);
  const targets = readJsonl(SHARED, "benchmarks/gsm8k.train.jsonl")
    .slice(0, 500)
    .map((r, index) => ({ text: `${r.question}\n${r.answer}`, benchmark: "gsm8k", index }));
  const modelDir = path.join(dir, "lexical-model");
  mkdirSync(modelDir, { recursive: true });
  const sampled = train.map((d, i) => ({ priority: 0, shard: "sample", line: i + 1, id: d.id, text: d.text, tokens: 0 }));
  const lex = await trainLexical(targets, sampled, { seed: SEED, modelDir, log: () => {} });
  const trainTsv = path.join(dir, "lexical-train.tsv");
  writeFileSync(trainTsv, train.map((d) => `${d.domain === "math" ? 1 : 0}\t${dclmPreprocess(d.text)}`).join("\n") + "\n");
  const peer = spawnSync("/usr/bin/python3", [path.join(ROOT, "bench/peers/tfidf_lr_score.py"), trainTsv, path.join(dir, "docs.txt"), path.join(dir, "peer-lexical.txt")], { encoding: "utf8" });
  if (peer.status !== 0) {
    console.log(`lexical peer skipped (python3-sklearn missing?): ${peer.stderr.slice(-300)}`);
    return;
  }
  const peerSeconds = Number(peer.stdout.trim().split(" ")[0]);
  const peerRate = docs.length / peerSeconds;
  console.log(`\nscikit-learn TfidfVectorizer.transform + LogisticRegression.decision_function (1 thread, preprocessed text in memory): ${peerSeconds.toFixed(2)} s, ${peerRate.toFixed(0)} docs/s`);
  for (const workers of [1, 2]) {
    const outDir = path.join(dir, `out-lexical-${workers}`);
    rmSync(outDir, { recursive: true, force: true });
    const exec = new LocalExecutor({ workers });
    const params: SelectScoreParams = { ...scoreParams(""), scorer: { kind: "linear", model: lex.model } };
    const t0 = performance.now();
    const results = await exec.run({ kind: "select-score", inputRoot: corpusDir, outDir, params }, tasks);
    const seconds = (performance.now() - t0) / 1000;
    await exec.close();
    const rate = results.reduce((a, r) => a + r.counts.read, 0) / seconds;
    console.log(
      `datatailor default (lexical) scoring stage, ${workers} worker${workers > 1 ? "s" : ""} (read .jsonl.zst, tf-idf, fold model, nearest target example, write kept shards + scores): ${seconds.toFixed(2)} s, ${rate.toFixed(0)} docs/s, ` +
        `${(rate / workers).toFixed(0)} docs/s per core = ${(rate / workers / peerRate).toFixed(2)}x scikit-learn per core`,
    );
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
if (PART === "all" || PART === "quality") await quality({ shared: SHARED, out: path.join(OUT, "quality"), seed: SEED, pools: arg("pools", "") ? arg("pools", "").split(",") : undefined });
if (PART === "all" || PART === "speed") await speed();
