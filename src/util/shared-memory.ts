/** Typed arrays that worker threads read in place: a SharedArrayBuffer crosses to them by reference. */

type Typed = Int32Array | Uint32Array | Float32Array | Float64Array | Uint8Array | Int8Array | Uint16Array | Int16Array;

/** The SharedArrayBuffer holding exactly `a`'s bytes: its own buffer when `a` fills one, else a copy. */
export function sharedBufferOf(a: Typed): SharedArrayBuffer {
  if (a.buffer instanceof SharedArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) return a.buffer;
  const sab = new SharedArrayBuffer(a.byteLength);
  new Uint8Array(sab).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return sab;
}

/** `a` itself when it fills a SharedArrayBuffer, else a copy of it in one. */
export function inSharedMemory<T extends Typed>(a: T): T {
  const sab = sharedBufferOf(a);
  return sab === a.buffer ? a : (new (a.constructor as new (b: SharedArrayBuffer) => T)(sab));
}
