/**
 * ARPA text from an estimated model, as chunks of bytes for the caller to write (no I/O here).
 * Sections in lmplz's layout: \data\ counts, then each order's n-grams as
 * "log10 p <TAB> words [<TAB> log10 backoff]" (no backoff column on the highest order).
 */
import { STRIDE, type SuffixTrie } from "./trie.js";
import type { Estimate } from "./estimate.js";
import type { Vocab } from "./vocab.js";
import { writeFixed7 } from "./format.js";
// local copies: under a CommonJS transform (tsx) an imported binding costs a getter call per use
const STRIDE_ = STRIDE;
/** Bytes per chunk: a chunk of exactly this size may be handed back through ArpaPart.pool. */
export const CHUNK = 1 << 20;
const encoder = new TextEncoder();

export interface ArpaPart {
  /**
   * Only the n-grams in these spans of node ids (trie.spans; default all), every order: another
   * thread may format the other spans. An n-gram's parent is in its span, so each part keeps
   * the texts it needs itself.
   */
  spans?: number[];
  /** Yield an empty chunk at the end of each order's lines (where another part's lines go). */
  sectionEnds?: boolean;
  /** Write each order's "\n-grams:" line (default true; false for a part that continues a section). */
  sectionHeads?: boolean;
  /**
   * Buffers of CHUNK bytes the writer takes before allocating: the caller puts a chunk's buffer
   * back once it is written, so the same few buffers carry the whole file (new memory is
   * slow to touch on VMs).
   */
  pool?: Uint8Array[];
  /** Write the \data\ header (default true) and the closing \end\ (default true). */
  header?: boolean;
  end?: boolean;
}

/** Every word's bytes in one flat table: wordStart[id] .. wordStart[id + 1]. */
export function wordTable(vocab: Vocab): WordTable {
  const wordStart = new Uint32Array(vocab.size + 1);
  for (let id = 0; id < vocab.size; id++) wordStart[id + 1] = wordStart[id] + vocab.bytes(id).length;
  const words = new Uint8Array(wordStart[vocab.size]);
  for (let id = 0; id < vocab.size; id++) words.set(vocab.bytes(id), wordStart[id]);
  return { wordStart, words };
}

/** The words' bytes (wordTable) or the vocabulary to take them from. */
export type WordTable = { wordStart: Uint32Array; words: Uint8Array };

export function* arpaChunks(trie: SuffixTrie, est: Estimate, vocab: Vocab | WordTable, part: ArpaPart = {}): Generator<Uint8Array> {
  const N = est.order;
  const from = 1;
  const to = N;
  if (part.header !== false) {
    let header = "\\data\\\n";
    for (let n = 0; n < N; n++) header += `ngram ${n + 1}=${est.counts[n]}\n`;
    yield encoder.encode(header);
  }
  const { wordStart, words } = "wordStart" in vocab ? vocab : wordTable(vocab);

  const data = trie.data;
  const ord = trie.order;
  // The words of order n's n-grams are kept in one byte arena while order n + 1 is written:
  // an n-gram's text is its first word, a space, then its parent's text copied from there
  // (one lookup instead of a walk through every suffix node).
  // [offset, length] of each node's text in its order's arena, side by side: one cache line
  // (in the estimate's memory when it is free for that: fresh pages are slow to touch)
  const scratch = est.scratch;
  const text = scratch && scratch.byteLength >= trie.size * 8 ? new Int32Array(scratch, 0, trie.size * 2) : new Int32Array(trie.size * 2);
  let prevArena = new Uint8Array(0);
  const pool = part.pool;
  const take = (min: number) => (pool && pool.length > 0 && min <= CHUNK ? pool.pop()! : new Uint8Array(Math.max(CHUNK, min)));
  let buf = take(CHUNK);
  let pos = 0;
  const spans = part.spans ?? trie.spans;
  for (let n = from; n <= to; n++) {
    if (part.sectionHeads !== false) {
      const head = encoder.encode(`\n\\${n}-grams:\n`);
      buf.set(head, pos);
      pos += head.length;
    }
    const keep = n < to;
    const backoffs = n < N;
    let arena = new Uint8Array(keep ? Math.max(1 << 16, est.counts[n - 1] * (n * 8)) : 0);
    let used = 0;
    const kept = est.keep;
    for (let sp = 0; sp < spans.length; sp += 2) for (let node = spans[sp]; node < spans[sp + 1]; node++) {
      if (ord[node] !== n || (kept && kept[node] === 0)) continue;
      const w = data[node * STRIDE_ + 1];
      const ws = wordStart[w];
      const wl = wordStart[w + 1] - ws;
      const parent = data[node * STRIDE_];
      const pl = n > 1 ? text[parent * 2 + 1] : -1;
      const tl = wl + pl + 1;
      if (pos + tl + 64 > buf.length) {
        yield buf.subarray(0, pos);
        buf = take(tl * 2 + 64);
        pos = 0;
      }
      pos = writeFixed7(buf, pos, est.prob[node]);
      buf[pos++] = 9;
      const t0 = pos;
      for (let i = 0; i < wl; i++) buf[pos + i] = words[ws + i];
      pos += wl;
      if (n > 1) {
        buf[pos++] = 32;
        const pa = text[parent * 2];
        for (let i = 0; i < pl; i++) buf[pos + i] = prevArena[pa + i];
        pos += pl;
      }
      if (keep) {
        const len = pos - t0;
        if (used + len > arena.length) {
          const bigger = new Uint8Array(Math.max(arena.length * 2, used + len));
          bigger.set(arena.subarray(0, used));
          arena = bigger;
        }
        for (let i = 0; i < len; i++) arena[used + i] = buf[t0 + i];
        text[node * 2] = used;
        text[node * 2 + 1] = len;
        used += len;
      }
      if (backoffs) {
        buf[pos++] = 9;
        pos = writeFixed7(buf, pos, est.backoff[node]);
      }
      buf[pos++] = 10;
    }
    prevArena = arena;
    if (part.sectionEnds) {
      if (pos > 0) yield buf.subarray(0, pos);
      yield new Uint8Array(0);
      buf = take(CHUNK);
      pos = 0;
    }
  }
  if (part.end !== false) {
    const end = encoder.encode("\n\\end\\\n");
    buf.set(end, pos);
    pos += end.length;
  }
  if (pos > 0) yield buf.subarray(0, pos);
}
