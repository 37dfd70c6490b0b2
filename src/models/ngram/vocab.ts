/**
 * Word vocabulary keyed by UTF-8 bytes: an open-addressing table over one byte arena, so
 * tokenizing millions of words allocates no string per word. Ids follow KenLM's numbering:
 * <unk> = 0, <s> = 1, </s> = 2, then words in order of first insertion.
 */
export const UNK = 0;
export const BOS = 1;
export const EOS = 2;
export const SPECIAL_WORDS = ["<unk>", "<s>", "</s>"] as const;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** FNV-1a over bytes [start, end). */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  // final avalanche so the low bits used as the slot index are well mixed
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** A second, independent 32-bit hash of the same bytes (with hashBytes: a 64-bit fingerprint). */
function hashBytes2(buf: Uint8Array, start: number, end: number): number {
  let h = 0x9747b28c ^ (end - start);
  for (let i = start; i < end; i++) {
    h = Math.imul(h ^ buf[i], 0x5bd1e995);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** hashWord's result: [hashBytes | 0, hashBytes2] of a word, without allocating. */
export const HASH = { h: 0, h2: 0 };

/** Both hashes of buf[start, end) in one pass over the bytes (as hashBytes and hashBytes2). */
export function hashWord(buf: Uint8Array, start: number, end: number): void {
  let h = 0x811c9dc5;
  let g = 0x9747b28c ^ (end - start);
  for (let i = start; i < end; i++) {
    const c = buf[i];
    h = Math.imul(h ^ c, 0x01000193);
    g = Math.imul(g ^ c, 0x5bd1e995);
    g ^= g >>> 15;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  g = Math.imul(g ^ (g >>> 13), 0xc2b2ae35);
  HASH.h = h | 0;
  HASH.h2 = g ^ (g >>> 16);
}

export interface VocabLookup {
  slots: Int32Array;
  mask: number;
  size: number;
}

export class Vocab {
  private arena = new Uint8Array(1 << 16);
  private arenaUsed = 0;
  private starts = new Uint32Array(1 << 10);
  private ends = new Uint32Array(1 << 10);
  /** Per slot [id, hash, hash2]: a lookup compares the 64-bit fingerprint in the slot itself. */
  private slots: Int32Array = new Int32Array(3 << 11).fill(-1);
  private mask = (1 << 11) - 1;
  private fp2 = new Int32Array(1 << 10);
  size = 0;

  constructor(withSpecials = true) {
    if (withSpecials) for (const w of SPECIAL_WORDS) this.addString(w);
  }

  /**
   * Id of the word in buf[start, end), or -1. Matches on the 64-bit fingerprint held in the slot
   * (as KenLM's vocabulary does) without reading the stored bytes: one memory access per probe.
   */
  find(buf: Uint8Array, start: number, end: number): number {
    hashWord(buf, start, end);
    return this.findHashed(HASH.h, HASH.h2);
  }

  /** find() by the word's two hashes (hashWord's). */
  findHashed(h: number, h2: number): number {
    const slots = this.slots;
    let slot = h & this.mask;
    for (;;) {
      const o = slot * 3;
      const id = slots[o];
      if (id < 0) return -1;
      if (slots[o + 1] === h && slots[o + 2] === h2) return id;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Id of the word, adding it when new (bytes compared, so training never merges two words). */
  findOrAdd(buf: Uint8Array, start: number, end: number): number {
    const len = end - start;
    const h = hashBytes(buf, start, end) | 0;
    const h2 = hashBytes2(buf, start, end);
    let slot = h & this.mask;
    const arena = this.arena;
    const slots = this.slots;
    for (;;) {
      const o = slot * 3;
      const id = slots[o];
      if (id < 0) break;
      if (slots[o + 1] === h && slots[o + 2] === h2) {
        const s = this.starts[id];
        if (this.ends[id] - s === len) {
          let i = 0;
          while (i < len && arena[s + i] === buf[start + i]) i++;
          if (i === len) return id;
        }
      }
      slot = (slot + 1) & this.mask;
    }
    return this.insertAt(slot, buf, start, end, h, h2);
  }

  /** What find() needs, to hand to another thread (structured clone copies it). */
  lookupTable(): VocabLookup {
    return { slots: this.slots, mask: this.mask, size: this.size };
  }

  /** A vocabulary that can only find() (ids of another thread's vocabulary). */
  static lookupOnly(t: VocabLookup): Vocab {
    const v = new Vocab(false);
    v.slots = t.slots;
    v.mask = t.mask;
    v.size = t.size;
    return v;
  }

  addString(word: string): number {
    const b = encoder.encode(word);
    return this.findOrAdd(b, 0, b.length);
  }

  findString(word: string): number {
    const b = encoder.encode(word);
    return this.find(b, 0, b.length);
  }

  word(id: number): string {
    return decoder.decode(this.arena.subarray(this.starts[id], this.ends[id]));
  }

  /** The word's bytes (a view into the arena: copy before the vocabulary grows). */
  bytes(id: number): Uint8Array {
    return this.arena.subarray(this.starts[id], this.ends[id]);
  }

  /** Bytes held, for memory accounting. */
  get byteSize(): number {
    return this.arena.byteLength + this.starts.byteLength * 3 + this.slots.byteLength;
  }

  private insertAt(slot: number, buf: Uint8Array, start: number, end: number, h: number, h2: number): number {
    const len = end - start;
    if (this.arenaUsed + len > this.arena.length) {
      let cap = this.arena.length * 2;
      while (cap < this.arenaUsed + len) cap *= 2;
      const a = new Uint8Array(cap);
      a.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = a;
    }
    this.arena.set(buf.subarray(start, end), this.arenaUsed);
    const id = this.size++;
    if (id >= this.starts.length) {
      const s = new Uint32Array(this.starts.length * 2);
      s.set(this.starts);
      this.starts = s;
      const e = new Uint32Array(this.ends.length * 2);
      e.set(this.ends);
      this.ends = e;
      const f2 = new Int32Array(this.fp2.length * 2);
      f2.set(this.fp2);
      this.fp2 = f2;
    }
    this.starts[id] = this.arenaUsed;
    this.ends[id] = this.arenaUsed + len;
    this.arenaUsed += len;
    this.fp2[id] = h2;
    this.slots[slot * 3] = id;
    this.slots[slot * 3 + 1] = h;
    this.slots[slot * 3 + 2] = h2;
    if (this.size * 2 > this.mask + 1) this.rehash();
    return id;
  }

  private rehash(): void {
    const n = (this.mask + 1) * 2;
    const slots = new Int32Array(n * 3).fill(-1);
    const mask = n - 1;
    for (let id = 0; id < this.size; id++) {
      const h = hashBytes(this.arena, this.starts[id], this.ends[id]) | 0;
      let slot = h & mask;
      while (slots[slot * 3] >= 0) slot = (slot + 1) & mask;
      slots[slot * 3] = id;
      slots[slot * 3 + 1] = h;
      slots[slot * 3 + 2] = this.fp2[id];
    }
    this.slots = slots;
    this.mask = mask;
  }
}
