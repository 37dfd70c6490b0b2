/**
 * The lexical BETR core against scikit-learn (Debian python3-sklearn) on the same real texts:
 * tf-idf cosine similarities equal TfidfVectorizer(sublinear_tf=True, stop_words="english",
 * token_pattern for ≥ 2 word characters) up to hash collisions; the logistic regression's
 * decision values equal LogisticRegression(C, class_weight="balanced", lbfgs); the Σ 1/rank
 * credit equals a direct numpy computation of ranks.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { rowDot } from "../../src/models/lexical/csr.js";
import { trainLogReg } from "../../src/models/lexical/logreg.js";
import { lexicalRankScores } from "../../src/models/lexical/rank.js";
import { TfidfFeaturizer } from "../../src/models/lexical/tfidf.js";
import { SHARED_DATA } from "../helpers/cli.js";
import { DEBIAN_PYTHON, hasPythonModule, requireTool } from "../helpers/system.js";

const haveSklearn = requireTool("python3-sklearn", hasPythonModule("sklearn"));

function texts(): { docs: string[]; targets: string[] } {
  const read = (rel: string) =>
    readFileSync(path.join(SHARED_DATA, rel), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const docs = [
    ...read("corpora/nltk-corpora/abc_news_blocks.jsonl").slice(0, 120).map((r) => String(r.text)),
    ...read("corpora/nltk-corpora/movie_reviews.jsonl").slice(0, 80).map((r) => String(r.text)),
    ...read("benchmarks/llm-foundry/math.jsonl").slice(0, 100).map((r) => `${r.context}\n${r.chain_of_thought}`),
  ];
  const targets = read("benchmarks/gsm8k.train.jsonl")
    .slice(0, 40)
    .map((r) => `${r.question}\n${r.answer}`);
  return { docs, targets };
}

function sklearn(script: string, input: unknown): unknown {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dt-lex-"));
  writeFileSync(path.join(dir, "in.json"), JSON.stringify(input));
  const out = execFileSync(DEBIAN_PYTHON, ["-c", script, path.join(dir, "in.json")], { encoding: "utf8", maxBuffer: 1 << 28 });
  return JSON.parse(out);
}

const VECTORIZE = `
import json, sys
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
d = json.load(open(sys.argv[1]))
v = TfidfVectorizer(sublinear_tf=True, stop_words="english", token_pattern=r"(?u)\\b\\w\\w+\\b")
X = v.fit_transform(d["docs"])
T = v.transform(d["targets"])
`;

describe.skipIf(!haveSklearn)("lexical BETR core vs scikit-learn", () => {
  const { docs, targets } = texts();
  // 2^24 columns: of the ~10k words here only a couple share a column (birthday bound), so all
  // but a few similarities are exact; the default 2^20 merges more rare words (checked below).
  const fz = new TfidfFeaturizer(1 << 24);
  fz.fit(docs);
  const D = fz.matrix(docs);
  const T = fz.matrix(targets);

  it("tf-idf cosine similarities equal TfidfVectorizer(sublinear_tf, English stop words)", () => {
    const ref = sklearn(VECTORIZE + `print(json.dumps((T @ X.T).toarray().tolist()))`, { docs, targets }) as number[][];
    const dense = new Float64Array(fz.buckets);
    let maxDiff = 0;
    let agree = 0;
    let total = 0;
    for (let t = 0; t < targets.length; t++) {
      dense.fill(0);
      for (let k = T.ptr[t]!; k < T.ptr[t + 1]!; k++) dense[T.idx[k]!] = T.val[k]!;
      for (let d = 0; d < docs.length; d++) {
        const diff = Math.abs(rowDot(D, d, dense) - ref[t]![d]!);
        maxDiff = Math.max(maxDiff, diff);
        if (diff < 1e-5) agree++;
        total++;
      }
    }
    expect(agree / total).toBeGreaterThan(0.99);
    expect(maxDiff).toBeLessThan(0.05);
    // the default 2^20 columns: a few rare words share a column, which moves similarities slightly
    const small = new TfidfFeaturizer();
    small.fit(docs);
    const Ds = small.matrix(docs);
    const Ts = small.matrix(targets);
    const ds = new Float64Array(small.buckets);
    let within = 0;
    for (let t = 0; t < targets.length; t++) {
      ds.fill(0);
      for (let k = Ts.ptr[t]!; k < Ts.ptr[t + 1]!; k++) ds[Ts.idx[k]!] = Ts.val[k]!;
      for (let d = 0; d < docs.length; d++) if (Math.abs(rowDot(Ds, d, ds) - ref[t]![d]!) <= 0.02 * ref[t]![d]! + 1e-6) within++;
    }
    expect(within / total).toBeGreaterThan(0.97);
  });

  it("Σ 1/rank over each example's ranking equals a direct computation", () => {
    const ref = sklearn(
      VECTORIZE +
        `S = (T @ X.T).toarray()
score = np.zeros(S.shape[1])
for row in S:
    order = np.argsort(-row, kind="stable")
    for r, i in enumerate(order):
        if row[i] <= 0: break
        score[i] += 1.0 / (r + 1)
print(json.dumps(score.tolist()))`,
      { docs, targets },
    ) as number[];
    const got = lexicalRankScores(T, D, fz.buckets, { aggregate: "sum", topK: docs.length });
    let close = 0;
    for (let i = 0; i < docs.length; i++) if (Math.abs(got.score[i]! - ref[i]!) < 1e-6 * Math.max(1, ref[i]!)) close++;
    // float32 vs float64 similarities can swap two near-tied ranks; the credit stays the same elsewhere
    expect(close / docs.length).toBeGreaterThan(0.95);
  });

  it("logistic regression equals LogisticRegression(C=0.3, class_weight='balanced')", () => {
    // label: the math docs (indices 200..299) positive
    const y = Uint8Array.from(docs, (_, i) => (i >= 200 ? 1 : 0));
    const ref = sklearn(
      VECTORIZE +
        `from sklearn.linear_model import LogisticRegression
y = np.array(d["y"])
m = LogisticRegression(C=0.3, class_weight="balanced", max_iter=5000, tol=1e-10).fit(X, y)
print(json.dumps(m.decision_function(X).tolist()))`,
      { docs, targets, y: Array.from(y) },
    ) as number[];
    const m = trainLogReg(D, y, fz.buckets, { C: 0.3, tight: true });
    let maxDiff = 0;
    let exact = 0;
    for (let i = 0; i < docs.length; i++) {
      const diff = Math.abs(rowDot(D, i, m.w) + m.bias - ref[i]!);
      maxDiff = Math.max(maxDiff, diff);
      if (diff < 2e-4) exact++;
    }
    // the couple of words sharing a column (see above) move a few decision values slightly
    expect(exact / docs.length).toBeGreaterThan(0.9);
    expect(maxDiff).toBeLessThan(0.02);
  });
});
