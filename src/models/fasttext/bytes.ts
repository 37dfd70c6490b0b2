/** Little-endian binary writer/reader for the fastText model format (x86-64 layout). */

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(initial = 1 << 16) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.length++] = v;
  }
  i8(v: number): void {
    this.reserve(1);
    this.view.setInt8(this.length++, v);
  }
  i32(v: number): void {
    this.reserve(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
  }
  i64(v: number): void {
    this.reserve(8);
    this.view.setBigInt64(this.length, BigInt(v), true);
    this.length += 8;
  }
  f64(v: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  f32s(a: Float32Array): void {
    this.bytes(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  /** The bytes written. */
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export interface ByteReaderOptions {
  /**
   * The reader owns the buffer: float matrices may be returned as views of it instead of
   * copies, and it may move not-yet-read bytes to align them.
   */
  owned?: boolean;
  /**
   * The buffer is shared and read-only (one model image for many threads): aligned float
   * matrices are returned as views of it, unaligned ones are copied; nothing is moved.
   */
  shared?: boolean;
  /** Spare bytes after `buf` inside its ArrayBuffer (with `owned`: room to align matrices). */
  slack?: number;
}

export class ByteReader {
  private view: DataView;
  private readonly owned: boolean;
  private readonly shared: boolean;
  private slack: number;
  pos = 0;

  constructor(
    public buf: Uint8Array,
    opts: ByteReaderOptions = {},
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.owned = opts.owned ?? false;
    this.shared = opts.shared ?? false;
    this.slack = Math.max(0, Math.min(opts.slack ?? 0, buf.buffer.byteLength - buf.byteOffset - buf.length));
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.buf.length) throw new Error(`model file truncated: need ${n} bytes for ${what} at byte ${this.pos}, file has ${this.buf.length}`);
  }
  u8(what = "byte"): number {
    this.need(1, what);
    return this.buf[this.pos++];
  }
  i8(what = "byte"): number {
    this.need(1, what);
    return this.view.getInt8(this.pos++);
  }
  i32(what = "int32"): number {
    this.need(4, what);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  i64(what = "int64"): number {
    this.need(8, what);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`int64 out of range in ${what} at byte ${this.pos - 8}`);
    return Number(v);
  }
  f64(what = "float64"): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  /** A NUL-terminated byte string. */
  cstring(what = "string"): Uint8Array {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new Error(`model file truncated inside ${what} at byte ${this.pos}`);
    const s = this.buf.subarray(this.pos, end);
    this.pos = end + 1;
    return s;
  }
  bytes(n: number, what = "bytes"): Uint8Array {
    this.need(n, what);
    const s = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  /**
   * n float32 values, as a view of the buffer when the reader owns it or it is shared and the
   * values are aligned (no copy: a model's input matrix can be most of the file). Unaligned values are first aligned by moving the
   * rest of the buffer up to 3 bytes into the slack; without room, they are copied.
   */
  f32sView(n: number, what = "floats"): Float32Array {
    this.need(n * 4, what);
    if (!this.owned && !this.shared) return this.f32s(n, what);
    const mis = (this.buf.byteOffset + this.pos) & 3;
    if (mis !== 0 && this.shared) return this.f32s(n, what);
    if (mis !== 0) {
      const shift = 4 - mis;
      if (shift > this.slack) return this.f32s(n, what);
      const { buffer, byteOffset, length } = this.buf;
      new Uint8Array(buffer, byteOffset, length + shift).copyWithin(this.pos + shift, this.pos, length);
      // re-based so that offsets from pos on address the moved bytes (earlier ones were read)
      this.buf = new Uint8Array(buffer, byteOffset + shift, length);
      this.view = new DataView(buffer, byteOffset + shift, length);
      this.slack -= shift;
    }
    const out = new Float32Array(this.buf.buffer, this.buf.byteOffset + this.pos, n);
    this.pos += n * 4;
    return out;
  }

  /** Copies n float32 values (the source may be unaligned). */
  f32s(n: number, what = "floats", out?: Float32Array): Float32Array {
    this.need(n * 4, what);
    const dst = out ?? new Float32Array(n);
    new Uint8Array(dst.buffer, dst.byteOffset, n * 4).set(this.buf.subarray(this.pos, this.pos + n * 4));
    this.pos += n * 4;
    return dst;
  }
}
