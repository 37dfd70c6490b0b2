/**
 * Child process for bench/fasttext.ts: runs one datatailor fastText job and prints one JSON
 * line with its own timings and peak memory (so Node's start-up is not counted, as the peer's
 * start-up is negligible).
 *   train <input> <out.bin> <args-json>   |   predict <model> <input>   |   test <model> <valid>
 */
import { FastText, forEachLine } from "../src/backends/fasttext/index.js";
import { IntBuffer } from "../src/models/fasttext/index.js";
import { openSync, writeSync, closeSync } from "node:fs";

const [mode, a, b, c] = process.argv.slice(2);
const rssKB = () => process.resourceUsage().maxRSS;
/** CPU seconds (all threads) since the job started: Node and tsx start-up are not counted. */
const cpu0 = process.cpuUsage();
const cpu = () => {
  const u = process.cpuUsage(cpu0);
  return (u.user + u.system) / 1e6;
};

if (mode === "train") {
  const t0 = performance.now();
  let last = { progress: 0, wordsPerSecPerThread: 0, loss: 0 };
  const ft = await FastText.train(JSON.parse(c), a, { onProgress: (p) => (last = p) });
  await ft.saveFile(b);
  const secs = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ seconds: secs, wordsPerSecPerThread: last.wordsPerSecPerThread, ntokens: ft.model.dict.ntokens, maxRssKB: rssKB(), cpuSeconds: cpu() }));
} else if (mode === "predict") {
  const t0 = performance.now();
  const ft = await FastText.loadFile(a);
  const m = ft.model;
  const words = new IntBuffer(256);
  const fd = openSync("/dev/null", "w");
  let lines = 0;
  let out: string[] = [];
  await forEachLine(b, (buf, s, e, eos) => {
    m.dict.lineFeatures(buf, s, e, eos, words, null);
    const p = m.predictor.predict(words.data, words.len, 1, 0);
    out.push((p.length ? ft.labels[p[0].index] : "") + "\n");
    if (++lines % 4096 === 0) {
      writeSync(fd, out.join(""));
      out = [];
    }
  });
  writeSync(fd, out.join(""));
  closeSync(fd);
  console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, lines, maxRssKB: rssKB(), cpuSeconds: cpu() }));
} else if (mode === "test") {
  const ft = await FastText.loadFile(a);
  console.log(JSON.stringify(await ft.test(b)));
} else {
  throw new Error(`unknown mode ${mode}`);
}
