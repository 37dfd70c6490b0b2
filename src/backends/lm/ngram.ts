/**
 * `ngram:<file.arpa[.gz]>`: an ARPA back-off model (KenLM's or SRILM's) scored exactly as
 * KenLM's `query` scores it. Each line of a text is one sentence: its whitespace-separated
 * words (space, \t, \v, \f, \r) and a closing </s>, each scored given <s> and the words before
 * it on that line. Offsets are UTF-8 byte offsets into the text; a line's </s> sits at the
 * line's end (start = end), which for the last line is the text's length. A newline ending
 * the text does not open another (empty) line. KenLM's log10 is converted to natural log.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createHash } from "node:crypto";
import { createGunzip } from "node:zlib";
import { ArpaFormatError, ArpaParser } from "../../models/ngram/arpa-read.js";
import { NgramModel, QueryState } from "../../models/ngram/query-model.js";
import { UserError } from "../../util/errors.js";
import { loadArpaThreaded, loadThreads, queryThreaded, type LoadPool } from "./ngram-load.js";
import { TextQuery, type QueryPrint, type QuerySummary } from "../../models/ngram/query-text.js";
import type { LanguageModel, ScoredText, ScoredToken, ScoreOptions, TokenizerIdentity } from "./types.js";

const LN10 = Math.LN10;
const SPACE = new Uint8Array(256);
for (const c of [9, 11, 12, 13, 32]) SPACE[c] = 1;

/** Reads an ARPA file (plain or gzip, told apart by its first bytes), naming file and line in errors. */
export async function loadArpa(file: string, opts: { onBytes?: (n: number) => void; threads?: number } = {}): Promise<NgramModel> {
  const { model, pool } = await loadArpaPooled(file, opts);
  await pool?.close();
  return model;
}

/**
 * loadArpa, by every core when the file is plain and large (`threads`: how many; 0 for the
 * sequential parser); the threads that loaded it come back with it, to score a text with
 * (queryThreaded), or null when it was read sequentially.
 */
export async function loadArpaPooled(file: string, opts: { onBytes?: (n: number) => void; threads?: number } = {}): Promise<{ model: NgramModel; pool: LoadPool | null }> {
  const size = await fileSize(file);
  const threads = opts.threads ?? loadThreads(size);
  if (threads > 0) {
    // anything unexpected on the fast path: the sequential parser reads the file and names the problem
    const r = await loadArpaThreaded(file, size, threads).catch(() => null);
    if (r) {
      opts.onBytes?.(size);
      return r;
    }
  }
  return { model: await loadArpaSequential(file, opts), pool: null };
}

/**
 * KenLM's query: loads the model (by every core when it is large, see loadArpaPooled) and
 * scores the text stream, handing the output bytes to `emit` in order.
 */
export async function queryArpa(
  modelPath: string,
  input: AsyncIterable<Uint8Array>,
  print: QueryPrint,
  sentenceContext: boolean,
  emit: (b: Uint8Array) => Promise<void>,
  opts: { threads?: number } = {},
): Promise<{ model: NgramModel; summary: QuerySummary; loadSeconds: number; threaded: boolean }> {
  const t0 = performance.now();
  const { model, pool } = await loadArpaPooled(modelPath, opts);
  const loadSeconds = (performance.now() - t0) / 1000;
  if (pool) {
    // the threads that loaded the model score the text
    try {
      const summary = await queryThreaded(pool, model, input, print, sentenceContext, emit);
      return { model, summary, loadSeconds, threaded: true };
    } finally {
      await pool.close();
    }
  }
  const pending: Uint8Array[] = [];
  const q = new TextQuery(model, print, (b) => pending.push(b), sentenceContext);
  const drain = async () => {
    for (const b of pending.splice(0)) await emit(b);
  };
  for await (const chunk of input) {
    q.push(chunk);
    q.flush();
    await drain();
  }
  const summary = q.end();
  await drain();
  return { model, summary, loadSeconds, threaded: false };
}

async function fileSize(file: string): Promise<number> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new UserError(`${file}: not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read the language model ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (size === 0) throw new UserError(`${file}: empty file, not an ARPA model`);
  return size;
}

async function loadArpaSequential(file: string, opts: { onBytes?: (n: number) => void }): Promise<NgramModel> {
  const parser = new ArpaParser();
  const raw = createReadStream(file, { highWaterMark: 1 << 22 });
  let gz = false;
  try {
    let source: AsyncIterable<Buffer> = raw;
    const it = raw[Symbol.asyncIterator]();
    const first = (await it.next()) as IteratorResult<Buffer>;
    gz = !first.done && first.value.length >= 2 && first.value[0] === 0x1f && first.value[1] === 0x8b;
    async function* rest(): AsyncGenerator<Buffer> {
      if (!first.done) yield first.value;
      for (;;) {
        const r = (await it.next()) as IteratorResult<Buffer>;
        if (r.done) return;
        yield r.value;
      }
    }
    source = rest();
    if (gz) {
      const gunzip = createGunzip({ chunkSize: 1 << 20 });
      const pump = (async () => {
        for await (const c of source) {
          opts.onBytes?.(c.length);
          if (!gunzip.write(c)) await new Promise((r) => gunzip.once("drain", r));
        }
        gunzip.end();
      })();
      pump.catch((e) => gunzip.destroy(e as Error));
      for await (const c of gunzip) parser.push(c as Buffer);
      await pump;
    } else {
      for await (const c of source) {
        opts.onBytes?.(c.length);
        parser.push(c);
      }
    }
    return parser.end();
  } catch (e) {
    raw.destroy();
    if (e instanceof ArpaFormatError) throw new UserError(`${file}:${e.line}: ${e.reason}`);
    if (e instanceof UserError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (gz && (err.code?.startsWith("Z_") || /unexpected end of file|incorrect header check|invalid/.test(err.message)))
      throw new UserError(`${file}: damaged gzip data after line ${lineOf(parser)} (${err.message}); the file is truncated or corrupt`);
    throw new UserError(`${file}: cannot read (${err.code ?? err.message})`);
  }
}

function lineOf(p: ArpaParser): number {
  return p.linesRead;
}

/** sha256 over the vocabulary in id order, one word per line. */
export function vocabularyHash(model: NgramModel): string {
  const h = createHash("sha256");
  for (let id = 0; id < model.vocab.size; id++) {
    h.update(model.vocab.bytes(id));
    h.update("\n");
  }
  return h.digest("hex");
}

/** Scores one text: every line from <s>, its words then </s>. */
export function scoreText(model: NgramModel, text: string): ScoredText {
  const buf = Buffer.from(text, "utf8");
  const tokens: ScoredToken[] = [];
  let state = new QueryState(model.order);
  let next = new QueryState(model.order);
  let i = 0;
  const n = buf.length;
  while (i < n || i === 0) {
    model.beginSentence(state);
    for (;;) {
      while (i < n && SPACE[buf[i]]) i++;
      if (i >= n || buf[i] === 10) break;
      const s = i;
      while (i < n && !SPACE[buf[i]] && buf[i] !== 10) i++;
      const id = model.index(buf, s, i);
      const lp = model.score(state, id, next);
      tokens.push({ token: buf.toString("utf8", s, i), start: s, end: i, logprob: lp * LN10, ...(id === 0 ? { oov: true } : {}) });
      [state, next] = [next, state];
    }
    const lp = model.score(state, model.eos, next);
    tokens.push({ token: "</s>", start: i, end: i, logprob: lp * LN10 });
    if (i >= n) break;
    i++; // the newline
    if (i === n) break; // a final newline opens no line
  }
  return { tokens };
}

export async function openNgram(path: string): Promise<LanguageModel> {
  const model = await loadArpa(path);
  const tokenizer: TokenizerIdentity = { kind: "whitespace+eos", hash: vocabularyHash(model), vocabSize: model.vocab.size };
  return {
    id: `ngram:${path}`,
    tokenizer,
    async score(texts: string[], opts: ScoreOptions = {}): Promise<ScoredText[]> {
      const out: ScoredText[] = [];
      for (let k = 0; k < texts.length; k++) {
        opts.signal?.throwIfAborted();
        out.push(scoreText(model, texts[k]!));
        if (opts.onProgress && (k & 255) === 255) opts.onProgress(k + 1);
      }
      opts.onProgress?.(texts.length);
      return out;
    },
    async close(): Promise<void> {},
  };
}
