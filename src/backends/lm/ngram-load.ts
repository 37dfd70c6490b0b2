/**
 * A plain ARPA file loaded by every core, and a text scored by every core against it.
 * The main thread reads the header and unigrams with the sequential parser (they build the
 * vocabulary), then, order by order: the threads parse byte ranges of the section into
 * records, scatter them into bucket order, and each inserts its share of buckets into the
 * shared table, a small window of it at a time (the sequential parser's cost is one cache miss
 * per insert and per suffix lookup). Whatever the fast path does not handle (gzip, a layout
 * it does not expect, a bad line, an SRILM file whose suffixes were pruned) returns null, and
 * the caller loads the file sequentially, which also gives the exact error message.
 */
import { closeSync, openSync, readSync } from "node:fs";
import os from "node:os";
import { ArpaParser } from "../../models/ngram/arpa-read.js";
import { BUCKETS, BUCKET_BITS } from "../../models/ngram/arpa-section.js";
import { NgramModel } from "../../models/ngram/query-model.js";
import { summarize, summaryText, type QueryPrint, type QuerySummary } from "../../models/ngram/query-text.js";
import { NgramTable } from "../../models/ngram/table.js";
import { RequestThread } from "../../util/request-thread.js";
import { inSharedMemory } from "../../util/shared-memory.js";
import { siblingModule } from "../../util/worker.js";
import type { InsertReply, LoadRequest, ParseReply, QueryReply, SectionRange } from "./ngram-load-worker.js";

/** Worker threads running ngram-load-worker; each answers its requests in order. */
export class LoadPool {
  private readonly threads: RequestThread<LoadRequest>[] = [];

  constructor(size: number) {
    for (let k = 0; k < size; k++) this.threads.push(new RequestThread(siblingModule(import.meta.url, "ngram-load-worker"), { name: "ARPA loading thread" }));
  }

  get size(): number {
    return this.threads.length;
  }

  call<T>(k: number, req: LoadRequest, transfer: ArrayBuffer[] = []): Promise<T> {
    return this.threads[k].call(req, transfer) as Promise<T>;
  }

  all<T>(req: (k: number) => LoadRequest): Promise<T[]> {
    return Promise.all(this.threads.map((_, k) => this.call<T>(k, req(k))));
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.close()));
    this.threads.length = 0;
  }
}

interface Header {
  offset: number;
  end: number;
  text: string;
}

function readAt(fd: number, pos: number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  let got = 0;
  while (got < len) {
    const r = readSync(fd, b, got, len - got, pos + got);
    if (r <= 0) break;
    got += r;
  }
  return b.subarray(0, got);
}

/** The lines that start with a backslash (\data\, \N-grams:, \end\), with their byte spans. */
function headerLines(fd: number, size: number): Header[] | null {
  const out: Header[] = [];
  const block = new Uint8Array(1 << 24);
  let prevLast = 10;
  for (let pos = 0; pos < size; ) {
    const got = readSync(fd, block, 0, Math.min(block.length, size - pos), pos);
    if (got <= 0) return null;
    let i = block.indexOf(92);
    while (i >= 0 && i < got) {
      if ((i === 0 ? prevLast : block[i - 1]) === 10) {
        const line = readAt(fd, pos + i, 256);
        const nl = line.indexOf(10);
        if (nl < 0) return null;
        out.push({ offset: pos + i, end: pos + i + nl + 1, text: Buffer.from(line.subarray(0, nl)).toString("latin1").trim() });
        if (out.length > 64) return null;
      }
      i = block.indexOf(92, i + 1);
    }
    prevLast = block[got - 1];
    pos += got;
  }
  return out;
}

/** Moves `pos` to just past the next newline (a range boundary at a line start). */
function lineStart(fd: number, pos: number, limit: number): number {
  for (;;) {
    if (pos >= limit) return limit;
    const b = readAt(fd, pos - 1, 1 << 16);
    const nl = b.indexOf(10);
    if (nl >= 0) return Math.min(limit, pos + nl);
    if (b.length === 0) return limit;
    pos += b.length;
  }
}

/** Loads a plain ARPA file with `threads` worker threads, which come back with the model (to score a text); null when the sequential parser must do it. */
export async function loadArpaThreaded(file: string, size: number, threads: number): Promise<{ model: NgramModel; pool: LoadPool } | null> {
  const fd = openSync(file, "r");
  let pool: LoadPool | null = null;
  try {
    const head = readAt(fd, 0, 2);
    if (head[0] === 0x1f && head[1] === 0x8b) return null;
    // the threads start (seconds from TypeScript sources) while this thread scans and reads
    pool = new LoadPool(threads);
    const hs = headerLines(fd, size);
    if (!hs) return null;
    const di = hs.findIndex((h) => h.text === "\\data\\");
    if (di < 0) return null;
    const secs = hs.slice(di + 1);
    const N = secs.length - 1;
    if (N < 2 || secs[N].text !== "\\end\\") return null;
    for (let n = 1; n <= N; n++) if (secs[n - 1].text !== `\\${n}-grams:`) return null;

    // header and unigrams, sequentially: the vocabulary is needed to parse any other line
    const parser = new ArpaParser();
    const a2 = secs[1].end;
    for (let pos = 0; pos < a2; ) {
      const b = readAt(fd, pos, Math.min(1 << 22, a2 - pos));
      parser.push(b);
      pos += b.length;
    }
    const m = parser.current;
    if (!m || parser.inSection !== 2 || m.order !== N) return null;
    // shared memory for what the threads read and write
    m.uniProb = inSharedMemory(m.uniProb);
    m.uniBackoff = inSharedMemory(m.uniBackoff);
    m.uniExtends = inSharedMemory(m.uniExtends);
    for (let n = 1; n < N; n++) m.tables[n] = new NgramTable(m.counts[n], true);
    await pool.all(() => ({ op: "init", file, vocab: m.vocab.lookupTable(), uniExtends: m.uniExtends }));

    const W = pool.size;
    // each order's lines: from its header to the empty line(s) before the next header (any
    // other line there goes to the sequential parser, which judges it)
    const ranges: SectionRange[] = [];
    for (let n = 2; n <= N; n++) {
      const from = secs[n - 1].end;
      let to = secs[n].offset;
      const tail = readAt(fd, Math.max(from, to - 256), to - Math.max(from, to - 256));
      let t = tail.length;
      for (;;) {
        if (t >= 2 && tail[t - 1] === 10 && tail[t - 2] === 10) t -= 1;
        else if (t >= 3 && tail[t - 1] === 10 && tail[t - 2] === 13 && tail[t - 3] === 10) t -= 2;
        else break;
      }
      to -= tail.length - t;
      ranges.push({ n, from, to, capacity: m.counts[n - 1] });
    }
    // one parse step for all orders (parsing needs only the vocabulary): each thread an equal
    // share of the bytes, cut at line starts
    const total = ranges.reduce((s, r) => s + r.to - r.from, 0);
    const shares: SectionRange[][] = Array.from({ length: W }, () => []);
    let k = 0;
    let room = total / W;
    for (const r of ranges) {
      let from = r.from;
      while (from < r.to) {
        let to = r.to;
        if (k < W - 1 && r.to - from > room) to = lineStart(fd, from + Math.max(1, Math.floor(room)), r.to);
        shares[k].push({ ...r, from, to });
        room -= to - from;
        from = to;
        if (room <= 0 && k < W - 1) {
          k++;
          room += total / W;
        }
      }
    }
    const parsed = await Promise.all(shares.map((ranges, k) => pool!.call<ParseReply>(k, { op: "parse", ranges })));
    if (!parsed.every((r) => r.ok)) return null;

    // per order: bucket offsets, bucket-major then thread, so the sorted array is in bucket order
    interface Order {
      n: number;
      recs: Int32Array;
      sufs: Int32Array;
      starts: Int32Array;
      sufStarts: Int32Array;
      at: Int32Array[];
      sufAt: Int32Array[];
    }
    const orders: Order[] = [];
    for (let n = 2; n <= N; n++) {
      const mine = parsed.map((p) => p.orders.find((o) => o.n === n));
      const count = mine.reduce((s, o) => s + (o?.count ?? 0), 0);
      if (count !== m.counts[n - 1]) return null;
      const at = mine.map(() => new Int32Array(BUCKETS));
      const sufAt = mine.map(() => new Int32Array(BUCKETS));
      const starts = new Int32Array(BUCKETS + 1);
      const sufStarts = new Int32Array(BUCKETS + 1);
      let o = 0;
      let so = 0;
      for (let b = 0; b < BUCKETS; b++) {
        starts[b] = o;
        sufStarts[b] = so;
        for (let k = 0; k < W; k++) {
          at[k][b] = o;
          o += mine[k]?.hist[b] ?? 0;
          sufAt[k][b] = so;
          so += mine[k]?.sufHist[b] ?? 0;
        }
      }
      starts[BUCKETS] = o;
      sufStarts[BUCKETS] = so;
      const recs = new Int32Array(new SharedArrayBuffer(Math.max(1, o) * 16));
      const sufs = new Int32Array(new SharedArrayBuffer(Math.max(1, so) * 8));
      orders.push({ n, recs, sufs, starts, sufStarts, at, sufAt });
    }
    await pool.all((k) => ({ op: "scatter", orders: orders.map((o) => ({ n: o.n, at: o.at[k], sufAt: o.sufAt[k], dst: o.recs, sufDst: o.sufs })) }));

    // each thread inserts its share of buckets of every order, in a window of the table of its own
    const b0 = (k: number) => Math.floor((BUCKETS * k) / W);
    const slotOf = (t: NgramTable, k: number) => (k === 0 ? 0 : k === W ? t.slots : t.home((b0(k) << (32 - BUCKET_BITS)) >>> 0));
    const inserted = await pool.all<InsertReply>((k) => ({
      op: "insert",
      orders: orders.map((o) => {
        const t = m.tables[o.n - 1];
        return { table: t.keys.buffer, recs: o.recs, from: o.starts[b0(k)], to: o.starts[b0(k + 1)], start: slotOf(t, k), end: slotOf(t, k + 1) };
      }),
    }));
    orders.forEach((o, i) => {
      const table = m.tables[o.n - 1];
      table.size = inserted.reduce((s, r) => s + r.added[i], 0);
      const vals = new Float32Array(o.recs.buffer);
      const recs = o.recs;
      for (const r of inserted) for (const j of r.overflow[i]) table.insert(recs[j * 4], recs[j * 4 + 1], vals[j * 4 + 2], vals[j * 4 + 3]);
    });
    // then the suffixes, every table complete: a missing one was pruned (SRILM), and the
    // sequential parser adds it
    const higher = orders.filter((o) => o.n > 2);
    const marked = await pool.all<boolean>((k) => ({ op: "mark", orders: higher.map((o) => ({ lower: m.tables[o.n - 2].keys.buffer, sufs: o.sufs, from: o.sufStarts[b0(k)], to: o.sufStarts[b0(k + 1)] })) }));
    if (!marked.every(Boolean)) return null;

    // the lines in between (empty lines, headers, \end\) through the sequential parser
    for (const r of ranges) {
      parser.skipLines(m.counts[r.n - 1]);
      const nextFrom = r.n < N ? secs[r.n].end : size;
      for (let pos = r.to; pos < nextFrom; ) {
        const b = readAt(fd, pos, Math.min(1 << 22, nextFrom - pos));
        if (b.length === 0) break;
        parser.push(b);
        pos += b.length;
      }
      if (r.n < N && parser.inSection !== r.n + 1) return null;
    }
    const model = parser.end();
    const done = pool;
    pool = null;
    return { model, pool: done };
  } finally {
    closeSync(fd);
    if (pool) await pool.close();
  }
}

/**
 * Threads for a parallel load: every core, when the file is large enough to pay for starting
 * them (one thread still gains: its inserts go in bucket order).
 */
export function loadThreads(size: number): number {
  return size >= 16 << 20 ? Math.max(1, os.availableParallelism()) : 0;
}

/** Bytes of text per request: small enough to keep every thread busy, large enough that messages cost nothing. */
const TEXT_BLOCK = 1 << 21;

/**
 * Scores a text stream as KenLM's query does, blocks of whole lines handed to the pool's
 * threads in turn (each line is scored on its own); the output comes back in order, and the
 * corpus sums are added in text order, so the bytes are those of a single-threaded run.
 */
export async function queryThreaded(pool: LoadPool, model: NgramModel, input: AsyncIterable<Uint8Array>, print: QueryPrint, sentenceContext: boolean, emit: (b: Uint8Array) => Promise<void>): Promise<QuerySummary> {
  await pool.all(() => ({ op: "model", parts: model.parts() }));
  const W = pool.size;
  // the summary is the whole text's: printed here at the end
  const partPrint = { ...print, summary: false };
  let corpusTotal = 0;
  let corpusOovOnly = 0;
  let oov = 0;
  let tokens = 0;
  let lines = 0;
  const inflight: Promise<QueryReply>[] = [];
  let sent = 0;
  const submit = (text: Uint8Array) => {
    // a copy of its own to hand over (Buffer's slice would be a view of the stream's memory)
    const part = new Uint8Array(text.length);
    part.set(text);
    inflight.push(pool.call<QueryReply>(sent++ % W, { op: "query", text: part, print: partPrint, sentenceContext }, [part.buffer]));
  };
  const takeOne = async () => {
    const r = await inflight.shift()!;
    for (const t of r.lineTotals) corpusTotal += t;
    for (const p of r.oovProbs) corpusOovOnly += p;
    oov += r.oov;
    tokens += r.tokens;
    lines += r.lines;
    for (const b of r.out) await emit(b);
  };

  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for await (const chunk of input) {
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes < TEXT_BLOCK) continue;
    const all = pending.length === 1 ? pending[0] : Buffer.concat(pending);
    const cut = all.lastIndexOf(10) + 1;
    if (cut === 0) {
      pending = [all];
      continue;
    }
    // a block ends at a line end; a last line without a newline is the last block's
    submit(all.subarray(0, cut));
    pending = [all.subarray(cut)];
    pendingBytes = all.length - cut;
    while (inflight.length >= 2 * W) await takeOne();
  }
  const rest = Buffer.concat(pending);
  if (rest.length > 0) submit(rest);
  while (inflight.length > 0) await takeOne();
  const s = summarize(corpusTotal, corpusOovOnly, oov, tokens, lines);
  if (print.summary) await emit(new TextEncoder().encode(summaryText(s)));
  return s;
}
