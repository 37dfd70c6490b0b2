/**
 * Counting n-grams of every order at once in a suffix trie: node (w1 … wn) hangs under its
 * suffix (w2 … wn), so a node's children are its left extensions (KenLM's continuation
 * counts) and its parent is the lower order it backs off to. Nodes live in typed arrays and
 * are found through an open-addressing table keyed by (parent, word): no object per n-gram.
 *
 * The words are split into partitions and every n-gram belongs to the partition of its last
 * word, so a partition's nodes (a whole subtree under its unigrams) can be counted on its own
 * thread, in its own span of node ids, with its own lookup table. Within a span ids grow in
 * creation order, so a node's parent always has a smaller id. A node's prefix (w1 … wn−1, the
 * context it extends) usually belongs to another partition: counting records, per position of
 * the text, the nodes ending there (`posNode`), and a node first stores where its prefix will
 * be found, resolved once every partition is counted.
 */
import { BOS, EOS, UNK } from "./vocab.js";
import { MemoryBudgetError } from "./memory.js";

/** Node data stride: [parent, word, count, prefix] (count: raw, then adjusted once estimated). */
export const STRIDE = 4;
export const ROOT = 0;
// local copies: under a CommonJS transform (tsx) an imported binding is a getter call per use
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

/** The counted n-grams: node arrays and the id spans in use (ids outside them are never touched). */
export class SuffixTrie {
  constructor(
    readonly maxOrder: number,
    /** parent (suffix node), first word, count, prefix (context node) per node. */
    readonly data: Int32Array,
    readonly order: Uint8Array,
    /** [start, end) pairs of node ids in use, one per partition; the root (0) is in none. */
    readonly spans: number[],
  ) {}

  /** One past the highest node id: the length of arrays indexed by node. */
  get size(): number {
    return this.spans[this.spans.length - 1];
  }

  /** Nodes in use. */
  get nodes(): number {
    let n = 1;
    for (let s = 0; s < this.spans.length; s += 2) n += this.spans[s + 1] - this.spans[s];
    return n;
  }
}

/**
 * Everything the partitions share while counting, in shared memory so that threads can count
 * partitions side by side: the text's word ids, the partition of each word, the node arrays,
 * the nodes ending at each position and the nodes made so far per partition (for the budget).
 */
export interface CountPlan {
  maxOrder: number;
  ids: Uint32Array;
  length: number;
  /** partition of each word id */
  part: Uint8Array;
  parts: number;
  /** first node id of each partition's span, and one past its last possible id */
  base: number[];
  limit: number[];
  /** lookup table size guess per partition */
  expected: number[];
  data: Int32Array;
  order: Uint8Array;
  /** node of length k ending at position i at [i·(N−1) + k−1], for k < N (the possible prefixes) */
  posNode: Int32Array;
  /** nodes made per partition, published now and then for the budget check */
  made: Int32Array;
  maxNodes: number;
  budget: number;
}

/** Counts the n-grams (up to the plan's order) ending in partition `p`'s words. */
export class PartCounter {
  private slots: Int32Array;
  private mask: number;
  /** unigram node per word id (-1 until seen) for the O(1) first step */
  private readonly unigram: Int32Array;
  private readonly data: Int32Array;
  private readonly ord: Uint8Array;
  private next: number;
  private readonly limit: number;
  private checkAt: number;

  constructor(
    private readonly plan: CountPlan,
    private readonly p: number,
  ) {
    this.data = plan.data;
    this.ord = plan.order;
    this.next = plan.base[p];
    this.limit = plan.limit[p];
    let slots = 1 << 12;
    while (slots * 0.7 < plan.expected[p]) slots *= 2;
    this.slots = new Int32Array(slots).fill(-1);
    this.mask = slots - 1;
    this.unigram = new Int32Array(plan.part.length).fill(-1);
    this.checkAt = Math.min(this.next + 4096, this.limit);
  }

  /** Counts every n-gram of each sentence (BOS w1 … [EOS]) that ends in this partition. */
  count(onProgress?: (done: number) => void): void {
    const { ids, length, part, posNode } = this.plan;
    const N = this.plan.maxOrder;
    const S = N - 1;
    const p = this.p;
    const data = this.data;
    const bos = BOS_ID;
    // the specials first (<unk>, <s>, </s>: all in partition 0), as lmplz numbers them
    let bosNode = -1;
    if (part[bos] === p) {
      for (const w of [UNK, BOS, EOS]) this.unigramNode(w);
      bosNode = this.unigram[bos];
    }
    let sinceBos = 0;
    for (let i = 0; i < length; i++) {
      const w = ids[i];
      if (w === bos) {
        sinceBos = 0;
        if (bosNode >= 0 && S > 0) posNode[i * S] = bosNode;
        continue;
      }
      sinceBos++;
      if (part[w] !== p) continue;
      const maxK = sinceBos + 1 < N ? sinceBos + 1 : N;
      let node = this.unigram[w];
      if (node < 0) node = this.unigramNode(w);
      data[node * 4 + 2]++;
      const row = i * S;
      if (S > 0) posNode[row] = node;
      // Once an n-gram is new, every longer one ending here is new too (its suffix was not
      // there): those are appended without searching the table. The prefix is stored as
      // where posNode will hold it: position i − 1, one word shorter.
      let fresh = false;
      for (let k = 2; k <= maxK; k++) {
        const pre = row - S + k - 2;
        if (fresh) node = this.append(node, ids[i - k + 1], pre);
        else {
          node = this.child(node, ids[i - k + 1], pre);
          fresh = this.created;
        }
        data[node * 4 + 2]++;
        if (k < N) posNode[row + k - 1] = node;
      }
      if (onProgress && (i & 0xfffff) === 0) onProgress(i);
    }
    onProgress?.(length);
    this.plan.made[p] = this.next - this.plan.base[p];
    // the lookup table is done with
    this.slots = new Int32Array(0);
    this.mask = 0;
  }

  /** One past the last node id used. */
  get end(): number {
    return this.next;
  }

  /** Once every partition is counted: each node's prefix from where count() left it. */
  resolvePrefixes(): void {
    const data = this.data;
    const posNode = this.plan.posNode;
    for (let node = this.plan.base[this.p]; node < this.next; node++) {
      const o = node * 4 + 3;
      const at = data[o];
      data[o] = at < 0 ? ROOT : posNode[at];
    }
  }

  private unigramNode(word: number): number {
    let node = this.unigram[word];
    if (node < 0) {
      node = this.child(ROOT, word, -1);
      this.unigram[word] = node;
    }
    return node;
  }

  /** Set by child(): whether the node it returned was created by that call. */
  private created = false;

  /** The child of `parent` for `word` (the n-gram extended one word to the left), created when new. */
  private child(parent: number, word: number, prefix: number): number {
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
    const node = this.next++;
    if (node >= this.checkAt) this.checkBudget();
    const o = node * 4;
    const d = this.data;
    d[o] = parent;
    d[o + 1] = word;
    d[o + 2] = 0;
    d[o + 3] = prefix;
    this.ord[node] = this.ord[parent] + 1;
    this.slots[slot] = node;
    if (this.next - this.plan.base[this.p] > this.mask * 0.7) this.rehash();
    return node;
  }

  /** Publishes this partition's node count and stops when all partitions together pass the budget. */
  private checkBudget(): void {
    const plan = this.plan;
    const mine = this.next - plan.base[this.p];
    plan.made[this.p] = mine;
    let total = 1;
    for (let q = 0; q < plan.parts; q++) total += q === this.p ? mine : plan.made[q];
    if (total > plan.maxNodes) throw new MemoryBudgetError(plan.budget, total);
    // the span is sized for every n-gram the partition's positions can hold
    if (this.next > this.limit) throw new Error(`n-gram partition ${this.p} overflowed its ${this.limit - plan.base[this.p]} node ids`);
    this.checkAt = Math.min(this.next + 4096, this.limit);
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    const data = this.data;
    for (let node = this.plan.base[this.p]; node < this.next; node++) {
      const o = node * STRIDE;
      let slot = slotHash(data[o], data[o + 1]) & mask;
      while (slots[slot] >= 0) slot = (slot + 1) & mask;
      slots[slot] = node;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
