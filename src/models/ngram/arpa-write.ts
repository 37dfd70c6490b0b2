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
const CHUNK = 1 << 20;
const encoder = new TextEncoder();

export function* arpaChunks(trie: SuffixTrie, est: Estimate, vocab: Vocab): Generator<Uint8Array> {
  const N = est.order;
  let header = "\\data\\\n";
  for (let n = 0; n < N; n++) header += `ngram ${n + 1}=${est.counts[n]}\n`;
  yield encoder.encode(header);

  // Copy word bytes once into a flat table: a word is written by one set() from here.
  const wordStart = new Uint32Array(vocab.size + 1);
  for (let id = 0; id < vocab.size; id++) wordStart[id + 1] = wordStart[id] + vocab.bytes(id).length;
  const words = new Uint8Array(wordStart[vocab.size]);
  for (let id = 0; id < vocab.size; id++) words.set(vocab.bytes(id), wordStart[id]);

  const data = trie.data;
  const ord = trie.order;
  // The words of order n's n-grams are kept in one byte arena while order n + 1 is written:
  // an n-gram's text is its first word, a space, then its parent's text copied from there
  // (one lookup instead of a walk through every suffix node).
  // [offset, length] of each node's text in its order's arena, side by side: one cache line
  const text = new Int32Array(trie.size * 2);
  let prevArena = new Uint8Array(0);
  let buf = new Uint8Array(CHUNK);
  let pos = 0;
  for (let n = 1; n <= N; n++) {
    const head = encoder.encode(`\n\\${n}-grams:\n`);
    buf.set(head, pos);
    pos += head.length;
    const keep = n < N;
    let arena = new Uint8Array(keep ? Math.max(1 << 16, est.counts[n - 1] * (n * 8)) : 0);
    let used = 0;
    for (let node = 1; node < trie.size; node++) {
      if (ord[node] !== n) continue;
      const w = data[node * STRIDE_ + 1];
      const ws = wordStart[w];
      const wl = wordStart[w + 1] - ws;
      const parent = data[node * STRIDE_];
      const pl = n > 1 ? text[parent * 2 + 1] : -1;
      const tl = wl + pl + 1;
      if (pos + tl + 64 > buf.length) {
        yield buf.subarray(0, pos);
        buf = new Uint8Array(Math.max(CHUNK, tl * 2 + 64));
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
      if (keep) {
        buf[pos++] = 9;
        pos = writeFixed7(buf, pos, est.backoff[node]);
      }
      buf[pos++] = 10;
    }
    prevArena = arena;
  }
  const end = encoder.encode("\n\\end\\\n");
  buf.set(end, pos);
  pos += end.length;
  yield buf.subarray(0, pos);
}
