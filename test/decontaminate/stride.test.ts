/**
 * The stride pre-filter (k-grams probed at every `stride`-th document word) must never clear a
 * document that shares an n-gram: one shared n-gram is planted at every offset from the
 * document start (ending the document or not) and cut from every position of the item, and must
 * be found exactly once; a
 * shared k-gram alone (shorter than n) passes the pre-filter but is no match. Every k-gram of
 * every item passes the filter.
 */
import { describe, expect, it } from "vitest";
import { buildContamIndex, strideFor } from "../../src/models/contam/build.js";
import { stridePasses } from "../../src/models/contam/index-image.js";
import { Matcher } from "../../src/models/contam/match.js";
import { forEachNgram } from "../../src/models/contam/ngram.js";
import { tokenize, WordBuffer } from "../../src/models/contam/words.js";

let x = 2463534242;
function word(): string {
  let w = "";
  for (let k = 0; k < 7; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    w += String.fromCharCode(97 + ((x >>> 0) % 26));
  }
  return w;
}
const words = (count: number) => Array.from({ length: count }, word);

describe.each([13, 8])("stride pre-filter, n = %i", (n) => {
  const item = words(30);
  const other = words(60).join(" ");
  const { index } = buildContamIndex({ count: 2, forEach: (fn) => [item.join(" "), other].forEach((t) => fn(t, 0)) }, { n });
  const m = new Matcher(index);
  const stride = strideFor(n);
  const k = n + 1 - stride;

  it("is on, with k-grams shorter than n", () => {
    expect(index.stride).toBe(4);
    expect(k).toBe(n - 3);
  });

  it("finds one shared n-gram at every document offset and item position", () => {
    for (let q = 0; q < 2 * stride + 1; q++) {
      for (let t = 0; t + n <= item.length; t++) {
        for (const tail of [0, 5]) {
          const doc = [...words(q), ...item.slice(t, t + n), ...words(tail)].join(" ");
          expect(m.match(doc), `offset ${q}, item words ${t}..${t + n}, ${tail} words after`).toBe(1);
          expect(m.hits()).toMatchObject([{ item: 0, ngrams: 1 }]);
        }
      }
    }
  });

  it("a shared k-gram alone is no match", () => {
    for (let q = 0; q < stride; q++) {
      const doc = [...words(q), ...item.slice(3, 3 + n - 1), ...words(q + 3)].join(" ");
      expect(m.match(doc)).toBe(0);
    }
  });

  it("every k-gram of every item passes", () => {
    const buf = new WordBuffer();
    let count = 0;
    for (const t of [item.join(" "), other]) {
      const w = tokenize(t, buf);
      forEachNgram(buf.a, buf.b, w, k, (_i, a, b) => {
        count++;
        expect(stridePasses(index, a, b)).toBe(true);
      });
    }
    expect(count).toBe(30 - k + 1 + (60 - k + 1));
  });
});
