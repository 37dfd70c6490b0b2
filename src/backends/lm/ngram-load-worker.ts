/**
 * Thread body of a parallel ARPA load and query (driven by ngram-load.ts): parses a byte
 * range of one order's section into bucketed records, scatters them into the shared sorted
 * array, inserts its share of buckets into the shared table, and later scores its part of a
 * query text against the shared model. Each request is answered with one message.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { SectionParser, scatter2, scatter4 } from "../../models/ngram/arpa-section.js";
import { NgramModel, type ModelParts } from "../../models/ngram/query-model.js";
import { TextQuery, type QueryPrint } from "../../models/ngram/query-text.js";
import { NgramTable } from "../../models/ngram/table.js";
import { Vocab, type VocabLookup } from "../../models/ngram/vocab.js";

/** One order's byte range: lines of n-grams, starting and ending at line boundaries. */
export interface SectionRange {
  n: number;
  from: number;
  to: number;
  /** lines it can hold at most (the header's count) */
  capacity: number;
}

export type LoadRequest =
  | { op: "init"; file: string; vocab: VocabLookup; uniExtends: Uint8Array }
  | { op: "parse"; ranges: SectionRange[] }
  | { op: "scatter"; orders: { n: number; at: Int32Array; sufAt: Int32Array; dst: Int32Array; sufDst: Int32Array }[] }
  | { op: "insert"; orders: { table: ArrayBufferLike; recs: Int32Array; from: number; to: number; start: number; end: number }[] }
  | { op: "mark"; orders: { lower: ArrayBufferLike; sufs: Int32Array; from: number; to: number }[] }
  | { op: "model"; parts: ModelParts }
  | { op: "query"; text: Uint8Array; print: QueryPrint; sentenceContext: boolean }
  | { op: "close" };

export interface ParseReply {
  ok: boolean;
  /** per order n: [count, sufCount] and the bucket histograms */
  orders: { n: number; count: number; sufCount: number; hist: Int32Array; sufHist: Int32Array }[];
}

export interface InsertReply {
  added: number[];
  overflow: Int32Array[];
}

export interface QueryReply {
  out: Uint8Array[];
  lineTotals: Float64Array;
  oovProbs: Float64Array;
  tokens: number;
  oov: number;
  lines: number;
}

const BLOCK = 1 << 23;
let fd = -1;
let vocab: Vocab | null = null;
let uniExtends: Uint8Array = new Uint8Array(0);
let model: NgramModel | null = null;
let buf = new Uint8Array(BLOCK + (1 << 16));

const parsers = new Map<number, SectionParser>();

/** Parses the lines in file bytes [from, to), which start and end at line boundaries. */
function parse(p: SectionParser, from: number, to: number): boolean {
  let keep = 0;
  let pos = from;
  while (pos < to) {
    if (keep + BLOCK > buf.length) {
      // a line longer than a block
      const b = new Uint8Array(buf.length * 2);
      b.set(buf.subarray(0, keep));
      buf = b;
    }
    const got = readSync(fd, buf, keep, Math.min(BLOCK, to - pos), pos);
    if (got <= 0) return false;
    pos += got;
    const len = keep + got;
    const cut = pos >= to ? len : buf.lastIndexOf(10, len - 1) + 1;
    if (!p.parse(buf, 0, cut)) return false;
    buf.copyWithin(0, cut, len);
    keep = len - cut;
  }
  return true;
}

function parseAll(ranges: SectionRange[]): ParseReply {
  let ok = true;
  for (const r of ranges) {
    let p = parsers.get(r.n);
    if (!p) {
      p = new SectionParser(vocab!, r.n, uniExtends, Math.min(r.capacity, Math.ceil((r.to - r.from) / (2 * r.n + 2))) + 1);
      parsers.set(r.n, p);
    }
    if (ok) ok = parse(p, r.from, r.to);
  }
  return { ok, orders: [...parsers].map(([n, p]) => ({ n, count: p.count, sufCount: p.sufCount, hist: p.hist, sufHist: p.sufHist })) };
}

let tq: TextQuery | null = null;
let tqKey = "";
let tqOut: Uint8Array[] = [];

/** Scores a block of whole lines (the text's last block may end without a newline). One
 * TextQuery serves every block, so its cache of formatted probabilities stays warm. */
function query(text: Uint8Array, print: QueryPrint, sentenceContext: boolean): QueryReply {
  const key = JSON.stringify([print, sentenceContext]);
  if (!tq || key !== tqKey) {
    tq = new TextQuery(model!, print, (b) => tqOut.push(b), sentenceContext);
    tqKey = key;
  }
  const q = tq;
  tqOut = [];
  q.tokens = q.oov = q.lines = 0;
  q.corpusTotal = q.corpusOovOnly = 0;
  const lineTotals: number[] = [];
  const oovProbs: number[] = [];
  q.lineTotals = lineTotals;
  q.oovProbs = oovProbs;
  q.push(text);
  // no carry after a block that ends with a newline: end() then only flushes
  q.end();
  return { out: tqOut, lineTotals: Float64Array.from(lineTotals), oovProbs: Float64Array.from(oovProbs), tokens: q.tokens, oov: q.oov, lines: q.lines };
}

parentPort!.on("message", (m: LoadRequest) => {
  switch (m.op) {
    case "init":
      fd = openSync(m.file, "r");
      vocab = Vocab.lookupOnly(m.vocab);
      uniExtends = m.uniExtends;
      parentPort!.postMessage(null);
      return;
    case "parse":
      parentPort!.postMessage(parseAll(m.ranges));
      return;
    case "scatter":
      for (const o of m.orders) {
        const p = parsers.get(o.n);
        if (!p) continue;
        scatter4(p.recs, p.count, o.dst, o.at);
        scatter2(p.sufs, p.sufCount, o.sufDst, o.sufAt);
        parsers.delete(o.n);
      }
      parentPort!.postMessage(null);
      return;
    case "insert": {
      const r: InsertReply = { added: [], overflow: [] };
      for (const o of m.orders) {
        const overflow: number[] = [];
        r.added.push(NgramTable.over(o.table, 0).insertRegion(o.recs, o.from, o.to, o.start, o.end, overflow));
        r.overflow.push(Int32Array.from(overflow));
      }
      parentPort!.postMessage(r);
      return;
    }
    case "mark":
      parentPort!.postMessage(m.orders.every((o) => NgramTable.over(o.lower, 0).markAll(o.sufs, o.from, o.to)));
      return;
    case "model":
      if (fd >= 0) closeSync(fd);
      fd = -1;
      vocab = null;
      buf = new Uint8Array(0);
      model = NgramModel.fromParts(m.parts);
      parentPort!.postMessage(null);
      return;
    case "query": {
      const r = query(m.text, m.print, m.sentenceContext);
      parentPort!.postMessage(r, r.out.map((b) => b.buffer as ArrayBuffer));
      return;
    }
    case "close":
      if (fd >= 0) closeSync(fd);
      process.exit(0);
  }
});
