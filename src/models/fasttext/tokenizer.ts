/**
 * fastText's tokenizer works on bytes: tokens are separated by space, \n, \t, \v, \f, \r and
 * \0; a newline ends the line and yields the end-of-sentence token `</s>`.
 */
export const EOS = "</s>";
export const EOS_BYTES = new TextEncoder().encode(EOS);
export const BOW = 0x3c; // '<'
export const EOW = 0x3e; // '>'

/** 1 for the separator bytes fastText's readWord splits on. */
export const IS_SPACE = new Uint8Array(256);
for (const c of [0x20, 0x0a, 0x0d, 0x09, 0x0b, 0x0c, 0x00]) IS_SPACE[c] = 1;

const encoder = new TextEncoder();

/** UTF-8 encoder into a reusable buffer (grows as needed). */
export class Utf8Scratch {
  buf = new Uint8Array(4096);
  encode(text: string): number {
    // A UTF-16 unit becomes at most 3 UTF-8 bytes.
    if (text.length * 3 > this.buf.length) this.buf = new Uint8Array(Math.max(text.length * 3, this.buf.length * 2));
    return encoder.encodeInto(text, this.buf).written;
  }
}
