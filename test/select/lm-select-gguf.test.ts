/**
 * select --method perplexity with a local GGUF model: the tiny llama model the test writes
 * (test/lm/tiny-gguf.ts, logits computed by hand in plain TypeScript), opened in each worker
 * thread. The documents kept must be exactly those with the lowest perplexity by that hand
 * computation.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backendStatus } from "../../src/util/optional.js";
import { runSelect } from "../../src/pipelines/select/index.js";
import { requireTool } from "../helpers/system.js";
import { TinyModel, DEFAULT_TINY } from "../lm/tiny-gguf.js";

const present = requireTool("node-llama-cpp (datatailor backends install gguf)", backendStatus("gguf").source !== null);

describe.skipIf(!present)("perplexity selection with a local model (gguf:)", () => {
  it("keeps exactly the lowest-perplexity documents by the hand-computed log-probs, scored in two worker threads", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "dt-ppl-gguf-"));
    try {
      const tiny = new TinyModel();
      const model = path.join(dir, "tiny.gguf");
      tiny.write(model);
      const chars = [...DEFAULT_TINY.chars.replace("\n", "")];
      let seed = 11;
      const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
      const docs = Array.from({ length: 60 }, (_, i) => ({ id: `d${i}`, text: Array.from({ length: 5 + Math.floor(rnd() * 30) }, () => chars[Math.floor(rnd() * chars.length)]!).join("") }));
      writeFileSync(path.join(dir, "a.jsonl"), docs.slice(0, 30).map((d) => JSON.stringify(d)).join("\n") + "\n");
      writeFileSync(path.join(dir, "b.jsonl"), docs.slice(30).map((d) => JSON.stringify(d)).join("\n") + "\n");
      const out = path.join(dir, "out");
      const res = await runSelect({ method: "perplexity", lm: `gguf:${model}`, target: [], corpus: [path.join(dir, "a.jsonl"), path.join(dir, "b.jsonl")], out, keep: 0.2, keepBy: "docs", seed: 3, report: false, workers: 2 });
      expect(res.summary.kept).toBe(12);
      const mean = (text: string) => {
        const lp = tiny.referenceLogprobs(text);
        return lp.reduce((a, b) => a + b, 0) / lp.length;
      };
      const want = [...docs].sort((x, y) => mean(y.text) - mean(x.text)).slice(0, 12).map((d) => d.id).sort();
      const kept = ["a.jsonl", "b.jsonl"].flatMap((f) => readFileSync(path.join(out, "selected", f), "utf8").split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id));
      expect(kept.sort()).toEqual(want);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
