/**
 * `npm run bench -- lm [--orders 5,3] [--words N] [--lmplz-memory 2G] [--keep] [--arpa FILE] [--train-only] [--cli JS]`: datatailor's
 * n-gram LM against KenLM on the same ~5.45M words of public-domain books and news, in one run:
 * `lm train -o N` vs `lmplz -o N` wall time (and peak memory), then `lm query` vs KenLM's `query`
 * on KenLM's order-5 ARPA (default output, to /dev/null), with ratios. KenLM runs when its
 * binaries are found ($KENLM_BIN, a directory, or PATH); otherwise only datatailor's figures print.
 * `--arpa FILE` times only the query, on that model; `--train-only` skips the query; `--cli JS` runs
 * a compiled CLI (e.g. dist/src/cli/main.js after `npm run build`, as installed) instead of the
 * TypeScript sources through tsx (whose start costs about a second).
 * The corpus: ../shared/data/corpora Gutenberg (all books), and the NLTK ABC news, Brown,
 * movie reviews and US speeches texts, whitespace-normalised, one line per source line.
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SHARED_DATA } from "../test/helpers/cli.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, "..");
const argv = process.argv.slice(2);
const arg = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const orders = (arg("--orders") ?? "5,3").split(",").map(Number);
const maxWords = arg("--words") ? Number(arg("--words")) : Infinity;
const lmplzMemory = arg("--lmplz-memory") ?? "2G";
const keep = argv.includes("--keep");
const givenArpa = arg("--arpa");
const trainOnly = argv.includes("--train-only");
const cliJs = arg("--cli");

function findKenlm(name: string): string | undefined {
  const dirs = [process.env.KENLM_BIN, ...(process.env.PATH ?? "").split(path.delimiter)].filter(Boolean) as string[];
  for (const d of dirs) {
    const p = path.join(d, name);
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  return undefined;
}

/** The bench corpus, built once under the temp directory. */
function corpus(): { file: string; words: number; lines: number } {
  const dir = path.join(tmpdir(), "datatailor-bench-lm");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, Number.isFinite(maxWords) ? `corpus-${maxWords}.txt` : "corpus.txt");
  const out: string[] = [];
  let words = 0;
  const add = (text: string) => {
    for (const raw of text.split("\n")) {
      if (words >= maxWords) return;
      const ws = raw.split(/\s+/).filter(Boolean);
      if (ws.length === 0) continue;
      out.push(ws.join(" "));
      words += ws.length;
    }
  };
  const gut = path.join(SHARED_DATA, "corpora/gutenberg-small");
  for (const f of readdirSync(gut).filter((f) => f.endsWith(".txt")).sort()) add(readFileSync(path.join(gut, f), "utf8"));
  for (const name of ["abc_news_blocks", "brown", "movie_reviews", "us_speeches"]) {
    for (const line of readFileSync(path.join(SHARED_DATA, "corpora/nltk-corpora", `${name}.jsonl`), "utf8").split("\n")) {
      if (line.trim()) add((JSON.parse(line) as { text: string }).text);
    }
  }
  const text = out.join("\n") + "\n";
  if (!existsSync(file) || statSync(file).size !== Buffer.byteLength(text)) writeFileSync(file, text);
  return { file, words, lines: out.length };
}

interface Timed {
  seconds: number;
  /** user + system CPU seconds: on a shared machine the steadier figure */
  cpu: number;
  maxRssMB: number;
}

/** Wall time and peak RSS of a command; stdin/stdout may be files. */
function timed(cmd: string, args: string[], io: { stdin?: string; stdout?: string } = {}): Timed {
  const inFd = io.stdin ? openSync(io.stdin, "r") : "ignore";
  const outFd = io.stdout ? openSync(io.stdout, "w") : "ignore";
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "RSS %M CPU %U %S", cmd, ...args], { stdio: [inFd, outFd, "pipe"], encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, DATATAILOR_NO_PROGRESS: "1" } });
  const seconds = (performance.now() - t0) / 1000;
  if (typeof inFd === "number") closeSync(inFd);
  if (typeof outFd === "number") closeSync(outFd);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr.slice(-800)}`);
  const rss = Number(/RSS (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  const cpu = /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr);
  return { seconds, cpu: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN, maxRssMB: rss / 1024 };
}

const datatailor = (args: string[], io?: { stdin?: string; stdout?: string }) =>
  timed(process.execPath, cliJs ? [path.resolve(cliJs), ...args] : ["--import", "tsx", path.join(ROOT, "src/cli/main.ts"), ...args], io);

function headerCounts(arpa: string): number[] {
  const fd = openSync(arpa, "r");
  const buf = Buffer.alloc(4096);
  const n = readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
  return [...buf.subarray(0, n).toString("utf8").matchAll(/^ngram \d+=(\d+)$/gm)].map((m) => Number(m[1]));
}


/** Reads a file once so the timed runs find it in the page cache. */
function warm(file: string): void {
  const fd = openSync(file, "r");
  const buf = Buffer.alloc(1 << 22);
  while (readSync(fd, buf, 0, buf.length, null) > 0);
  closeSync(fd);
}

const fmt = (s: number) => s.toFixed(1) + " s";
const ratio = (a: number, b: number) => (a / b).toFixed(2) + "×";

const c = corpus();
const lmplz = findKenlm("lmplz");
const query = findKenlm("query");
const work = path.join(tmpdir(), `datatailor-bench-lm-${process.pid}`);
mkdirSync(work, { recursive: true });
process.stdout.write(`corpus: ${c.words.toLocaleString("en-US")} words, ${c.lines.toLocaleString("en-US")} lines (${c.file})\n`);
process.stdout.write(`datatailor: ${cliJs ? path.resolve(cliJs) : "src/cli/main.ts through tsx"}\n`);
process.stdout.write(lmplz ? `KenLM: ${path.dirname(lmplz)} (lmplz -S ${lmplzMemory})\n` : "KenLM: not found (set KENLM_BIN to its bin/ directory); datatailor's figures only\n");
const rows: string[][] = [["figure", "datatailor wall (CPU, peak RSS)", "KenLM wall (CPU, peak RSS)", "wall ratio", "CPU ratio"]];
const cell = (t: Timed) => `${fmt(t.seconds)} (${fmt(t.cpu)}, ${t.maxRssMB.toFixed(0)} MB)`;
let queryArpa = givenArpa ?? "";
try {
  for (const order of givenArpa ? [] : orders) {
    const ours = path.join(work, `ours.o${order}.arpa`);
    const t = datatailor(["lm", "train", "-o", String(order), "--text", c.file, "--output", ours]);
    let k: Timed | undefined;
    const theirs = path.join(work, `kenlm.o${order}.arpa`);
    if (lmplz) k = timed(lmplz, ["-o", String(order), "-S", lmplzMemory, "-T", work, "--text", c.file, "--arpa", theirs]);
    const same = k ? JSON.stringify(headerCounts(ours)) === JSON.stringify(headerCounts(theirs)) : undefined;
    rows.push([`lm train -o ${order}`, cell(t), k ? cell(k) : "-", k ? ratio(t.seconds, k.seconds) : "-", k ? ratio(t.cpu, k.cpu) : "-"]);
    process.stdout.write(`order ${order}: n-grams ${headerCounts(ours).join(" / ")}${same === undefined ? "" : same ? " (same counts as lmplz)" : ` (lmplz: ${headerCounts(theirs).join(" / ")})`}; ARPA ${(statSync(ours).size / 1e6).toFixed(0)} MB\n`);
    if (order === Math.max(...orders)) queryArpa = lmplz ? theirs : ours;
  }
  if (queryArpa && !trainOnly) {
    // both tools then read the model from the page cache, whichever runs first
    warm(queryArpa);
    warm(c.file);
    const q = datatailor(["lm", "query", queryArpa, c.file], { stdout: "/dev/null" });
    warm(queryArpa);
    const kq = query ? timed(query, [queryArpa], { stdin: c.file, stdout: "/dev/null" }) : undefined;
    rows.push([`lm query (${(statSync(queryArpa).size / 1e6).toFixed(0)} MB ARPA)`, cell(q), kq ? cell(kq) : "-", kq ? ratio(q.seconds, kq.seconds) : "-", kq ? ratio(q.cpu, kq.cpu) : "-"]);
  }
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) process.stdout.write(r.map((cell, i) => cell.padEnd(widths[i])).join("  ") + "\n");
process.stdout.write(`ratios < 1: datatailor faster. Machine load at the end: ${loadavg().map((l) => l.toFixed(1)).join(" ")} on ${cpus().length} cores\n`);
