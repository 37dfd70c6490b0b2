/**
 * lm train's two counting threads: the partition counted on the worker thread joins the one
 * counted on the main thread into the same model, so the ARPA is byte for byte the one counted
 * on one thread, and matches lmplz's reference (../shared/data/lm/kenlm-shakespeare, written by
 * KenLM) entry for entry, pruned too; lmplz's discount error and the memory budget still stop it.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CountThread, trainNgramThreaded } from "../../src/backends/lm/ngram-train.js";
import { arpaChunks } from "../../src/models/ngram/arpa-write.js";
import { DiscountError } from "../../src/models/ngram/discount.js";
import { MemoryBudgetError } from "../../src/models/ngram/memory.js";
import { trainNgram, type TrainedModel, type TrainOptions } from "../../src/models/ngram/train.js";
import { runCli, SHARED_DATA } from "../helpers/cli.js";
import { readArpaText } from "./ngram-arpa-text.js";

const REF = path.join(SHARED_DATA, "lm/kenlm-shakespeare");
const arpa = (m: TrainedModel) => Buffer.concat([...arpaChunks(m.trie, m.estimate, m.vocab)]);

/** trainNgramThreaded with the thread forced on (any text size), closed afterwards. */
async function trainThreaded(text: Buffer, opts: TrainOptions): Promise<TrainedModel> {
  const thread = new CountThread();
  try {
    return await trainNgramThreaded(text, opts, thread, 0);
  } finally {
    await thread.close();
  }
}

describe("lm train on two threads", () => {
  const text = readFileSync(path.join(REF, "train.txt"));

  it("order 5 on Tiny Shakespeare: the same bytes as one thread, and lmplz's entries", async () => {
    const threaded = arpa(await trainThreaded(text, { order: 5 }));
    expect(threaded.equals(arpa(trainNgram(text, { order: 5 })))).toBe(true);
    const ref = readArpaText(path.join(REF, "shakespeare.o5.arpa.gz"));
    const ours = readArpaText(threaded.toString("utf8"), true);
    expect(ours.counts).toEqual(ref.counts);
    expect([...ref.entries.keys()].filter((k) => !ours.entries.has(k))).toEqual([]);
    let worst = 0;
    for (const [k, r] of ref.entries) {
      const o = ours.entries.get(k)!;
      worst = Math.max(worst, Math.abs(r.prob - o.prob), Math.abs(r.backoff - o.backoff));
    }
    expect(worst).toBeLessThan(1e-4);
  });

  it("--prune 0 1 1 2 (order 4): the same bytes as one thread", async () => {
    const opts = { order: 4, prune: [0, 1, 1, 2] };
    const threaded = arpa(await trainThreaded(text, opts));
    expect(threaded.equals(arpa(trainNgram(text, opts)))).toBe(true);
  });

  it("lmplz's discount error on a tiny text without --discount-fallback", async () => {
    const tiny = readFileSync(path.join(REF, "tiny.txt"));
    await expect(trainThreaded(tiny, { order: 3 })).rejects.toBeInstanceOf(DiscountError);
  });

  it("the CLI writes the one-thread bytes (with the thread forced: train-pipeline.test.ts)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "dt-ngram-threads-"));
    try {
      const out = path.join(dir, "o5.arpa");
      const r = await runCli(["lm", "train", "-o", "5", "--text", path.join(REF, "train.txt"), "--output", out]);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(out).equals(arpa(trainNgram(text, { order: 5 })))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a memory budget too small stops counting with MemoryBudgetError", async () => {
    const run = trainThreaded(text, { order: 5, memory: 8 << 20 });
    await expect(run).rejects.toBeInstanceOf(MemoryBudgetError);
    await expect(run).rejects.toThrow(/memory budget of 8\.0 MiB/);
  });
});
