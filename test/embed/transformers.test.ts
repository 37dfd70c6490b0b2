import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createEmbedder } from "../../src/backends/embed/index.js";
import { writeTinyModel, type TinyModel } from "./tiny-model.js";

/** Mean of the token rows (tokens split on spaces, lower-cased, unknown → [UNK]), L2-normalised. */
function expected(m: TinyModel, text: string): number[] {
  const ids = text.toLowerCase().split(/\s+/).filter(Boolean).map((w) => m.vocab[w] ?? 0);
  const v = new Array(m.dim).fill(0);
  for (const id of ids) for (let k = 0; k < m.dim; k++) v[k] += m.W[id * m.dim + k]! / ids.length;
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / norm);
}

describe("transformers:<dir> embedder", () => {
  const parent = mkdtempSync(path.join(tmpdir(), "dt-tiny-model-"));
  const model = writeTinyModel(parent, "tiny", ["the", "cat", "sat", "on", "mat", "dog", "ran"], 6);

  it("embeds through transformers.js + onnxruntime with mean pooling over the mask and unit length", async () => {
    const e = await createEmbedder(`transformers:${model.dir}`, { seed: 0 });
    expect(e.dim).toBe(6);
    expect(e.id).toBe(`transformers:${model.dir}`);
    const texts = ["the cat sat on the mat", "dog", "The DOG ran zebra"];
    const got = await e.embed(texts);
    expect(got.length).toBe(texts.length * 6);
    texts.forEach((t, i) => {
      const want = expected(model, t);
      for (let k = 0; k < 6; k++) expect(got[i * 6 + k]).toBeCloseTo(want[k]!, 6);
    });
    await e.close?.();
  });

  it("names a missing file in a one-line error", async () => {
    await expect(createEmbedder(`transformers:${path.join(parent, "nope")}`, { seed: 0 })).rejects.toThrow(/config\.json is missing/);
  });
});
