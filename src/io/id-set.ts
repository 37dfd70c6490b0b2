/**
 * A compact set of record ids for spotting duplicates within a shard: 8 bytes per id (two
 * independent 32-bit hashes, open addressing) instead of a Set of strings, so a million-row
 * shard costs ~16 MB. A false "duplicate" needs a 64-bit collision (~n²/2^65: never in practice).
 */
export class IdSet {
  private table = new Uint32Array(2 * 1024);
  private mask = 1023;
  private size = 0;

  /** Adds the id; returns false when it was already there. */
  add(id: string): boolean {
    let h1 = 0x811c9dc5;
    let h2 = 0x9e3779b9;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    h1 = (h1 ^ (h1 >>> 16)) >>> 0 || 1; // 0 marks an empty slot
    h2 = (h2 ^ (h2 >>> 13)) >>> 0;
    if (this.insert(h1, h2)) {
      if (++this.size * 2 > this.mask) this.grow();
      return true;
    }
    return false;
  }

  private insert(h1: number, h2: number): boolean {
    const t = this.table;
    let i = (h1 ^ Math.imul(h2, 0x27d4eb2d)) & this.mask;
    for (;;) {
      const a = t[2 * i]!;
      if (a === 0) {
        t[2 * i] = h1;
        t[2 * i + 1] = h2;
        return true;
      }
      if (a === h1 && t[2 * i + 1] === h2) return false;
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    this.mask = this.table.length / 2 - 1;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0) this.insert(old[i]!, old[i + 1]!);
  }
}
