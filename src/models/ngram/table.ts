/**
 * One order's n-grams for querying: an open-addressing table of 16-byte slots
 * [key hi, key lo, log10 p, log10 backoff] in one buffer, so a probe touches one cache line.
 * Sized at 1.5× the entries, as KenLM's probing model is. Bit 0 of key lo (always 0 in keys)
 * flags an n-gram that some longer n-gram ends with (KenLM's "extends left"): a lookup that
 * finds an n-gram without it need not try a longer one.
 */
export class NgramTable {
  keys: Int32Array;
  vals: Float32Array;
  slots: number;
  size = 0;

  constructor(entries: number) {
    this.slots = Math.max(4, Math.ceil(entries * 1.5) + 1);
    const buf = new ArrayBuffer(this.slots * 16);
    this.keys = new Int32Array(buf);
    this.vals = new Float32Array(buf);
  }

  /** More entries than announced (SRILM blanks, a wrong header): double and reinsert. */
  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const oldSlots = this.slots;
    this.slots = oldSlots * 2 + 1;
    const buf = new ArrayBuffer(this.slots * 16);
    this.keys = new Int32Array(buf);
    this.vals = new Float32Array(buf);
    this.size = 0;
    for (let s = 0; s < oldSlots; s++) {
      const o = s << 2;
      if (oldKeys[o] === 0 && oldKeys[o + 1] === 0) continue;
      const s2 = this.insert(oldKeys[o], oldKeys[o + 1] & ~1, oldVals[o + 2], oldVals[o + 3]);
      if (oldKeys[o + 1] & 1) this.keys[(s2 << 2) + 1] |= 1;
    }
  }

  /** Slot index holding (hi, lo), or -1. */
  find(hi: number, lo: number): number {
    const keys = this.keys;
    const n = this.slots;
    let s = Math.floor(((lo >>> 0) * n) / 4294967296);
    for (;;) {
      const o = s << 2;
      const khi = keys[o];
      const klo = keys[o + 1];
      if (khi === hi && (klo & ~1) === lo) return s;
      if (khi === 0 && klo === 0) return -1;
      if (++s === n) s = 0;
    }
  }

  /** Inserts or overwrites; returns the slot. */
  insert(hi: number, lo: number, prob: number, backoff: number): number {
    if ((this.size + 1) * 10 > this.slots * 9) this.grow();
    const keys = this.keys;
    const n = this.slots;
    let s = Math.floor(((lo >>> 0) * n) / 4294967296);
    for (;;) {
      const o = s << 2;
      const khi = keys[o];
      const klo = keys[o + 1];
      if (khi === 0 && klo === 0) {
        keys[o] = hi;
        keys[o + 1] = lo;
        this.size++;
        break;
      }
      if (khi === hi && (klo & ~1) === lo) break;
      if (++s === n) s = 0;
    }
    this.vals[(s << 2) + 2] = prob;
    this.vals[(s << 2) + 3] = backoff;
    return s;
  }

  /** Marks the n-gram in `slot` as the suffix of a longer one. */
  markExtends(slot: number): void {
    this.keys[(slot << 2) + 1] |= 1;
  }

  extendsLeft(slot: number): boolean {
    return (this.keys[(slot << 2) + 1] & 1) === 1;
  }

  prob(slot: number): number {
    return this.vals[(slot << 2) + 2];
  }

  backoff(slot: number): number {
    return this.vals[(slot << 2) + 3];
  }

  get byteSize(): number {
    return this.slots * 16;
  }
}
