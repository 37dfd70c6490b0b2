/**
 * select checks what it can before reading the corpus: a malformed --embedder is a usage error
 * (exit 2, one line) before any sampling, so a typo costs nothing.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

describe("select early checks", () => {
  it("rejects an unknown or malformed --embedder before sampling", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "dt-early-"));
    writeFileSync(path.join(dir, "t.jsonl"), '{"text": "what is a prime number"}\n');
    writeFileSync(path.join(dir, "c.jsonl"), Array.from({ length: 50 }, (_, i) => JSON.stringify({ text: `document ${i} about numbers` })).join("\n") + "\n");
    for (const spec of ["bogus:12", "lsa:abc", "transformers:"]) {
      const out = path.join(dir, `out-${spec.replace(/\W/g, "_")}`);
      const r = await runCli(["select", "--target", path.join(dir, "t.jsonl"), "--corpus", path.join(dir, "c.jsonl"), "--out", out, "--embedder", spec]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(path.join(out, "model", "sample.json"))).toBe(false);
    }
  }, 120_000);
});
