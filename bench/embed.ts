/**
 * `npm run bench -- embed [--seed S]`: picks the built-in embedder by measurement. On labelled
 * pools from ../shared/data (Pile toy set: 14 domains; Brown: 15 genres; AG News test: 4
 * topics) it holds out target examples per label and measures
 *   P@10   — mean precision of each target example's 10 nearest docs (same label),
 *   BETR-P — BETR max-log scores with all of a label's targets; precision of the top-N docs,
 *            N = that label's docs in the pool, averaged over labels,
 * plus fit+embed throughput. Run on the shared machine; figures vary with load.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { betrScores } from "../src/models/betr/index.js";
import { LocalEmbedder, type LocalKind } from "../src/backends/embed/local.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const DATA = path.resolve(here, "../../shared/data");
const seedArg = process.argv.indexOf("--seed");
const seed = seedArg > 0 ? Number(process.argv[seedArg + 1]) : 1;
const PYTHON = process.env.DEBIAN_PYTHON ?? "/usr/bin/python3";

interface Labelled {
  name: string;
  texts: string[];
  labels: string[];
}

function pile(): Labelled {
  const rows = readFileSync(path.join(DATA, "corpora/pile-toy-dsir/toy_pile_data.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  return { name: "pile-toy (1000 docs, 14 domains)", texts: rows.map((r) => r.contents), labels: rows.map((r) => r.metadata.pile_set_name) };
}
function brown(): Labelled {
  const rows = readFileSync(path.join(DATA, "corpora/nltk-corpora/brown.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  return { name: "brown (500 docs, 15 genres)", texts: rows.map((r) => r.text), labels: rows.map((r) => r.category) };
}
function agNews(): Labelled {
  const lines = readFileSync(path.join(DATA, "classification/ag_news/test.csv"), "utf8").trim().split("\n");
  const texts: string[] = [];
  const labels: string[] = [];
  for (const l of lines) {
    const m = /^"(\d)","(.*)","(.*)"$/.exec(l);
    if (!m) continue;
    labels.push(m[1]!);
    texts.push(`${m[2]!.replace(/""/g, '"')} ${m[3]!.replace(/""/g, '"')}`);
  }
  return { name: `ag-news test (${texts.length} docs, 4 topics)`, texts, labels };
}

function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Per label with ≥ 20 docs: `perLabel` seeded targets; the rest is the pool. */
function split(d: Labelled, perLabel: number): Split {
  const byLabel = new Map<string, number[]>();
  d.labels.forEach((l, i) => byLabel.set(l, [...(byLabel.get(l) ?? []), i]));
  const targets: number[] = [];
  for (const [, idx] of byLabel) {
    if (idx.length < 20) continue;
    const chosen = [...idx].sort((a, b) => mix(a ^ seed) - mix(b ^ seed)).slice(0, perLabel);
    targets.push(...chosen);
  }
  const tset = new Set(targets);
  const pool = d.texts.map((_, i) => i).filter((i) => !tset.has(i));
  return { targets, pool };
}

interface Split {
  targets: number[];
  pool: number[];
}

/** Scores embeddings (targets then pool rows, dim wide) with both metrics. */
function score(d: Labelled, sp: Split, tv: Float32Array, docs: Float32Array, dim: number) {
  const { targets, pool } = sp;
  const n = pool.length;
  let p10 = 0;
  for (let t = 0; t < targets.length; t++) {
    const r = betrScores(tv.subarray(t * dim, (t + 1) * dim), 1, docs, n, dim, { aggregate: "max", value: "inverse", topK: 10 });
    let hit = 0;
    for (let j = 0; j < n; j++) if (r.bestExample[j] === 0 && d.labels[pool[j]!] === d.labels[targets[t]!]) hit++;
    p10 += hit / 10;
  }
  p10 /= targets.length;
  const labels = [...new Set(targets.map((i) => d.labels[i]!))];
  let betrP = 0;
  for (const lab of labels) {
    const rows = targets.map((ti, k) => [ti, k] as const).filter(([ti]) => d.labels[ti] === lab);
    const tvec = new Float32Array(rows.length * dim);
    rows.forEach(([, k], j) => tvec.set(tv.subarray(k * dim, (k + 1) * dim), j * dim));
    const { score: sc } = betrScores(tvec, rows.length, docs, n, dim, { aggregate: "max", value: "log" });
    const N = pool.filter((i) => d.labels[i] === lab).length;
    const order = Array.from({ length: n }, (_, j) => j).sort((a, b) => sc[b]! - sc[a]! || a - b);
    let hit = 0;
    for (let r = 0; r < N; r++) if (d.labels[pool[order[r]!]!] === lab) hit++;
    betrP += hit / N;
  }
  return { p10, betrP: betrP / labels.length };
}

async function evaluate(d: Labelled, sp: Split, spec: [LocalKind, number]) {
  const emb = new LocalEmbedder(spec[0], spec[1], seed);
  const poolTexts = sp.pool.map((i) => d.texts[i]!);
  const t0 = performance.now();
  await emb.fit(poolTexts);
  const t1 = performance.now();
  const docs = emb.embedSync(poolTexts);
  const t2 = performance.now();
  const tv = emb.embedSync(sp.targets.map((i) => d.texts[i]!));
  return { ...score(d, sp, tv, docs, emb.dim), fitSecs: (t1 - t0) / 1000, docsPerSec: poolTexts.length / ((t2 - t1) / 1000) };
}

/** Peer: scikit-learn TfidfVectorizer(sublinear, 1-2 grams) + TruncatedSVD(128, randomized), Debian python3. */
const PEER_PY = `
import sys, json, time, numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import normalize
d = json.load(open(sys.argv[1])); seed = int(sys.argv[3])
t0 = time.time()
vec = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2, dtype=np.float32)
X = vec.fit_transform(d["pool"])
svd = TruncatedSVD(128, algorithm="randomized", n_iter=1, random_state=seed).fit(X)
t1 = time.time()
P = normalize(svd.transform(X)).astype(np.float32)
t2 = time.time()
T = normalize(svd.transform(vec.transform(d["targets"]))).astype(np.float32)
open(sys.argv[2], "wb").write(T.tobytes() + P.tobytes())
print(json.dumps({"fit": t1 - t0, "embed": t2 - t1}))
`;

function peer(d: Labelled, sp: Split) {
  const dir = mkdtempSync(path.join(tmpdir(), "dt-bench-embed-"));
  writeFileSync(path.join(dir, "peer.py"), PEER_PY);
  writeFileSync(path.join(dir, "in.json"), JSON.stringify({ pool: sp.pool.map((i) => d.texts[i]), targets: sp.targets.map((i) => d.texts[i]) }));
  const r = spawnSync(PYTHON, [path.join(dir, "peer.py"), path.join(dir, "in.json"), path.join(dir, "out.f32"), String(seed)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`peer failed: ${r.stderr}`);
  const times = JSON.parse(r.stdout) as { fit: number; embed: number };
  const buf = readFileSync(path.join(dir, "out.f32"));
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  const tv = all.slice(0, sp.targets.length * 128);
  const docs = all.slice(sp.targets.length * 128);
  return { ...score(d, sp, tv, docs, 128), fitSecs: times.fit, docsPerSec: sp.pool.length / times.embed };
}

const SPECS: Array<[LocalKind, number]> = [
  ["tfidf", 1024],
  ["tfidf", 4096],
  ["hash", 256],
  ["hash", 1024],
  ["lsa", 64],
  ["lsa", 128],
  ["lsa", 256],
];

const sets = [pile(), brown(), agNews()];
console.log(`seed ${seed}; 10 target examples per label (labels with >= 20 docs); embedders fitted on the pool`);
console.log("| data | embedder | P@10 | BETR-P | fit s | embed docs/s |");
console.log("|---|---|---|---|---|---|");
const avg = new Map<string, { p10: number; betrP: number }>();
const add = (key: string, r: { p10: number; betrP: number }) => {
  const a = avg.get(key) ?? { p10: 0, betrP: 0 };
  a.p10 += r.p10 / sets.length;
  a.betrP += r.betrP / sets.length;
  avg.set(key, a);
};
const row = (d: Labelled, key: string, r: { p10: number; betrP: number; fitSecs: number; docsPerSec: number }) =>
  console.log(`| ${d.name} | ${key} | ${r.p10.toFixed(3)} | ${r.betrP.toFixed(3)} | ${r.fitSecs.toFixed(2)} | ${Math.round(r.docsPerSec)} |`);
for (const d of sets) {
  const sp = split(d, 10);
  for (const s of SPECS) {
    const r = await evaluate(d, sp, s);
    add(`${s[0]}:${s[1]}`, r);
    row(d, `${s[0]}:${s[1]}`, r);
  }
  const p = peer(d, sp);
  add("peer sklearn tfidf+svd:128", p);
  row(d, "peer sklearn tfidf+svd:128", p);
}
for (const [k, a] of avg) console.log(`| mean of 3 | ${k} | ${a.p10.toFixed(3)} | ${a.betrP.toFixed(3)} | | |`);
const ours = avg.get("lsa:128")!;
const theirs = avg.get("peer sklearn tfidf+svd:128")!;
console.log(`lsa:128 vs sklearn peer: P@10 ratio ${(ours.p10 / theirs.p10).toFixed(3)}, BETR-P ratio ${(ours.betrP / theirs.betrP).toFixed(3)}`);

// ---- BETR ranking speed: m targets × n docs, dim 128 (random unit vectors), 1 vs 2 threads, numpy peer ----
const RANK_PY = `
import sys, time, numpy as np
m, n, dim = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
buf = np.fromfile(sys.argv[1], dtype=np.float32)
T = buf[: m * dim].reshape(m, dim); D = buf[m * dim :].reshape(n, dim)
t0 = time.time()
best = np.full(n, n + 1, dtype=np.int64)
for s in range(0, m, 64):
    C = T[s : s + 64] @ D.T
    for row in C:
        order = np.argsort(-row, kind="stable")
        rank = np.empty(n, dtype=np.int64); rank[order] = np.arange(1, n + 1)
        np.minimum(best, rank, out=best)
secs = time.time() - t0
score = -np.log2(best.astype(np.float64))
score.tofile(sys.argv[5])
print(secs)
`;
{
  const m = Number(process.env.BENCH_RANK_M ?? 1000);
  const n = Number(process.env.BENCH_RANK_N ?? 100_000);
  const dim = 128;
  let s = 12345;
  const rnd = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296 - 0.5;
  };
  const unit = (rows: number) => {
    const a = new Float32Array(rows * dim);
    for (let r = 0; r < rows; r++) {
      let norm = 0;
      for (let k = 0; k < dim; k++) norm += (a[r * dim + k] = rnd()) ** 2;
      for (let k = 0; k < dim; k++) a[r * dim + k]! /= Math.sqrt(norm);
    }
    return a;
  };
  const T = unit(m);
  const D = unit(n);
  const { betrScoresParallel } = await import("../src/backends/betr-parallel.js");
  console.log(`\nBETR ranking, exact ranks, max/log: ${m} targets x ${n} docs x dim ${dim}`);
  const times: Record<string, number> = {};
  let ref: Float64Array | null = null;
  for (const workers of [1, 2]) {
    const t0 = performance.now();
    const r = await betrScoresParallel(T, m, D, n, dim, { aggregate: "max", value: "log", workers });
    times[workers] = (performance.now() - t0) / 1000;
    if (ref && !Buffer.from(ref.buffer).equals(Buffer.from(r.score.buffer))) throw new Error("scores differ between 1 and 2 workers");
    ref = r.score;
    console.log(`datatailor ${workers} worker(s): ${times[workers]!.toFixed(2)} s (${((2 * m * n * dim) / times[workers]! / 1e9).toFixed(2)} GFLOP/s incl. ranking)`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), "dt-bench-rank-"));
  writeFileSync(path.join(dir, "rank.py"), RANK_PY);
  writeFileSync(path.join(dir, "in.f32"), Buffer.concat([Buffer.from(T.buffer), Buffer.from(D.buffer)]));
  const r = spawnSync(PYTHON, [path.join(dir, "rank.py"), path.join(dir, "in.f32"), String(m), String(n), String(dim), path.join(dir, "out.f64")], {
    encoding: "utf8",
    env: { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1" },
  });
  if (r.status !== 0) throw new Error(`numpy peer failed: ${r.stderr}`);
  const peerSecs = Number(r.stdout.trim());
  const pbuf = readFileSync(path.join(dir, "out.f64"));
  const peerScore = new Float64Array(pbuf.buffer, pbuf.byteOffset, n);
  let same = 0;
  for (let d = 0; d < n; d++) if (peerScore[d] === ref![d]) same++;
  console.log(`peer numpy (1 BLAS thread, matmul + stable argsort): ${peerSecs.toFixed(2)} s`);
  console.log(`ratio peer/datatailor: 1 thread ${(peerSecs / times[1]!).toFixed(2)}x, datatailor 2 workers ${(peerSecs / times[2]!).toFixed(2)}x; 2-worker speed-up ${(times[1]! / times[2]!).toFixed(2)}x`);
  console.log(`doc scores equal to the peer's: ${((100 * same) / n).toFixed(2)}% (float32 sums in a different order can swap near-ties)`);
}
