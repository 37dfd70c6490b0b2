/**
 * `datatailor fasttext <command>`: a drop-in for fastText 0.9.2's CLI (supervised, test,
 * test-label, predict, predict-prob, print-sentence-vectors, quantize) with the same single-dash flags, defaults and output, so
 * a script switches by changing one word. Arguments are parsed here, not by commander,
 * because fastText's flags are single-dash long names.
 */
import type { Command } from "commander";
import { action, log, printJson } from "./output.js";
import { usageError, UserError } from "../util/errors.js";
import { formatG } from "./fasttext-format.js";
import { choiceValue, parseNumberValue, type NumberSpec } from "./options.js";
import { FastText, forEachLine } from "../backends/fasttext/index.js";
import { workerCount } from "../backends/fasttext/train.js";
import { type FastTextArgs, IntBuffer } from "../models/fasttext/index.js";
import { writeFileAtomic } from "../io/atomic.js";

const USAGE = `usage: datatailor fasttext <command> <args>

The commands supported by fasttext are:

  supervised              train a supervised classifier
  quantize                quantize a model to reduce the memory usage
  test                    evaluate a supervised classifier
  test-label              print labels with precision and recall scores
  predict                 predict most likely labels
  predict-prob            predict most likely labels with probabilities
  print-sentence-vectors  print sentence vectors given a trained model
`;

const TEST_LABEL_USAGE = `usage: datatailor fasttext test-label <model> <test-data> [<k>] [<th>] [--json]

  <model>      model filename (.bin or .ftz)
  <test-data>  test data filename (if -, read from stdin)
  <k>          (optional; 1 by default) predict top k labels
  <th>         (optional; 0.0 by default) probability threshold
  --json       print {n, k, threshold, precision, recall, labels: [{label, f1, precision, recall, gold,
               predicted, correct}]} (null where undefined)

As in fastText 0.9.2, the text output's per-label Recall is "--------" and its F1 is
2*correct/predicted (fastText does not count per-label gold labels here); --json has
the real per-label recall and F1.
`;

const SENTENCE_USAGE = `usage: datatailor fasttext print-sentence-vectors <model>

  <model>      model filename (.bin or .ftz)

One vector per line of stdin: the mean of the line's input rows (words, n-grams, </s>).
`;

const TRAIN_USAGE = `usage: datatailor fasttext supervised -input <path> -output <path> [options]

The following arguments are mandatory:
  -input              training file path
  -output             output file path (writes <output>.bin and <output>.vec)

The following arguments are optional:
  -verbose            verbosity level [2]
  -label              labels prefix [__label__]
  -minCount           minimal number of word occurences [1]
  -minCountLabel      minimal number of label occurences [0]
  -wordNgrams         max length of word ngram [1]
  -bucket             number of buckets [2000000]
  -minn               min length of char ngram [0]
  -maxn               max length of char ngram [0]
  -t                  sampling threshold [0.0001]
  -lr                 learning rate [0.1]
  -lrUpdateRate       change the rate of updates for the learning rate [100]
  -dim                size of word vectors [100]
  -ws                 size of the context window [5]
  -epoch              number of epochs [5]
  -neg                number of negatives sampled [5]
  -loss               loss function {ns, hs, softmax, ova} [softmax]
  -thread             number of threads [12] (capped to the machine's cores)
  -seed               random generator seed  [0]
  -saveOutput         accepted for compatibility (supervised output vectors are the model's)

With -thread 1 and a given -seed, training is deterministic.
`;

const TEST_USAGE = `usage: datatailor fasttext test <model> <test-data> [<k>] [<th>] [--json]

  <model>      model filename (.bin or .ftz)
  <test-data>  test data filename (if -, read from stdin)
  <k>          (optional; 1 by default) predict top k labels
  <th>         (optional; 0.0 by default) probability threshold
  --json       print {n, k, threshold, precision, recall} as JSON
`;

const PREDICT_USAGE = `usage: datatailor fasttext predict[-prob] <model> <test-data> [<k>] [<th>]

  <model>      model filename (.bin or .ftz)
  <test-data>  test data filename (if -, read from stdin)
  <k>          (optional; 1 by default) predict top k labels
  <th>         (optional; 0.0 by default) probability threshold
`;

const QUANTIZE_USAGE = `usage: datatailor fasttext quantize -output <model> [options]

Reads <model>.bin and writes the quantized <model>.ftz.

  -input              training file path (needed with -retrain)
  -output             model path, without extension
  -cutoff             number of words and ngrams to retain [0]
  -retrain            finetune embeddings after the cutoff [false]
  -qnorm              quantize the norm separately [false]
  -qout               quantize the classifier [false]
  -dsub               size of each sub-vector [2]
  -epoch, -lr         for -retrain
`;

type Spec = { kind: "int" | "float" | "string" | "bool"; key: string; bounds?: NumberSpec; choices?: readonly string[] };
const TRAIN_FLAGS: Record<string, Spec> = {
  input: { kind: "string", key: "input" },
  output: { kind: "string", key: "output" },
  lr: { kind: "float", key: "lr", bounds: { gt: 0 } },
  lrUpdateRate: { kind: "int", key: "lrUpdateRate", bounds: { min: 1 } },
  dim: { kind: "int", key: "dim", bounds: { min: 1 } },
  ws: { kind: "int", key: "ws", bounds: { min: 1 } },
  epoch: { kind: "int", key: "epoch", bounds: { min: 1 } },
  minCount: { kind: "int", key: "minCount", bounds: { min: 0 } },
  minCountLabel: { kind: "int", key: "minCountLabel", bounds: { min: 0 } },
  neg: { kind: "int", key: "neg", bounds: { min: 0 } },
  wordNgrams: { kind: "int", key: "wordNgrams", bounds: { min: 1 } },
  loss: { kind: "string", key: "loss", choices: ["ns", "hs", "softmax", "ova"] },
  bucket: { kind: "int", key: "bucket", bounds: { min: 0, max: 0x7fffffff } },
  minn: { kind: "int", key: "minn", bounds: { min: 0 } },
  maxn: { kind: "int", key: "maxn", bounds: { min: 0 } },
  thread: { kind: "int", key: "thread", bounds: { min: 1 } },
  t: { kind: "float", key: "t", bounds: { min: 0 } },
  label: { kind: "string", key: "label" },
  verbose: { kind: "int", key: "verbose", bounds: { min: 0 } },
  seed: { kind: "int", key: "seed", bounds: { min: -0x80000000, max: 0x7fffffff } },
  saveOutput: { kind: "bool", key: "saveOutput" },
  pretrainedVectors: { kind: "string", key: "pretrainedVectors" },
  // quantize
  cutoff: { kind: "int", key: "cutoff", bounds: { min: 0 } },
  retrain: { kind: "bool", key: "retrain" },
  qnorm: { kind: "bool", key: "qnorm" },
  qout: { kind: "bool", key: "qout" },
  dsub: { kind: "int", key: "dsub", bounds: { min: 1 } },
};

/** Parses fastText-style `-name value` flags (also accepts `--name`). */
export function parseFasttextFlags(argv: string[], allowed: string[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("-") || a === "-") throw usageError(`unexpected argument '${a}'`);
    const name = a.replace(/^--?/, "");
    const spec = TRAIN_FLAGS[name];
    if (!spec || !allowed.includes(name)) throw usageError(`unknown argument: ${a}`);
    if (spec.kind === "bool") {
      out[spec.key] = true;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) throw usageError(`${a} needs a value`);
    if (spec.kind === "string") out[spec.key] = spec.choices ? choiceValue(a, v, spec.choices) : v;
    else out[spec.key] = parseNumberValue(a, v, { ...spec.bounds, int: spec.kind === "int" });
  }
  return out;
}

function wantsHelp(argv: string[]): boolean {
  return argv.includes("--help") || argv.includes("-h") || argv.includes("-help");
}

async function supervised(argv: string[]): Promise<void> {
  if (wantsHelp(argv) || argv.length === 0) {
    process.stdout.write(TRAIN_USAGE);
    if (argv.length === 0) throw usageError("supervised needs -input and -output");
    return;
  }
  const f = parseFasttextFlags(argv, Object.keys(TRAIN_FLAGS).filter((k) => !["cutoff", "retrain", "qnorm", "qout", "dsub"].includes(k)));
  if (typeof f.input !== "string") throw usageError("supervised needs -input <path>");
  if (typeof f.output !== "string") throw usageError("supervised needs -output <path>");
  if (f.input === "-") throw usageError("Cannot use stdin for training!");
  if (f.pretrainedVectors) throw usageError("-pretrainedVectors is not supported yet");
  const { input, output, saveOutput: _s, pretrainedVectors: _p, ...rest } = f;
  const args = { ...(rest as Partial<FastTextArgs>) };
  const verbose = (args.verbose ?? 2) as number;
  const tty = process.stderr.isTTY && !process.env.DATATAILOR_NO_PROGRESS;
  const start = performance.now();
  let last = "";
  let ft: FastText;
  try {
    ft = await FastText.train(args, input as string, {
      onDictionary: (d) => {
        if (verbose > 0) log(`Read ${Math.floor(d.ntokens / 1e6)}M words\nNumber of words:  ${d.nwords}\nNumber of labels: ${d.nlabels}`);
      },
      onProgress: (p) => {
        if (verbose < 2) return;
        const lr = (args.lr ?? 0.1) * (1 - p.progress);
        const el = (performance.now() - start) / 1000;
        const eta = p.progress > 0 ? (el / p.progress) * (1 - p.progress) : 0;
        // fastText's printf widths: %5.1f%%, %7d, %9.6f, %9.6f, %3dh%2dm%2ds
        const w = (v: string, n: number) => v.padStart(n);
        last =
          `Progress: ${w((100 * p.progress).toFixed(1), 5)}% words/sec/thread: ${w(String(Math.round(p.wordsPerSecPerThread)), 7)} lr: ${w(lr.toFixed(6), 9)}` +
          ` avg.loss: ${w(p.loss.toFixed(6), 9)} ETA: ${w(String(Math.floor(eta / 3600)), 3)}h${w(String(Math.floor((eta % 3600) / 60)), 2)}m${w(String(Math.floor(eta % 60)), 2)}s`;
        if (tty) process.stderr.write("\r" + last);
      },
    });
  } catch (err) {
    if (err instanceof RangeError || /Empty vocabulary|no labels/.test((err as Error).message)) throw new UserError(`${input}: ${(err as Error).message}`);
    throw err;
  }
  if (verbose >= 2) process.stderr.write((tty ? "\r" : "") + last + "\n");
  if (verbose > 0 && workerCount(ft.args.thread) !== ft.args.thread) log(`(threads used: ${workerCount(ft.args.thread)} of the ${ft.args.thread} asked for: this machine has no more cores)`);
  await ft.saveFile(`${output}.bin`);
  await writeFileAtomic(`${output}.vec`, wordVectors(ft));
}

/** The .vec file fastText writes next to a model: "nwords dim", then one word per line. */
function wordVectors(ft: FastText): string {
  const m = ft.model;
  const d = m.dict;
  const dim = m.args.dim;
  const v = new Float32Array(dim);
  const rows = new IntBuffer(16);
  const parts: string[] = [`${d.nwords} ${dim}\n`];
  for (let i = 0; i < d.nwords; i++) {
    v.fill(0);
    rows.clear();
    const wb = d.wordBytes(i);
    d.addSubwords(rows, wb, 0, wb.length, i);
    for (let k = 0; k < rows.len; k++) m.input.addRowToVector(v, rows.data[k]);
    if (rows.len > 0) for (let j = 0; j < dim; j++) v[j] *= Math.fround(1 / rows.len);
    let line = d.word(i) + " ";
    for (let j = 0; j < dim; j++) line += formatG(v[j], 5) + " ";
    parts.push(line + "\n");
  }
  return parts.join("");
}

function positional(argv: string[], usage: string, name: string): { model: string; data: string; k: number; th: number; json: boolean } {
  const json = argv.includes("--json");
  const rest = argv.filter((a) => a !== "--json");
  if (rest.length < 2 || rest.length > 4) {
    process.stderr.write(usage);
    throw usageError(`${name} needs <model> <test-data> [<k>] [<th>]`);
  }
  const k = rest[2] === undefined ? 1 : parseNumberValue("k", rest[2], { int: true, min: -1 });
  const th = rest[3] === undefined ? 0 : parseNumberValue("threshold", rest[3]);
  if (k === 0) throw usageError(`k must be a positive integer (or -1 for all labels), got '${rest[2]}'`);
  return { model: rest[0], data: rest[1], k, th, json };
}

async function load(path: string): Promise<FastText> {
  try {
    return await FastText.loadFile(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ENOENT") throw new UserError(`${path} cannot be opened for loading!`);
    throw new UserError((err as Error).message);
  }
}

async function stdinToTemp(): Promise<string> {
  const { mkdtemp, writeFile } = await import("node:fs/promises");
  const os = await import("node:os");
  const path = await import("node:path");
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const dir = await mkdtemp(path.join(os.tmpdir(), "datatailor-ft-"));
  const file = path.join(dir, "stdin.txt");
  await writeFile(file, Buffer.concat(chunks));
  return file;
}

async function test(argv: string[]): Promise<void> {
  if (wantsHelp(argv)) return void process.stdout.write(TEST_USAGE);
  const { model, data, k, th, json } = positional(argv, TEST_USAGE, "test");
  const ft = await load(model);
  const file = data === "-" ? await stdinToTemp() : data;
  const kk = k === -1 ? ft.labels.length : k;
  let r;
  try {
    r = await ft.test(file, kk, th);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new UserError(`Test file cannot be opened! (${data})`);
    throw err;
  }
  if (json) return printJson({ n: r.n, k, threshold: th, precision: r.precision, recall: r.recall });
  process.stdout.write(`N\t${r.n}\nP@${k}\t${formatG(r.precision, 3)}\nR@${k}\t${formatG(r.recall, 3)}\n`);
}

/** fastText's test-label: per-label F1, precision and recall (std::fixed, 6 decimals; "--------" for 0/0), then N, P@k, R@k. */
async function testLabel(argv: string[]): Promise<void> {
  if (wantsHelp(argv)) return void process.stdout.write(TEST_LABEL_USAGE);
  const { model, data, k, th, json } = positional(argv, TEST_LABEL_USAGE, "test-label");
  const ft = await load(model);
  const file = data === "-" ? await stdinToTemp() : data;
  let r;
  try {
    r = await ft.test(file, k === -1 ? ft.labels.length : k, th);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new UserError(`Test file cannot be opened! (${data})`);
    throw err;
  }
  const num = (x: number) => (Number.isFinite(x) ? x : null);
  if (json) {
    return printJson({
      n: r.n,
      k,
      threshold: th,
      precision: num(r.precision),
      recall: num(r.recall),
      labels: r.labels.map((l) => ({ label: l.label, f1: num(l.f1), precision: num(l.precision), recall: num(l.recall), gold: l.gold, predicted: l.predicted, correct: l.predictedGold })),
    });
  }
  const metric = (name: string, x: number) => `${name} : ${Number.isFinite(x) ? x.toFixed(6) : "--------"}  `;
  const fixed3 = (x: number) => (Number.isNaN(x) ? "nan" : Number.isFinite(x) ? x.toFixed(3) : x > 0 ? "inf" : "-inf");
  // fastText 0.9.2's test-label runs its Meter without false-negative labels, so no label's gold
  // count is kept: recall prints as "--------" and F1 is 2·correct/predicted. Reproduced for
  // byte parity; --json has the real per-label recall and F1.
  const out = r.labels.map((l) => {
    const f1 = l.predicted === 0 ? NaN : (2 * l.predictedGold) / l.predicted;
    return `${metric("F1-Score", f1)}${metric("Precision", l.precision)}${metric("Recall", NaN)} ${l.label}\n`;
  });
  out.push(`N\t${r.n}\nP@${k}\t${fixed3(r.precision)}\nR@${k}\t${fixed3(r.recall)}\n`);
  process.stdout.write(out.join(""));
}

/** fastText's print-sentence-vectors: one vector per stdin line, each value %g with 5 digits and a space. */
async function printSentenceVectors(argv: string[]): Promise<void> {
  if (wantsHelp(argv)) return void process.stdout.write(SENTENCE_USAGE);
  if (argv.length !== 1) {
    process.stderr.write(SENTENCE_USAGE);
    throw usageError("print-sentence-vectors needs <model> (the sentences come on stdin)");
  }
  const ft = await load(argv[0]!);
  const v = new Float32Array(ft.args.dim);
  let out: string[] = [];
  let bytes = 0;
  await forEachLine(process.stdin, (buf, s, e, eos) => {
    ft.sentenceVector(buf, s, e, eos, v);
    let line = "";
    for (let j = 0; j < v.length; j++) line += formatG(v[j]!, 5) + " ";
    out.push(line + "\n");
    bytes += line.length;
    if (bytes > 1 << 16) {
      process.stdout.write(out.join(""));
      out = [];
      bytes = 0;
    }
  });
  process.stdout.write(out.join(""));
}

async function predict(argv: string[], withProb: boolean): Promise<void> {
  if (wantsHelp(argv)) return void process.stdout.write(PREDICT_USAGE);
  const { model, data, k, th } = positional(argv, PREDICT_USAGE, withProb ? "predict-prob" : "predict");
  const ft = await load(model);
  const m = ft.model;
  const kk = k === -1 ? ft.labels.length : k;
  const words = new IntBuffer(256);
  // stdout to files and pipes is synchronous on Linux, so batching writes is enough
  let out: string[] = [];
  let outLen = 0;
  const flush = () => {
    if (!out.length) return;
    process.stdout.write(out.join(""));
    out = [];
    outLen = 0;
  };
  const line = (buf: Uint8Array, s: number, e: number, eos: boolean) => {
    m.dict.lineFeatures(buf, s, e, eos, words, null);
    const preds = m.predictor.predict(words.data, words.len, kk, th);
    let o = "";
    for (let i = 0; i < preds.length; i++) {
      if (i) o += " ";
      o += ft.labels[preds[i].index];
      if (withProb) o += " " + formatG(preds[i].prob, 6);
    }
    out.push(o + "\n");
    outLen += o.length;
    if (outLen > 1 << 16) flush();
  };
  if (data === "-") await forEachLine(process.stdin, line);
  else {
    try {
      await forEachLine(data, line);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new UserError(`${data}: Input file cannot be opened!`);
      throw err;
    }
  }
  flush();
}

async function quantize(argv: string[]): Promise<void> {
  if (wantsHelp(argv) || argv.length === 0) {
    process.stdout.write(QUANTIZE_USAGE);
    if (argv.length === 0) throw usageError("quantize needs -output <model>");
    return;
  }
  const f = parseFasttextFlags(argv, ["input", "output", "cutoff", "retrain", "qnorm", "qout", "dsub", "epoch", "lr", "thread", "verbose"]);
  if (typeof f.output !== "string") throw usageError("quantize needs -output <model>");
  if (f.retrain && typeof f.input !== "string") throw usageError("-retrain needs -input <training file>");
  const ft = await load(`${f.output}.bin`);
  let q: FastText;
  try {
    q = await ft.quantize({
      cutoff: (f.cutoff as number) ?? 0,
      dsub: (f.dsub as number) ?? 2,
      qnorm: Boolean(f.qnorm),
      qout: Boolean(f.qout),
      retrainInput: f.retrain ? (f.input as string) : undefined,
      epoch: f.epoch as number | undefined,
      lr: f.lr as number | undefined,
    });
  } catch (err) {
    throw new UserError(`${f.output}.bin: ${(err as Error).message}`);
  }
  await q.saveFile(`${f.output}.ftz`);
}

export async function runFasttext(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case "supervised":
      return supervised(rest);
    case "test":
      return test(rest);
    case "test-label":
      return testLabel(rest);
    case "print-sentence-vectors":
      return printSentenceVectors(rest);
    case "predict":
      return predict(rest, false);
    case "predict-prob":
      return predict(rest, true);
    case "quantize":
      return quantize(rest);
    case undefined:
    case "help":
    case "-h":
    case "--help":
      process.stdout.write(USAGE);
      if (cmd === undefined) throw usageError("fasttext needs a command");
      return;
    default:
      process.stderr.write(USAGE);
      throw usageError(`unknown fasttext command '${cmd}'`);
  }
}

export function registerFasttext(program: Command): void {
  program
    .command("fasttext")
    .description("fastText 0.9.2-compatible classifier: supervised, test, test-label, predict, predict-prob, print-sentence-vectors, quantize (same flags and output)")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument("[args...]", "fastText command and its arguments")
    .action(
      action(async (_args: string[], _opts: unknown, cmd: Command) => {
        await runFasttext(cmd.args);
      }),
    );
}
