/**
 * A small word n-gram index for the leakage check (the contamination index of
 * src/models/contam/ did not exist when tune was written; this one is local to tune).
 * Texts are normalised (NFKC, lowercase, every run of non-letters/digits → one space) and
 * each window of n words gets a 53-bit key from two independent 32-bit hashes, so a hit is a
 * shared n-gram with probability ~1 - 2^-53 per pair of windows.
 */
import { combine32, fnv1a } from "../../text/hash.js";

const NON_WORD = /[^\p{L}\p{N}]+/gu;
const SEED_B = 0x9747b28c;

/** The normalisation behind "exact after normalisation" and the n-gram words. */
export function normalizeText(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(NON_WORD, " ").trim();
}

export function normalizedWords(text: string): string[] {
  const n = normalizeText(text);
  return n === "" ? [] : n.split(" ");
}

/** 53-bit keys of every n-word window (none when the text is shorter than n words). */
export function ngramKeys(words: readonly string[], n: number): Float64Array {
  const count = words.length - n + 1;
  if (count <= 0) return new Float64Array(0);
  const ha = new Uint32Array(words.length);
  const hb = new Uint32Array(words.length);
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    ha[i] = fnv1a(w);
    hb[i] = fnv1a(w, 0, w.length, SEED_B);
  }
  const keys = new Float64Array(count);
  for (let s = 0; s < count; s++) {
    let a = 0x811c9dc5;
    let b = SEED_B;
    for (let j = 0; j < n; j++) {
      a = combine32(a, ha[s + j]);
      b = combine32(b, hb[s + j]);
    }
    keys[s] = (a >>> 11) * 4294967296 + b;
  }
  return keys;
}

/** Maps n-gram keys to the documents (small integer ids) that contain them. */
export class NgramIndex {
  private readonly first = new Map<number, number>();
  private readonly more = new Map<number, number[]>();
  constructor(readonly n: number) {}

  add(doc: number, words: readonly string[]): void {
    const keys = ngramKeys(words, this.n);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const f = this.first.get(k);
      if (f === undefined) this.first.set(k, doc);
      else if (f !== doc) {
        const list = this.more.get(k);
        if (!list) this.more.set(k, [doc]);
        else if (list[list.length - 1] !== doc) list.push(doc);
      }
    }
  }

  /** Documents sharing at least one n-gram with `words`, with the number of shared windows of `words`. */
  query(words: readonly string[]): Map<number, number> {
    const hits = new Map<number, number>();
    const keys = ngramKeys(words, this.n);
    for (let i = 0; i < keys.length; i++) {
      const f = this.first.get(keys[i]);
      if (f === undefined) continue;
      hits.set(f, (hits.get(f) ?? 0) + 1);
      const list = this.more.get(keys[i]);
      if (list) for (const d of list) if (d !== f) hits.set(d, (hits.get(d) ?? 0) + 1);
    }
    return hits;
  }
}
