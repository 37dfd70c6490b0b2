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
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export class ByteReader {
  private readonly view: DataView;
  pos = 0;

  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
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
  /** Copies n float32 values (the source may be unaligned). */
  f32s(n: number, what = "floats", out?: Float32Array): Float32Array {
    this.need(n * 4, what);
    const dst = out ?? new Float32Array(n);
    new Uint8Array(dst.buffer, dst.byteOffset, n * 4).set(this.buf.subarray(this.pos, this.pos + n * 4));
    this.pos += n * 4;
    return dst;
  }
}
