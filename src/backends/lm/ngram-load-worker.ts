/**
 * Thread body of a parallel ARPA load and query (driven by ngram-load.ts): parses a byte
 * range of one order's section into bucketed records, scatters them into the shared sorted
 * array, inserts its share of buckets into the shared table, and later scores its part of a
 * query text against the shared model. Each request is answered with one message.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { SectionParser, scatter } from "../../models/ngram/arpa-section.js";
import { NgramModel, type ModelParts } from "../../models/ngram/query-model.js";
import { TextQuery, type QueryPrint } from "../../models/ngram/query-text.js";
import { NgramTable } from "../../models/ngram/table.js";
import { Vocab, type VocabLookup } from "../../models/ngram/vocab.js";

export type LoadRequest =
  | { op: "init"; file: string; vocab: VocabLookup; uniExtends: Uint8Array }
  | { op: "parse"; n: number; from: number; to: number }
  | { op: "scatter"; at: Int32Array; sufAt: Int32Array; dst: Int32Array; sufDst: Int32Array }
  | { op: "insert"; table: ArrayBufferLike; recs: Int32Array; from: number; to: number; start: number; end: number; lower: ArrayBufferLike | null; sufs: Int32Array; sufFrom: number; sufTo: number }
  | { op: "model"; parts: ModelParts }
  | { op: "query"; text: Uint8Array; print: QueryPrint; sentenceContext: boolean }
  | { op: "close" };

export interface ParseReply {
  ok: boolean;
  count: number;
  sufCount: number;
  hist: Int32Array;
  sufHist: Int32Array;
}

export interface InsertReply {
  added: number;
  overflow: Int32Array;
  marked: boolean;
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
let parser: SectionParser | null = null;
let model: NgramModel | null = null;
let buf = new Uint8Array(BLOCK + (1 << 16));

/** Parses the lines in file bytes [from, to), which start and end at line boundaries. */
function parse(n: number, from: number, to: number): ParseReply {
  const p = new SectionParser(vocab!, n, uniExtends);
  parser = p;
  let keep = 0;
  let pos = from;
  let ok = true;
  while (ok && pos < to) {
    if (keep + BLOCK > buf.length) {
      // a line longer than a block
      const b = new Uint8Array(buf.length * 2);
      b.set(buf.subarray(0, keep));
      buf = b;
    }
    const got = readSync(fd, buf, keep, Math.min(BLOCK, to - pos), pos);
    if (got <= 0) {
      ok = false;
      break;
    }
    pos += got;
    const len = keep + got;
    const cut = pos >= to ? len : buf.lastIndexOf(10, len - 1) + 1;
    ok = p.parse(buf, 0, cut);
    buf.copyWithin(0, cut, len);
    keep = len - cut;
  }
  return { ok, count: p.count, sufCount: p.sufCount, hist: p.hist, sufHist: p.sufHist };
}

function query(text: Uint8Array, print: QueryPrint, sentenceContext: boolean): QueryReply {
  const out: Uint8Array[] = [];
  const q = new TextQuery(model!, print, (b) => out.push(b), sentenceContext);
  const lineTotals: number[] = [];
  const oovProbs: number[] = [];
  q.lineTotals = lineTotals;
  q.oovProbs = oovProbs;
  q.push(text);
  q.end();
  return { out, lineTotals: Float64Array.from(lineTotals), oovProbs: Float64Array.from(oovProbs), tokens: q.tokens, oov: q.oov, lines: q.lines };
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
      parentPort!.postMessage(parse(m.n, m.from, m.to));
      return;
    case "scatter": {
      const p = parser!;
      scatter(p.recs, p.count, 4, m.dst, m.at);
      scatter(p.sufs, p.sufCount, 2, m.sufDst, m.sufAt);
      parser = null;
      parentPort!.postMessage(null);
      return;
    }
    case "insert": {
      const overflow: number[] = [];
      const added = NgramTable.over(m.table, 0).insertRegion(m.recs, m.from, m.to, m.start, m.end, overflow);
      const marked = m.lower === null || NgramTable.over(m.lower, 0).markAll(m.sufs, m.sufFrom, m.sufTo);
      parentPort!.postMessage({ added, overflow: Int32Array.from(overflow), marked } satisfies InsertReply);
      return;
    }
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
