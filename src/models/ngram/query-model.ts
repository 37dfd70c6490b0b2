/**
 * A backoff n-gram model for querying, scoring exactly as KenLM's `query`: the longest
 * n-gram ending in the word that extends the current context is found by looking up ever
 * longer suffixes (unigram, then bigram, …); its log10 p is added to the backoffs of the
 * context n-grams longer than the match, all in float32 as KenLM adds them.
 */
import { KEY, keyExtend, keyStart } from "./key.js";
import { NgramTable } from "./table.js";
import { inSharedMemory } from "../../util/shared-memory.js";
import { HASH, hashWord, Vocab, type VocabLookup } from "./vocab.js";
// local copies: under a CommonJS transform (tsx) an imported binding costs a getter call per use
const KEY_ = KEY, keyExtend_ = keyExtend, keyStart_ = keyStart, HASH_ = HASH, hashWord_ = hashWord;
const WORD_CACHE_BITS = 12;
/** Reusable scoring state: the context words (most recent first) and their backoffs. */
export class QueryState {
  words: Int32Array;
  backoff: Float32Array;
  length = 0;
  constructor(order: number) {
    this.words = new Int32Array(Math.max(1, order));
    this.backoff = new Float32Array(Math.max(1, order));
  }
  copyFrom(o: QueryState): void {
    this.words.set(o.words);
    this.backoff.set(o.backoff);
    this.length = o.length;
  }
}

const f = Math.fround;

/** A model's arrays for another thread: the tables and unigram arrays must be shared memory. */
export interface ModelParts {
  order: number;
  counts: number[];
  vocab: VocabLookup;
  uniProb: Float32Array;
  uniBackoff: Float32Array;
  uniExtends: Uint8Array;
  tables: { buffer: ArrayBufferLike; size: number }[];
  bos: number;
  eos: number;
  unkMissing: boolean;
}

export class NgramModel {
  /** ids follow KenLM: <unk> = 0, then the ARPA's unigrams in file order. */
  readonly vocab: Vocab;
  readonly order: number;
  /** n-grams per order as the ARPA header lists them. */
  readonly counts: number[];
  uniProb: Float32Array;
  uniBackoff: Float32Array;
  /** 1 where some bigram ends with the word (see NgramTable's flag). */
  uniExtends: Uint8Array;
  /** tables[n] holds the (n+1)-grams; tables[0] is unused (unigrams are arrays by id). */
  readonly tables: NgramTable[];
  bos = -1;
  eos = -1;
  /** True when the ARPA had no <unk> and KenLM's −100 was substituted. */
  unkMissing = false;
  /** n-gram length matched by the last score() call (KenLM's ngram_length). */
  lastLength = 0;
  private keyHis = new Int32Array(8);
  private keyLos = new Int32Array(8);
  /** keeps score()'s early slot reads from being optimised away */
  touched = 0;

  constructor(order: number, counts: number[], parts?: ModelParts) {
    this.order = order;
    this.counts = counts;
    this.keyHis = new Int32Array(Math.max(1, order));
    this.keyLos = new Int32Array(Math.max(1, order));
    if (parts) {
      this.vocab = Vocab.lookupOnly(parts.vocab);
      this.uniProb = parts.uniProb;
      this.uniBackoff = parts.uniBackoff;
      this.uniExtends = parts.uniExtends;
      this.tables = parts.tables.map((t) => NgramTable.over(t.buffer, t.size));
      this.bos = parts.bos;
      this.eos = parts.eos;
      this.unkMissing = parts.unkMissing;
      return;
    }
    this.vocab = new Vocab(false);
    this.vocab.addString("<unk>");
    this.uniProb = new Float32Array(Math.max(4, counts[0] + 1));
    this.uniBackoff = new Float32Array(Math.max(4, counts[0] + 1));
    this.uniExtends = new Uint8Array(Math.max(4, counts[0] + 1));
    this.tables = [new NgramTable(0)];
    for (let n = 1; n < order; n++) this.tables.push(new NgramTable(counts[n]));
  }

  /** The model as seen from another thread (find-only vocabulary, shared arrays). */
  static fromParts(p: ModelParts): NgramModel {
    return new NgramModel(p.order, p.counts, p);
  }

  parts(): ModelParts {
    return {
      order: this.order,
      counts: this.counts,
      vocab: this.vocab.lookupTable(),
      uniProb: this.uniProb,
      uniBackoff: this.uniBackoff,
      uniExtends: this.uniExtends,
      tables: this.tables.map((t) => ({ buffer: t.keys.buffer, size: t.size })),
      bos: this.bos,
      eos: this.eos,
      unkMissing: this.unkMissing,
    };
  }

  /**
   * parts() with every array in shared memory (moved there once where it was not: a model read
   * sequentially), so that threads given the parts read this model's memory instead of a copy.
   */
  sharedParts(): ModelParts {
    this.uniProb = inSharedMemory(this.uniProb);
    this.uniBackoff = inSharedMemory(this.uniBackoff);
    this.uniExtends = inSharedMemory(this.uniExtends);
    for (const t of this.tables) t.share();
    const parts = this.parts();
    parts.vocab = { ...parts.vocab, slots: inSharedMemory(parts.vocab.slots) };
    return parts;
  }

  /** KenLM's BeginSentenceState: context <s>. */
  beginSentence(state: QueryState): void {
    state.length = 1;
    state.words[0] = this.bos;
    state.backoff[0] = this.uniBackoff[this.bos];
  }

  /** KenLM's NullContextState. */
  nullContext(state: QueryState): void {
    state.length = 0;
  }

  /** [hash, hash2, id] of recently seen words, by hash: the frequent words of a text are found
   * there instead of in the vocabulary's far larger table (a cache miss each). */
  private wordCache = new Int32Array(3 << WORD_CACHE_BITS).fill(-1);

  /** Id of a word, 0 (<unk>) when unknown. */
  index(buf: Uint8Array, start: number, end: number): number {
    hashWord_(buf, start, end);
    const h = HASH_.h;
    const h2 = HASH_.h2;
    const cache = this.wordCache;
    const c = (h & ((1 << WORD_CACHE_BITS) - 1)) * 3;
    if (cache[c] === h && cache[c + 1] === h2 && cache[c + 2] >= 0) return cache[c + 2];
    let id = this.vocab.findHashed(h, h2);
    if (id < 0) id = 0;
    cache[c] = h;
    cache[c + 1] = h2;
    cache[c + 2] = id;
    return id;
  }

  /** log10 p(word | state); writes the next state to `out` (may not alias `state`). */
  score(state: QueryState, word: number, out: QueryState): number {
    const N = this.order;
    let prob = this.uniProb[word];
    let len = 1;
    out.words[0] = word;
    out.backoff[0] = this.uniBackoff[word];
    const ctxLen = state.length;
    // a match no longer n-gram ends with cannot grow: stop there (KenLM's independent_left)
    let grows = this.uniExtends[word] === 1;
    if (!grows || ctxLen === 0) {
      out.length = N > 1 ? 1 : 0;
      this.lastLength = 1;
      for (let i = 0; i < ctxLen; i++) prob = f(prob + state.backoff[i]);
      return prob;
    }
    // The keys of every context length first, and a read of each one's home slot: the reads
    // do not wait for one another, so the cache misses overlap instead of coming one by one.
    const his = this.keyHis;
    const los = this.keyLos;
    const depth = ctxLen < N - 1 ? ctxLen : N - 1;
    keyStart_(word);
    let touch = 0;
    for (let j = 0; j < depth; j++) {
      keyExtend_(state.words[j]);
      his[j] = KEY_.hi;
      los[j] = KEY_.lo;
      touch ^= this.tables[j + 1].peek(KEY_.lo);
    }
    this.touched = touch;
    for (let j = 0; grows && j < depth; j++) {
      const table = this.tables[len];
      const slot = table.find(his[j], los[j]);
      if (slot < 0) break;
      prob = table.prob(slot);
      grows = table.extendsLeft(slot);
      len++;
      if (len < N) {
        out.backoff[len - 1] = table.backoff(slot);
        out.words[len - 1] = state.words[j];
      }
    }
    for (let i = len - 1; i < ctxLen; i++) prob = f(prob + state.backoff[i]);
    out.length = len < N ? len : N - 1;
    this.lastLength = len;
    return prob;
  }

  get byteSize(): number {
    let b = this.vocab.byteSize + this.uniProb.byteLength * 2;
    for (const t of this.tables) b += t.byteSize;
    return b;
  }
}
