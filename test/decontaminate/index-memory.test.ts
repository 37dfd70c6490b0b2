/**
 * The memory bound: benchmarks totalling 1,000,000 items must index in under 1 GB. Items are
 * the shared benchmarks' real items (all 38 files, every shape) repeated with a per-copy suffix
 * on every word, so lengths are the real mix (53 words on average) and every copy's n-grams are
 * new. Measured: the bytes of the index's typed arrays (one flat image), not the process RSS.
 */
import { describe, expect, it } from "vitest";
import path from "node:path";
import { buildContamIndex } from "../../src/models/contam/build.js";
import { Matcher } from "../../src/models/contam/match.js";
import { loadEvalItems } from "../../src/pipelines/decontaminate/items.js";
import { SHARED_DATA } from "../helpers/cli.js";

const ITEMS = 1_000_000;

/** A letters-only suffix per copy (digits would all normalise to 0). */
function tag(c: number): string {
  let s = "q";
  for (; c > 0; c = Math.floor(c / 26)) s += String.fromCharCode(97 + (c % 26));
  return s;
}

describe("index memory", () => {
  it("1,000,000 benchmark items index in under 1 GB, and every sampled item finds itself", async () => {
    const real = (await loadEvalItems([path.join(SHARED_DATA, "benchmarks")])).items.map((i) => i.text);
    expect(real.length).toBeGreaterThan(90_000);
    const R = real.length;
    const textOf = (k: number) => {
      const c = Math.floor(k / R);
      const t = real[k % R]!;
      return c === 0 ? t : t.replace(/(\S+)/g, `$1${tag(c)}`);
    };
    const { index, stats } = buildContamIndex({ count: ITEMS, forEach: (fn) => { for (let k = 0; k < ITEMS; k++) fn(textOf(k), Math.floor(k / R)); } }, { n: 13 });
    const typedBytes = [index.keys, index.vals, index.post, index.akeys, index.avals, index.apost, index.wkeys, index.wvals, index.wpost, index.itemBench].reduce((a, x) => a + x.byteLength, 0);
    console.log(`1M items: ${stats.incidences} (item, n-gram) pairs, ${stats.distinct} distinct 13-grams, ${stats.short} short items; index ${(index.byteLength / 1e6).toFixed(1)} MB (${(index.byteLength / stats.distinct).toFixed(1)} bytes per distinct n-gram), built in ${stats.seconds.toFixed(1)} s`);
    expect(stats.items).toBe(ITEMS);
    expect(stats.distinct).toBeGreaterThan(30_000_000);
    expect(typedBytes).toBeLessThanOrEqual(index.byteLength);
    expect(index.byteLength).toBeLessThan(1e9);
    expect(index.words.buffer).toBeInstanceOf(SharedArrayBuffer);
    const m = new Matcher(index);
    for (let k = 7; k < ITEMS; k += 9973) {
      const text = textOf(k);
      if (m.match(text) === 0) {
        expect(m.words, `item ${k} has words`).toBe(0);
        continue;
      }
      expect(m.hits().some((h) => h.item === k), `item ${k}`).toBe(true);
    }
  }, 900_000);
});
