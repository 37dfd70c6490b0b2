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

export class Vocab {
  private arena = new Uint8Array(1 << 16);
  private arenaUsed = 0;
  private starts = new Uint32Array(1 << 10);
  private ends = new Uint32Array(1 << 10);
  private slots = new Int32Array(1 << 11).fill(-1);
  private mask = (1 << 11) - 1;
  size = 0;

  constructor(withSpecials = true) {
    if (withSpecials) for (const w of SPECIAL_WORDS) this.addString(w);
  }

  /** Id of the word in buf[start, end), or -1. */
  find(buf: Uint8Array, start: number, end: number): number {
    const len = end - start;
    let slot = hashBytes(buf, start, end) & this.mask;
    const arena = this.arena;
    for (;;) {
      const id = this.slots[slot];
      if (id < 0) return -1;
      const s = this.starts[id];
      if (this.ends[id] - s === len) {
        let i = 0;
        while (i < len && arena[s + i] === buf[start + i]) i++;
        if (i === len) return id;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  /** Id of the word, adding it when new. */
  findOrAdd(buf: Uint8Array, start: number, end: number): number {
    const len = end - start;
    let slot = hashBytes(buf, start, end) & this.mask;
    const arena = this.arena;
    for (;;) {
      const id = this.slots[slot];
      if (id < 0) break;
      const s = this.starts[id];
      if (this.ends[id] - s === len) {
        let i = 0;
        while (i < len && arena[s + i] === buf[start + i]) i++;
        if (i === len) return id;
      }
      slot = (slot + 1) & this.mask;
    }
    return this.insertAt(slot, buf, start, end);
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
    return this.arena.byteLength + this.starts.byteLength * 2 + this.slots.byteLength;
  }

  private insertAt(slot: number, buf: Uint8Array, start: number, end: number): number {
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
    }
    this.starts[id] = this.arenaUsed;
    this.ends[id] = this.arenaUsed + len;
    this.arenaUsed += len;
    this.slots[slot] = id;
    if (this.size * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let id = 0; id < this.size; id++) {
      let slot = hashBytes(this.arena, this.starts[id], this.ends[id]) & mask;
      while (slots[slot] >= 0) slot = (slot + 1) & mask;
      slots[slot] = id;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
