/**
 * Streaming bound: reading a ~200 MB (decompressed) .jsonl.zst keeps RSS growth far below the
 * data size, i.e. records are not accumulated anywhere on the way.
 */
import { writeFileSync } from "node:fs";
import { once } from "node:events";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BadInputLog, openShard, shardFromPath } from "../../src/io/index.js";
import { compressToFile } from "../helpers/zstd.js";
import { tempDir } from "./helpers.js";

const t = tempDir();
afterAll(() => t.cleanup());

const DOCS = 100_000;
const DOC_CHARS = 2000;

async function generate(file: string): Promise<number> {
  const { stream: zst, closed } = compressToFile(file, 1);
  const words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"];
  let bytes = 0;
  let seed = 12345;
  // A few hundred distinct texts, reused: generating 200 MB of fresh text would dominate the test.
  const texts = Array.from({ length: 257 }, () => {
    let text = "";
    while (text.length < DOC_CHARS) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      text += words[seed % 10] + " ";
    }
    return text;
  });
  for (let i = 0; i < DOCS; i += 1000) {
    const lines: string[] = [];
    for (let j = i; j < i + 1000; j++) lines.push(JSON.stringify({ id: `d${j}`, text: texts[j % 257], metadata: { n: j } }));
    const chunk = Buffer.from(lines.join("\n") + "\n");
    bytes += chunk.length;
    if (!zst.write(chunk)) await once(zst, "drain");
  }
  zst.end();
  await closed;
  return bytes;
}

describe("streaming memory bound", () => {
  it("reads a ~200 MB .jsonl.zst with RSS growth far below its size", async () => {
    const file = path.join(t.dir, "big.jsonl.zst");
    const bytes = await generate(file);
    expect(bytes).toBeGreaterThan(195e6);
    // Warm up (code loaded, JIT compiled, young generation sized) on a small file first.
    const small = path.join(t.dir, "small.jsonl");
    writeFileSync(small, '{"text":"warm up"}\n'.repeat(20_000));
    for await (const r of openShard(await shardFromPath(small), { bad: new BadInputLog() }).records()) void r;
    const base = process.memoryUsage().rss;
    let peak = base;
    let n = 0;
    let chars = 0;
    const reader = openShard(await shardFromPath(file), { bad: new BadInputLog() });
    for await (const batch of reader.batches()) {
      n += batch.length;
      for (const r of batch) chars += r.text.length;
      const rss = process.memoryUsage().rss;
      if (rss > peak) peak = rss;
    }
    expect(n).toBe(DOCS);
    expect(reader.stats).toMatchObject({ read: DOCS, rejected: 0 });
    expect(chars).toBeGreaterThanOrEqual(DOCS * DOC_CHARS);
    const growth = peak - base;
    // 200 MB of data; a streaming reader holds a few MB of chunks plus garbage not yet
    // collected (V8's young generation alone may take ~50 MB). Measured: ~50 MB.
    expect(growth).toBeLessThan(90e6);
  });
});
