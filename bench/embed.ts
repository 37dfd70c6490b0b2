/**
 * `npm run bench -- embed [--seed S]`: picks the built-in embedder by measurement. On labelled
 * pools from ../shared/data (Pile toy set: 14 domains; Brown: 15 genres; AG News test: 4
 * topics) it holds out target examples per label and measures
 *   P@10   — mean precision of each target example's 10 nearest docs (same label),
 *   BETR-P — BETR max-log scores with all of a label's targets; precision of the top-N docs,
 *            N = that label's docs in the pool, averaged over labels,
 * plus fit+embed throughput. Run on the shared machine; figures vary with load.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { betrScores } from "../src/models/betr/index.js";
import { LocalEmbedder, type LocalKind } from "../src/backends/embed/local.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const DATA = path.resolve(here, "../../shared/data");
const seedArg = process.argv.indexOf("--seed");
const seed = seedArg > 0 ? Number(process.argv[seedArg + 1]) : 1;

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
function split(d: Labelled, perLabel: number) {
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

function evaluate(d: Labelled, spec: [LocalKind, number], perLabel: number) {
  const { targets, pool } = split(d, perLabel);
  const emb = new LocalEmbedder(spec[0], spec[1], seed);
  const t0 = performance.now();
  return emb
    .fit(pool.map((i) => d.texts[i]!))
    .then(() => {
      const docs = emb.embedSync(pool.map((i) => d.texts[i]!));
      const secs = (performance.now() - t0) / 1000;
      const tv = emb.embedSync(targets.map((i) => d.texts[i]!));
      const dim = emb.dim;
      const n = pool.length;
      // P@10 per target example
      let p10 = 0;
      for (let t = 0; t < targets.length; t++) {
        const r = betrScores(tv.subarray(t * dim, (t + 1) * dim), 1, docs, n, dim, { aggregate: "max", value: "inverse", topK: 10 });
        let hit = 0;
        for (let j = 0; j < n; j++) if (r.bestExample[j] === 0 && d.labels[pool[j]!] === d.labels[targets[t]!]) hit++;
        p10 += hit / 10;
      }
      p10 /= targets.length;
      // BETR precision per label
      const labels = [...new Set(targets.map((i) => d.labels[i]!))];
      let betrP = 0;
      for (const lab of labels) {
        const ts = targets.filter((i) => d.labels[i] === lab);
        const tvec = new Float32Array(ts.length * dim);
        ts.forEach((ti, k) => tvec.set(tv.subarray(targets.indexOf(ti) * dim, (targets.indexOf(ti) + 1) * dim), k * dim));
        const { score } = betrScores(tvec, ts.length, docs, n, dim, { aggregate: "max", value: "log" });
        const N = pool.filter((i) => d.labels[i] === lab).length;
        const order = Array.from({ length: n }, (_, j) => j).sort((a, b) => score[b]! - score[a]! || a - b);
        let hit = 0;
        for (let r = 0; r < N; r++) if (d.labels[pool[order[r]!]!] === lab) hit++;
        betrP += hit / N;
      }
      betrP /= labels.length;
      return { p10, betrP, docsPerSec: n / secs, secs };
    });
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
console.log(`seed ${seed}; 10 target examples per label (labels with ≥ 20 docs); fit on the pool`);
console.log("| data | embedder | P@10 | BETR-P | fit+embed docs/s |");
console.log("|---|---|---|---|---|");
const avg = new Map<string, { p10: number; betrP: number }>();
for (const d of sets) {
  for (const s of SPECS) {
    const r = await evaluate(d, s, 10);
    const key = `${s[0]}:${s[1]}`;
    const a = avg.get(key) ?? { p10: 0, betrP: 0 };
    a.p10 += r.p10 / sets.length;
    a.betrP += r.betrP / sets.length;
    avg.set(key, a);
    console.log(`| ${d.name} | ${key} | ${r.p10.toFixed(3)} | ${r.betrP.toFixed(3)} | ${Math.round(r.docsPerSec)} |`);
  }
}
for (const [k, a] of avg) console.log(`| mean of 3 | ${k} | ${a.p10.toFixed(3)} | ${a.betrP.toFixed(3)} | |`);
