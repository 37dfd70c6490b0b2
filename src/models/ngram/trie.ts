/**
 * Counting n-grams of every order at once in a suffix trie: node (w1 … wn) hangs under its
 * suffix (w2 … wn), so a node's children are its left extensions (KenLM's continuation
 * counts) and its parent is the lower order it backs off to. Nodes live in typed arrays and
 * are found through one open-addressing table keyed by (parent, word): no object per n-gram.
 * Node ids grow in creation order, so a node's parent and prefix always have smaller ids.
 */
import { BOS } from "./vocab.js";
import { BYTES_PER_NGRAM, MemoryBudgetError } from "./memory.js";

/** Node data stride: [parent, word, count, prefix] (count: raw, then adjusted once estimated). */
export const STRIDE = 4;
export const ROOT = 0;
// a local copy: under a CommonJS transform (tsx) an imported binding is a getter call per use
const BOS_ID = BOS;

function slotHash(parent: number, word: number): number {
  let h = Math.imul(parent, 0x9e3779b1) ^ Math.imul(word + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return h;
}

export class SuffixTrie {
  /** parent (suffix node), first word, raw count, prefix (context node) per node. */
  data: Int32Array;
  order: Uint8Array;
  size = 1;
  private slots: Int32Array;
  private mask: number;
  /** unigram node per word id (-1 until seen) for the O(1) first step. */
  private unigram: Int32Array;

  private readonly maxNodes: number;

  /**
   * `capacity`: nodes the arrays are sized for up front. Pages never written cost nothing (fresh
   * memory is mapped on first touch), so an upper bound avoids growing — a copy plus a second
   * first touch of everything, which is slow on VMs. `expected`: the likely node count, which
   * sizes the lookup table (fully touched, since hashing spreads its entries).
   */
  constructor(
    readonly maxOrder: number,
    capacity = 1 << 16,
    private readonly memoryBudget = Infinity,
    expected = capacity,
  ) {
    this.maxNodes = Math.floor(memoryBudget / BYTES_PER_NGRAM);
    // shared memory: the ARPA writer may hand these to a second thread without copying
    this.data = new Int32Array(new SharedArrayBuffer(capacity * STRIDE * 4));
    this.order = new Uint8Array(new SharedArrayBuffer(capacity));
    let slots = 1 << 16;
    while (slots * 0.7 < expected) slots *= 2;
    this.slots = new Int32Array(slots).fill(-1);
    this.mask = slots - 1;
    this.unigram = new Int32Array(1024).fill(-1);
    this.data[ROOT * STRIDE] = -1;
    this.data[ROOT * STRIDE + 3] = -1;
  }

  /** The unigram node of a word, created with count 0 when new (for <unk>, <s>, </s> up front). */
  unigramNode(word: number): number {
    if (word >= this.unigram.length) {
      let cap = this.unigram.length * 2;
      while (cap <= word) cap *= 2;
      const u = new Int32Array(cap).fill(-1);
      u.set(this.unigram);
      this.unigram = u;
    }
    let node = this.unigram[word];
    if (node < 0) {
      node = this.child(ROOT, word, ROOT);
      this.unigram[word] = node;
    }
    return node;
  }

  /** Counts every n-gram (up to maxOrder) of each sentence: BOS w1 … [EOS]. */
  countCorpus(ids: Uint32Array, length: number, onProgress?: (done: number) => void): void {
    const N = this.maxOrder;
    const bos = BOS_ID;
    let prev = new Int32Array(N + 1);
    let cur = new Int32Array(N + 1);
    let sinceBos = 0;
    for (let i = 0; i < length; i++) {
      const w = ids[i];
      if (w === bos) {
        prev[0] = ROOT;
        prev[1] = this.unigramNode(bos);
        sinceBos = 0;
        continue;
      }
      sinceBos++;
      cur[0] = ROOT;
      const maxK = sinceBos + 1 < N ? sinceBos + 1 : N;
      let node = this.unigramNode(w);
      this.data[node * 4 + 2]++;
      cur[1] = node;
      // Once an n-gram is new, every longer one ending here is new too (its suffix was not
      // there): those are appended without searching the table.
      let fresh = false;
      for (let k = 2; k <= maxK; k++) {
        if (fresh) node = this.append(node, ids[i - k + 1], prev[k - 1]);
        else {
          node = this.child(node, ids[i - k + 1], prev[k - 1]);
          fresh = this.created;
        }
        this.data[node * 4 + 2]++;
        cur[k] = node;
      }
      const t = prev;
      prev = cur;
      cur = t;
      if (onProgress && (i & 0xfffff) === 0) onProgress(i);
    }
    onProgress?.(length);
  }

  /** Set by child(): whether the node it returned was created by that call. */
  created = false;

  /** The child of `parent` for `word` (the n-gram extended one word to the left), created when new. */
  child(parent: number, word: number, prefix: number): number {
    let slot = slotHash(parent, word) & this.mask;
    const slots = this.slots;
    const data = this.data;
    for (;;) {
      const node = slots[slot];
      if (node < 0) break;
      const o = node * 4;
      if (data[o] === parent && data[o + 1] === word) {
        this.created = false;
        return node;
      }
      slot = (slot + 1) & this.mask;
    }
    this.created = true;
    return this.place(slot, parent, word, prefix);
  }

  /** Adds a node known to be absent: only an empty slot is searched for. */
  private append(parent: number, word: number, prefix: number): number {
    let slot = slotHash(parent, word) & this.mask;
    const slots = this.slots;
    while (slots[slot] >= 0) slot = (slot + 1) & this.mask;
    return this.place(slot, parent, word, prefix);
  }

  private place(slot: number, parent: number, word: number, prefix: number): number {
    const node = this.size++;
    if (node > this.maxNodes) throw new MemoryBudgetError(this.memoryBudget, node);
    if (node >= this.order.length) this.grow();
    const o = node * 4;
    const d = this.data;
    d[o] = parent;
    d[o + 1] = word;
    d[o + 2] = 0;
    d[o + 3] = prefix;
    this.order[node] = this.order[parent] + 1;
    this.slots[slot] = node;
    if (this.size > this.mask * 0.7) this.rehash();
    return node;
  }

  /** Drops the lookup table once counting is done (estimation walks the arrays only). */
  releaseIndex(): void {
    this.slots = new Int32Array(0);
    this.mask = 0;
  }

  private grow(): void {
    const cap = this.order.length * 2;
    const d = new Int32Array(new SharedArrayBuffer(cap * STRIDE * 4));
    d.set(this.data);
    this.data = d;
    const o = new Uint8Array(new SharedArrayBuffer(cap));
    o.set(this.order);
    this.order = o;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    const data = this.data;
    for (let node = 1; node < this.size; node++) {
      const o = node * STRIDE;
      let slot = slotHash(data[o], data[o + 1]) & mask;
      while (slots[slot] >= 0) slot = (slot + 1) & mask;
      slots[slot] = node;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
