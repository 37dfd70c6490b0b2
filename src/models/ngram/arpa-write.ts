/**
 * ARPA text from an estimated model, as chunks of bytes for the caller to write (no I/O here).
 * Sections in lmplz's layout: \data\ counts, then each order's n-grams as
 * "log10 p <TAB> words [<TAB> log10 backoff]" (no backoff column on the highest order).
 */
import { ROOT, STRIDE, type SuffixTrie } from "./trie.js";
import type { Estimate } from "./estimate.js";
import type { Vocab } from "./vocab.js";
import { writeFixed7 } from "./format.js";
// local copies: under a CommonJS transform (tsx) an imported binding costs a getter call per use
const ROOT_ = ROOT, STRIDE_ = STRIDE;
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
  let buf = new Uint8Array(CHUNK);
  let pos = 0;
  for (let n = 1; n <= N; n++) {
    const head = encoder.encode(`\n\\${n}-grams:\n`);
    buf.set(head, pos);
    pos += head.length;
    for (let node = 1; node < trie.size; node++) {
      if (ord[node] !== n) continue;
      if (pos > CHUNK - 4096) {
        yield buf.subarray(0, pos);
        buf = new Uint8Array(CHUNK);
        pos = 0;
      }
      pos = writeFixed7(buf, pos, est.prob[node]);
      buf[pos++] = 9;
      for (let x = node, first = true; x !== ROOT_; x = data[x * STRIDE_], first = false) {
        if (!first) buf[pos++] = 32;
        const w = data[x * STRIDE_ + 1];
        const s = wordStart[w];
        const len = wordStart[w + 1] - s;
        if (pos + len > buf.length - 64) {
          // an unusually long n-gram: move to a fresh, large enough chunk
          const bigger = new Uint8Array(Math.max(CHUNK, (pos + len) * 2));
          bigger.set(buf.subarray(0, pos));
          buf = bigger;
        }
        for (let i = 0; i < len; i++) buf[pos + i] = words[s + i];
        pos += len;
      }
      if (n < N) {
        buf[pos++] = 9;
        pos = writeFixed7(buf, pos, est.backoff[node]);
      }
      buf[pos++] = 10;
    }
  }
  const end = encoder.encode("\n\\end\\\n");
  buf.set(end, pos);
  pos += end.length;
  yield buf.subarray(0, pos);
}
