/**
 * `npm run bench -- predict [--seeds K] [--benchmarks a,b,...]`
 *
 * The Not-Just-Scaling protocol (outer 3-fold CV, inner 3-fold grid search over 18 points,
 * refit) on the same folds, once with datatailor's TypeScript trees and once with scikit-learn
 * GridSearchCV + xgboost 1.7.4 (Debian python3-xgboost; test/predict/xgb_peer.py), for
 * scale-only and the authors' selected features. Both single-threaded. Prints MAE and
 * training time for each and their ratio.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { importNjsl } from "../src/pipelines/predict/njsl.js";
import { encodeRows, makeEncoder, taskData } from "../src/pipelines/predict/features.js";
import { cvSeed } from "../src/pipelines/predict/cv.js";
import type { Matrix } from "../src/models/gbdt/booster.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const NJSL = path.resolve(ROOT, "../shared/data/scaling/njsl");
const PY = "/usr/bin/python3";

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}
const seeds = Number(arg("--seeds", "3"));
const benchmarks = arg("--benchmarks", "arc_challenge,lambada,gsm8k").split(",");
const SETTINGS: Record<string, string> = { arc_challenge: "25-shot", hellaswag: "10-shot", winogrande: "5-shot", gsm8k: "5-shot", "mmlu_5-shot": "5-shot" };

function rowsOf(X: Matrix): (number | null)[][] {
  return Array.from({ length: X.nRows }, (_, i) => Array.from(X.values.subarray(i * X.nFeatures, (i + 1) * X.nFeatures), (v) => (Number.isNaN(v) ? null : v)));
}

const db = await importNjsl(NJSL);
const seedList = Array.from({ length: seeds }, (_, i) => i);
let tsTotal = 0;
let pyTotal = 0;
let fitTotal = 0;
let maxGap = 0;
console.log(`predict bench: ${seeds} seeds per feature set; node ${process.version}; machine shared with other jobs (figures taken under load)`);
console.log("benchmark      features  MAE(ts)   MAE(xgb)  |diff|    ts s   xgb s (fit only)  xgb/ts (fit only)");
for (const b of benchmarks) {
  const setting = SETTINGS[b] ?? "0-shot";
  const metric = ["anli", "logiqa2", "xnli", "mathqa"].includes(b) ? "brier_score" : "accuracy";
  const task = taskData(db, b, setting, metric);
  const sets: Array<[string, string[]]> = [
    ["scale", ["params", "tokens"]],
    ["selected", db.publishedSelection.get(`${b}|${setting}`)!],
  ];
  for (const [label, features] of sets) {
    const X = encodeRows(makeEncoder(db, features), task.models);
    const t0 = performance.now();
    const mine = seedList.map((s) => cvSeed(X, task.y, s, null));
    const tsSec = (performance.now() - t0) / 1000;
    const peer = JSON.parse(execFileSync(PY, [path.join(ROOT, "test/predict/xgb_peer.py")], { input: JSON.stringify({ X: rowsOf(X), y: Array.from(task.y), seeds: seedList }), maxBuffer: 1 << 28 }).toString());
    const maeTs = mine.reduce((s, r) => s + r.mae, 0) / seeds;
    const maeXgb = peer.seeds.reduce((s: number, r: { mae: number }) => s + r.mae, 0) / seeds;
    const gap = Math.abs(maeTs - maeXgb);
    maxGap = Math.max(maxGap, gap);
    tsTotal += tsSec;
    pyTotal += peer.seconds;
    fitTotal += peer.fit_seconds;
    console.log(
      `${b.padEnd(14)} ${label.padEnd(9)} ${maeTs.toFixed(5)}   ${maeXgb.toFixed(5)}   ${gap.toExponential(1).padEnd(8)}  ${tsSec.toFixed(1).padStart(5)}  ${peer.seconds.toFixed(1).padStart(6)} (${peer.fit_seconds.toFixed(1)})   ${(peer.seconds / tsSec).toFixed(1)}x (${(peer.fit_seconds / tsSec).toFixed(1)}x)`,
    );
  }
}
console.log(
  `total: ts ${tsTotal.toFixed(1)} s (whole protocol); xgboost 1.7.4 + scikit-learn GridSearchCV (n_jobs=1) ${pyTotal.toFixed(1)} s, of which xgboost fit() ${fitTotal.toFixed(1)} s; ` +
    `ratio xgb/ts ${(pyTotal / tsTotal).toFixed(1)}x (fit only ${(fitTotal / tsTotal).toFixed(1)}x); max |MAE diff| ${maxGap.toExponential(2)} (target < 0.003)`,
);
