/**
 * Files shared by a pool's threads (src/exec/shared-files.ts): one read for all threads, the
 * requested pad, a new read when the file is rewritten; and select's fastText models loaded
 * through it are used in place and predict exactly as a model read by one thread.
 */
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { publishSharedFile, SharedFileCache, sharedFileBytes } from "../../src/exec/shared-files.js";
import { ThreadPool } from "../../src/exec/pool.js";
import { FastText } from "../../src/backends/fasttext/index.js";
import { inputMatrixOffset } from "../../src/models/fasttext/index.js";
import { tmp } from "./files.js";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures/handlers.ts");

function checksum(b: Uint8Array): number {
  let sum = 0;
  for (const x of b) sum = (sum * 31 + x) >>> 0;
  return sum;
}

describe("shared files", () => {
  const dir = tmp("dt-shared-");
  const file = path.join(dir, "blob.bin");
  writeFileSync(file, Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) & 255)));

  it("reads a file once per version and pad, with the pad in front", async () => {
    const c = new SharedFileCache();
    const a = await c.get(file, 3);
    expect(a).toBe(await c.get(file, 3));
    expect(a.byteLength).toBe(100_003);
    expect([...new Uint8Array(a, 0, 3)]).toEqual([0, 0, 0]);
    expect(Buffer.from(new Uint8Array(a, 3)).equals(readFileSync(file))).toBe(true);
    expect(await c.get(file, 1)).not.toBe(a);
    // an atomic rewrite (new file renamed over the old) is read again
    const next = path.join(dir, ".blob.new");
    writeFileSync(next, "changed");
    renameSync(next, file);
    const b = await c.get(file, 3);
    expect(new TextDecoder().decode(new Uint8Array(b, 3))).toBe("changed");
    await expect(c.get(path.join(dir, "missing.bin"), 0)).rejects.toThrow(/ENOENT/);
    writeFileSync(file, Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) & 255)));
  });

  it("gives the main thread the process's one copy", async () => {
    const x = await sharedFileBytes(file, 1);
    expect(x.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(x.byteOffset).toBe(1);
    expect((await sharedFileBytes(file, 1)).buffer).toBe(x.buffer);
  });

  const pool = new ThreadPool(2, { handlers: [{ kind: "shared-file-probe", module: FIXTURES, exportName: "sharedFileProbe" }] });
  afterAll(() => pool.close());

  it("hands every pool thread the same bytes in shared memory", async () => {
    const spec = { kind: "shared-file-probe", inputRoot: dir, outDir: dir, params: { file, pad: 2 } };
    const results = await Promise.all([0, 1, 2, 3].map((index) => pool.run(spec, { index, shard: `s${index}` })));
    const want = { inPool: true, shared: true, offset: 2, length: 100_000, sum: checksum(readFileSync(file)) };
    for (const r of results) expect(r.summary).toEqual(want);
  });

  it("a fastText model from shared bytes uses its input matrix in place and predicts as loadFile", async () => {
    const data = Array.from({ length: 400 }, (_, i) => ({ labels: [i % 2 ? "__label__a" : "__label__b"], text: i % 2 ? `apple pie ${i % 13} oven bake` : `river boat ${i % 11} water sail` }));
    const model = path.join(dir, "m.bin");
    await (await FastText.train({ dim: 8, epoch: 5, wordNgrams: 2, bucket: 1000, thread: 1, seed: 1, minCount: 1 }, data)).saveFile(model);
    const pad = await FastText.alignedPad(model);
    expect((pad + inputMatrixOffset(readFileSync(model))) % 4).toBe(0);
    const bytes = new Uint8Array(await new SharedFileCache().get(model, pad), pad);
    const shared = FastText.fromSharedBytes(bytes, model);
    const own = await FastText.loadFile(model);
    const input = (shared.model as unknown as { input: { data: Float32Array } }).input.data;
    expect(input.buffer).toBe(bytes.buffer);
    for (const t of ["apple pie oven", "boat water", "unknown words here"]) expect(shared.predict(t, 2)).toEqual(own.predict(t, 2));
    // misaligned on purpose: still correct, the matrix is copied instead
    const off = new Uint8Array(await new SharedFileCache().get(model, (pad + 1) % 4), (pad + 1) % 4);
    const copied = FastText.fromSharedBytes(off, model);
    expect((copied.model as unknown as { input: { data: Float32Array } }).input.data.buffer).not.toBe(off.buffer);
    expect(copied.predict("apple pie oven", 2)).toEqual(own.predict("apple pie oven", 2));
  });

  it("a freshly trained model's own memory serves as its file: published once, read by nobody", async () => {
    const data = Array.from({ length: 200 }, (_, i) => ({ labels: [i % 2 ? "__label__a" : "__label__b"], text: i % 2 ? `apple pie ${i % 7}` : `river boat ${i % 5}` }));
    const ft = await FastText.train({ dim: 8, epoch: 2, wordNgrams: 2, bucket: 500, thread: 1, seed: 2, minCount: 1 }, data);
    const model = path.join(dir, "trained.bin");
    await ft.saveFile(model);
    const img = ft.model.image!;
    expect(Buffer.from(readFileSync(model)).equals(Buffer.from(img.bytes()))).toBe(true);
    await publishSharedFile(model, img.pad, img.buffer);
    // the pad a reader computes from the file is the image's, so it finds the published buffer
    const bytes = await sharedFileBytes(model, await FastText.alignedPad(model));
    expect(bytes.buffer).toBe(img.buffer);
    expect(FastText.fromSharedBytes(bytes).predict("apple pie", 1)).toEqual(ft.predict("apple pie", 1));
  });
});
