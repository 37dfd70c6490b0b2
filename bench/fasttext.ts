/**
 * `npm run bench -- fasttext [--quick] [--datasets cooking,ag,sst2]`: datatailor's fastText
 * against Debian fastText 0.9.2 on the same files, in one run: P@1, training words/s/thread
 * (1 thread, and 2 threads for scaling), prediction lines/s and peak memory, with ratios.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { COOKING_TRAIN, COOKING_VALID, FASTTEXT_BIN, agNews, sst2, tempDir } from "../test/fasttext/data.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const dsArg = argv[argv.indexOf("--datasets") + 1];
const wanted = argv.includes("--datasets") && dsArg ? dsArg.split(",") : ["cooking", "ag", "sst2"];

const dir = tempDir("dt-bench-fasttext-");
const PARAMS = { lr: 0.5, epoch: quick ? 2 : 5, wordNgrams: 2, bucket: 200000, dim: 100, seed: 0 };
const flagList = (p: Record<string, number>) => Object.entries(p).flatMap(([k, v]) => [`-${k}`, String(v)]);

interface Peer {
  seconds: number;
  cpuSeconds: number;
  wst: number;
  maxRssKB: number;
  ntokens?: number;
}

/** Runs a command under /usr/bin/time -v: wall seconds, peak RSS, stdout, stderr. */
function timed(cmd: string, args: string[], stdoutFile?: string): { seconds: number; cpuSeconds: number; maxRssKB: number; stdout: string; stderr: string } {
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-v", cmd, ...args], { encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "pipe"] });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr.slice(-500)}`);
  if (stdoutFile) writeFileSync(stdoutFile, r.stdout);
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  const user = Number(/User time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1] ?? NaN);
  const sys = Number(/System time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1] ?? NaN);
  return { seconds, cpuSeconds: user + sys, maxRssKB: rss, stdout: r.stdout, stderr: r.stderr };
}

function peerTrain(input: string, out: string, threads: number): Peer {
  const r = timed(FASTTEXT_BIN, ["supervised", "-input", input, "-output", out, "-thread", String(threads), "-verbose", "2", ...flagList(PARAMS)]);
  const all = [...r.stderr.matchAll(/words\/sec\/thread:\s+(\d+)/g)];
  return { seconds: r.seconds, cpuSeconds: r.cpuSeconds, wst: Number(all.at(-1)?.[1] ?? NaN), maxRssKB: r.maxRssKB };
}

function child(args: string[]): Record<string, number> {
  const out = execFileSync(process.execPath, ["--import", "tsx", path.join(here, "_fasttext-child.ts"), ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

function oursTrain(input: string, out: string, threads: number): Peer {
  const r = child(["train", input, out, JSON.stringify({ ...PARAMS, thread: threads, verbose: 0 })]);
  return { seconds: r.seconds, cpuSeconds: r.cpuSeconds, wst: r.wordsPerSecPerThread, maxRssKB: r.maxRssKB, ntokens: r.ntokens };
}

function p1(bin: string, valid: string): number {
  return Number(/P@1\t([\d.]+)/.exec(execFileSync(FASTTEXT_BIN, ["test", bin, valid], { encoding: "utf8" }))![1]);
}

const fmt = (x: number, d = 0) => (Number.isFinite(x) ? x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }) : "n/a");
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) + "x" : "n/a");

const datasets: Array<{ name: string; train: string; valid: string }> = [];
if (wanted.includes("cooking")) datasets.push({ name: "cooking.stackexchange", train: COOKING_TRAIN, valid: COOKING_VALID });
if (wanted.includes("ag")) datasets.push({ name: "AG News (dev→test)", ...agNews(dir) });
if (wanted.includes("sst2")) datasets.push({ name: "SST-2 (train→test)", ...sst2(dir, quick ? 20000 : undefined) });

console.log(`datatailor fastText vs Debian fastText 0.9.2 — ${new Date().toISOString()}`);
console.log(`hyperparameters: ${flagList(PARAMS).join(" ")} (same for both); node ${process.version}`);
console.log(`NOTE: the machine may be shared and loaded; compare figures within one run.\n`);

const rows: string[][] = [];
for (const ds of datasets) {
  const base = path.join(dir, ds.name.replace(/\W+/g, "_"));
  // prediction input: the validation set repeated to at least 100k lines
  const validText = readFileSync(ds.valid, "utf8");
  const reps = Math.max(1, Math.ceil(100000 / validText.split("\n").length));
  const predIn = base + ".predict.txt";
  writeFileSync(predIn, validText.repeat(quick ? Math.ceil(reps / 4) : reps));

  const ft1 = peerTrain(ds.train, base + ".ft1", 1);
  const dt1 = oursTrain(ds.train, base + ".dt1.bin", 1);
  const ft2 = peerTrain(ds.train, base + ".ft2", 2);
  const dt2 = oursTrain(ds.train, base + ".dt2.bin", 2);
  const ftP1 = p1(base + ".ft1.bin", ds.valid);
  const dtP1 = child(["test", base + ".dt1.bin", ds.valid]).precision;
  // Hogwild makes 2-thread models differ from run to run, on both sides; their quality is shown too
  const ftP1x2 = p1(base + ".ft2.bin", ds.valid);
  const dtP1x2 = child(["test", base + ".dt2.bin", ds.valid]).precision;
  const ftPred = timed(FASTTEXT_BIN, ["predict", base + ".ft1.bin", predIn], base + ".ft.pred");
  const lines = validText.split("\n").length - 1;
  const predLines = lines * (quick ? Math.ceil(reps / 4) : reps);
  const dtPred = child(["predict", base + ".ft1.bin", predIn]);

  console.log(`== ${ds.name}: train ${ds.train}, valid ${ds.valid} (${lines} lines)`);
  console.log(`P@1                     fastText ${ftP1.toFixed(4)}   datatailor ${dtP1.toFixed(4)}   diff ${((dtP1 - ftP1) * 100).toFixed(2)} points`);
  console.log(`P@1, 2 threads          fastText ${ftP1x2.toFixed(4)}   datatailor ${dtP1x2.toFixed(4)}   diff ${((dtP1x2 - ftP1x2) * 100).toFixed(2)} points`);
  console.log(`train 1 thread words/s/thread   fastText ${fmt(ft1.wst)}   datatailor ${fmt(dt1.wst)}   ratio ${ratio(dt1.wst, ft1.wst)}   (wall ${ft1.seconds.toFixed(1)}s vs ${dt1.seconds.toFixed(1)}s)`);
  const wpc = (p: Peer) => (PARAMS.epoch * dt1.ntokens!) / p.cpuSeconds;
  console.log(`train 1 thread words per CPU-second (whole process, load-independent)  fastText ${fmt(wpc(ft1))}   datatailor ${fmt(wpc(dt1))}   ratio ${ratio(wpc(dt1), wpc(ft1))}`);
  console.log(`train 2 threads words/s/thread  fastText ${fmt(ft2.wst)}   datatailor ${fmt(dt2.wst)}   ratio ${ratio(dt2.wst, ft2.wst)}`);
  console.log(`2-thread scaling (total words/s, 2 vs 1)  fastText ${((2 * ft2.wst) / ft1.wst).toFixed(2)}x   datatailor ${((2 * dt2.wst) / dt1.wst).toFixed(2)}x`);
  console.log(`predict lines/s (k=1, ${predLines} lines, incl. model load)  fastText ${fmt(predLines / ftPred.seconds)}   datatailor ${fmt(dtPred.lines / dtPred.seconds)}   ratio ${ratio(dtPred.lines / dtPred.seconds, predLines / ftPred.seconds)}`);
  console.log(`predict lines per CPU-second                          fastText ${fmt(predLines / ftPred.cpuSeconds)}   datatailor ${fmt(dtPred.lines / dtPred.cpuSeconds)}   ratio ${ratio(dtPred.lines / dtPred.cpuSeconds, predLines / ftPred.cpuSeconds)}`);
  console.log(`peak RSS training 1 thread  fastText ${fmt(ft1.maxRssKB / 1024)} MB   datatailor ${fmt(dt1.maxRssKB / 1024)} MB   ratio ${ratio(dt1.maxRssKB, ft1.maxRssKB)}`);
  console.log(`peak RSS predicting         fastText ${fmt(ftPred.maxRssKB / 1024)} MB   datatailor ${fmt(dtPred.maxRssKB / 1024)} MB\n`);
  rows.push([ds.name, ftP1.toFixed(4), dtP1.toFixed(4), ratio(dt1.wst, ft1.wst), ((2 * dt2.wst) / dt1.wst).toFixed(2) + "x", ratio(dtPred.lines / dtPred.seconds, predLines / ftPred.seconds)]);
}
console.log("summary: dataset | P@1 fastText | P@1 datatailor | train 1-thread ratio | datatailor 2-thread scaling | predict ratio");
for (const r of rows) console.log(r.join(" | "));
