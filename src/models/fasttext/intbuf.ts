/** A growable Int32Array reused across lines, so hot loops do not allocate per token. */
export class IntBuffer {
  data: Int32Array;
  len = 0;
  constructor(cap = 64) {
    this.data = new Int32Array(cap);
  }
  push(v: number): void {
    if (this.len === this.data.length) this.grow(this.len + 1);
    this.data[this.len++] = v;
  }
  grow(min: number): void {
    let cap = this.data.length * 2;
    while (cap < min) cap *= 2;
    const next = new Int32Array(cap);
    next.set(this.data.subarray(0, this.len));
    this.data = next;
  }
  clear(): void {
    this.len = 0;
  }
  toArray(): Int32Array {
    return this.data.slice(0, this.len);
  }
}
