import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CachedEmbedder, EmbeddingCache, type Embedder } from "../../src/backends/embed/index.js";
import { textKey } from "../../src/backends/embed/cache.js";

/** A deterministic embedder that counts what it was asked to embed. */
class Counting implements Embedder {
  readonly dim = 3;
  calls: string[][] = [];
  constructor(public id = "counting:v1") {}
  async embed(texts: string[]): Promise<Float32Array> {
    this.calls.push(texts);
    const out = new Float32Array(texts.length * 3);
    texts.forEach((t, i) => out.set([t.length, t.charCodeAt(0) || 0, i === -1 ? 0 : 1], i * 3));
    return out;
  }
}

const tmp = () => mkdtempSync(path.join(tmpdir(), "dt-cache-"));

describe("embedding cache", () => {
  it("embeds only unseen texts, once each, and returns the same vectors from disk in a new process", async () => {
    const root = tmp();
    const inner = new Counting();
    const c = new CachedEmbedder(inner, root);
    const first = await c.embed(["alpha", "beta", "alpha", "gamma"]);
    expect(inner.calls).toEqual([["alpha", "beta", "gamma"]]);
    const second = await c.embed(["gamma", "delta", "beta"]);
    expect(inner.calls[1]).toEqual(["delta"]);
    expect(Array.from(second.subarray(0, 3))).toEqual(Array.from(first.subarray(9, 12)));
    // a fresh instance (as after a restart) reads the segments back
    const inner2 = new Counting();
    const c2 = new CachedEmbedder(inner2, root);
    const again = await c2.embed(["alpha", "beta", "alpha", "gamma"]);
    expect(inner2.calls).toEqual([]);
    expect(Buffer.from(again.buffer).equals(Buffer.from(first.buffer))).toBe(true);
    expect(c2.hits).toBe(4);
  });

  it("keeps embedders apart by id", async () => {
    const root = tmp();
    await new CachedEmbedder(new Counting("a"), root).embed(["x"]);
    const b = new Counting("b");
    await new CachedEmbedder(b, root).embed(["x"]);
    expect(b.calls).toEqual([["x"]]);
    expect(readdirSync(root).length).toBe(2);
  });

  it("ignores a torn or foreign segment and a leftover temporary file", async () => {
    const root = tmp();
    const c = new EmbeddingCache(root, "counting:v1", 3);
    await c.put([textKey("one"), textKey("two")], new Float32Array([1, 2, 3, 4, 5, 6]));
    const seg = readdirSync(c.dir).find((n) => n.endsWith(".seg"))!;
    const bytes = readFileSync(path.join(c.dir, seg));
    writeFileSync(path.join(c.dir, "00000000000000-torn.seg"), bytes.subarray(0, bytes.length - 5));
    writeFileSync(path.join(c.dir, "00000000000001-other-dim.seg"), Buffer.concat([bytes.subarray(0, 8), Buffer.from([9, 0, 0, 0]), bytes.subarray(12)]));
    writeFileSync(path.join(c.dir, `${seg}.tmp-123`), bytes.subarray(0, 20));
    const d = new EmbeddingCache(root, "counting:v1", 3);
    await d.load();
    expect(d.size).toBe(2);
    expect(Array.from(d.get(textKey("two"))!)).toEqual([4, 5, 6]);
  });

  it("merges many segments into one without losing entries", async () => {
    const root = tmp();
    const c = new EmbeddingCache(root, "m", 2);
    for (let i = 0; i < 40; i++) await c.put([textKey(`t${i}`)], new Float32Array([i, -i]));
    const d = new EmbeddingCache(root, "m", 2);
    await d.load();
    expect(readdirSync(d.dir).filter((n) => n.endsWith(".seg")).length).toBe(1);
    expect(d.size).toBe(40);
    expect(Array.from(d.get(textKey("t39"))!)).toEqual([39, -39]);
  });
});
