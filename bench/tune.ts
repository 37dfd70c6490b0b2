/**
 * `npm run bench -- tune [--repeat R]`: ROUGE-L F (rouge_score, no stemming) over CNN/DM
 * lead-3 predictions against their highlights (the paper's data, first 250 test items, repeated R
 * times), datatailor's core against the same algorithm in Python as rouge_score runs it
 * (bench/peers/rouge_l.py), same pairs, same run: both times, the ratio, and the mean F of each
 * (they must agree). Then the time of a full FTICL build with its leakage check.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { rougeL } from "../src/models/rouge/index.js";
import { runBuild } from "../src/pipelines/tune/build.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const data = process.env.DATATAILOR_SHARED_DATA ?? path.resolve(here, "../../shared/data");
const fticl = (...p: string[]) => path.join(data, "fticl", ...p);
const ri = process.argv.indexOf("--repeat");
const repeat = ri > 0 ? Number(process.argv[ri + 1]) : 8;

const test = JSON.parse(readFileSync(fticl("summary/cnn_test_500.json"), "utf8")) as Array<{ input: string; output: string }>;
const base = test.slice(0, 250).map((x) => ({ target: x.output, prediction: x.input.trim().split(/(?<=[.!?])\s+/).slice(0, 3).join(" ") }));
const pairs = Array.from({ length: repeat }, () => base).flat();

let t0 = performance.now();
let sum = 0;
for (const p of pairs) sum += rougeL(p.target, p.prediction).fmeasure;
const ours = (performance.now() - t0) / 1000;
const peer = JSON.parse(
  execFileSync("python3", [path.join(here, "peers/rouge_l.py")], { input: pairs.map((p) => JSON.stringify(p)).join("\n") + "\n", maxBuffer: 1 << 28 }).toString(),
) as { seconds: number; mean_f: number };
console.log(`ROUGE-L over ${pairs.length} CNN/DM lead-3 pairs (${repeat} x 250):`);
console.log(`  datatailor ${ours.toFixed(3)} s (${Math.round(pairs.length / ours)} pairs/s), mean F ${(sum / pairs.length).toFixed(6)}`);
console.log(`  rouge_score's algorithm in Python ${peer.seconds.toFixed(3)} s (${Math.round(pairs.length / peer.seconds)} pairs/s), mean F ${peer.mean_f.toFixed(6)}`);
console.log(`  ratio ${(peer.seconds / ours).toFixed(1)}x; mean F equal: ${Math.abs(sum / pairs.length - peer.mean_f) < 1e-12}`);

t0 = performance.now();
const s = await runBuild({
  task: "summary",
  train: fticl("summary/xsum_train_2000.json"),
  demos: fticl("summary/few_shot/xsum_few_shot.json"),
  k: 2,
  format: "trl",
  out: path.join(mkdtempSync(path.join(os.tmpdir(), "bench-tune-")), "fticl.jsonl"),
  tests: ["xsum", "cnn", "xlsum", "pdfs"].map((n) => fticl("summary", `${n}_test_500.json`)),
  testLimit: 250,
  progress: false,
});
console.log(`FTICL build (XSum train, 2,000 examples, k = 2) + leakage check against 4 x 250 test items: ${((performance.now() - t0) / 1000).toFixed(2)} s, ${s.leaks!.length} leaks`);
