/**
 * Zstandard frames of stored (raw) blocks: valid .zst that every decoder reads, with no
 * compression. The pure-JS codec writes these, so a machine with neither libzstd nor the zstd
 * command still writes .zst outputs where the inputs were .zst (RFC 8878: frame header without
 * content size or checksum, a 128 KiB window, blocks of type Raw, the last one flagged).
 */
import { Transform, type TransformCallback } from "node:stream";

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** Frame header descriptor 0 (no content size, not single-segment, no checksum, no dictionary), window descriptor 2^17. */
const HEADER = Uint8Array.from([...MAGIC, 0x00, (17 - 10) << 3]);
/** The largest block a 128 KiB window allows. */
export const STORED_BLOCK = 128 << 10;

function blockHeader(size: number, last: boolean): Uint8Array {
  const v = (size << 3) | (last ? 1 : 0); // block type 0 = Raw in bits 1-2
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff);
}

/** A transform whose output is one stored frame of everything written to it. */
export class StoredZstdStream extends Transform {
  private started = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (!this.started) {
      this.push(HEADER);
      this.started = true;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // keep at least one byte back: the block that ends the frame carries the last flag
    if (this.pendingBytes > STORED_BLOCK) {
      let all = Buffer.concat(this.pending, this.pendingBytes);
      while (all.length > STORED_BLOCK) {
        this.push(blockHeader(STORED_BLOCK, false));
        this.push(all.subarray(0, STORED_BLOCK));
        all = all.subarray(STORED_BLOCK);
      }
      this.pending = [all];
      this.pendingBytes = all.length;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (!this.started) this.push(HEADER);
    this.push(blockHeader(this.pendingBytes, true));
    if (this.pendingBytes > 0) this.push(Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
    done();
  }
}
