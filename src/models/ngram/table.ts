/**
 * One order's n-grams for querying: an open-addressing table of 16-byte slots
 * [key hi, key lo, log10 p, log10 backoff] in one buffer, so a probe touches one cache line.
 * Sized at 1.5× the entries, as KenLM's probing model is. Bit 0 of key lo (always 0 in keys)
 * flags an n-gram that some longer n-gram ends with (KenLM's "extends left"): a lookup that
 * finds an n-gram without it need not try a longer one.
 */
import { inSharedMemory } from "../../util/shared-memory.js";
export class NgramTable {
  keys: Int32Array;
  vals: Float32Array;
  slots: number;
  size = 0;

  /** `shared`: in a SharedArrayBuffer, for the threads of a parallel load and query. */
  constructor(entries: number, shared = false) {
    this.slots = Math.max(4, Math.ceil(entries * 1.5) + 1);
    const buf = shared ? new SharedArrayBuffer(this.slots * 16) : new ArrayBuffer(this.slots * 16);
    this.keys = new Int32Array(buf);
    this.vals = new Float32Array(buf);
  }

  /** A view of a table built elsewhere (another thread's). */
  static over(buffer: ArrayBufferLike, size: number): NgramTable {
    const t = new NgramTable(0);
    t.slots = buffer.byteLength / 16;
    t.keys = new Int32Array(buffer);
    t.vals = new Float32Array(buffer);
    t.size = size;
    return t;
  }

  /** Moves the slots into shared memory (one copy), for threads that read the table. */
  share(): void {
    this.keys = inSharedMemory(this.keys);
    this.vals = new Float32Array(this.keys.buffer);
  }

  /** The home slot of a key: where its probe starts. */
  home(lo: number): number {
    return Math.floor(((lo >>> 0) * this.slots) / 4294967296);
  }

  /**
   * Inserts records [hi, lo, prob bits, backoff bits] i in [from, to) whose probe stays inside
   * slots [start, end): the part of the table this thread owns while others fill theirs. The
   * index of any other record goes to `overflow`, for the owner of the whole table to insert
   * afterwards. Records in bucket order touch one small window of the table at a time.
   */
  insertRegion(recs: Int32Array, from: number, to: number, start: number, end: number, overflow: number[]): number {
    const keys = this.keys;
    const n = this.slots;
    let added = 0;
    for (let i = from; i < to; i++) {
      const o = i * 4;
      const hi = recs[o];
      const lo = recs[o + 1];
      let s = Math.floor(((lo >>> 0) * n) / 4294967296);
      if (s < start || s >= end) {
        overflow.push(i);
        continue;
      }
      for (;;) {
        const q = s << 2;
        const khi = keys[q];
        const klo = keys[q + 1];
        if (khi === 0 && klo === 0) {
          keys[q] = hi;
          keys[q + 1] = lo;
          added++;
          break;
        }
        if (khi === hi && (klo & ~1) === lo) break;
        if (++s === end) break;
      }
      if (s === end) {
        overflow.push(i);
        continue;
      }
      // the float bits go in as they are
      keys[(s << 2) + 2] = recs[o + 2];
      keys[(s << 2) + 3] = recs[o + 3];
    }
    return added;
  }

  /** Flags the keys [hi, lo] i in [from, to) as extending left; false when one is missing. */
  markAll(keys2: Int32Array, from: number, to: number): boolean {
    for (let i = from; i < to; i++) {
      const s = this.find(keys2[i * 2], keys2[i * 2 + 1]);
      if (s < 0) return false;
      this.keys[(s << 2) + 1] |= 1;
    }
    return true;
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

  /** The first word of the key's home slot (a read to warm the cache line ahead of find()). */
  peek(lo: number): number {
    return this.keys[Math.floor(((lo >>> 0) * this.slots) / 4294967296) << 2];
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
