/**
 * A Hugging Face cache lays a dataset out as `snapshots/<rev>/<file>` symlinks into `blobs/<sha>`.
 * select must read such shards (given as a directory or named one by one) exactly as it reads the
 * real files, and write nothing outside --out.
 */
import { describe, expect, it } from "vitest";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, runCli } from "../helpers/cli.js";
import { LocalStorage } from "../../src/io/storage.js";

const DEMO = path.join(ROOT, "data/demo");
const SHARDS = ["books/gutenberg.00000.jsonl.zst", "math/svamp.00000.jsonl.gz", "reviews/movie-reviews.00000.jsonl.zst"];

/** Every file (not link) under dir with its size and mtime: proof that nothing was written there. */
function snapshotTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => path.join(e.parentPath, e.name))
    .map((p) => `${path.relative(dir, p)} ${statSync(p).size} ${statSync(p).mtimeMs}`)
    .sort();
}

function hfCache(): { base: string; plain: string; snapshot: string; blobs: string } {
  const base = mkdtempSync(path.join(os.tmpdir(), "dt-hfcache-"));
  const plain = path.join(base, "plain");
  const blobs = path.join(base, "hub/datasets--x--y/blobs");
  const snapshot = path.join(base, "hub/datasets--x--y/snapshots/0123abcd");
  mkdirSync(blobs, { recursive: true });
  SHARDS.forEach((rel, i) => {
    const sha = `b${i}f00d${"0".repeat(34)}`;
    copyFileSync(path.join(DEMO, "corpus", rel), path.join(blobs, sha));
    mkdirSync(path.dirname(path.join(snapshot, rel)), { recursive: true });
    // Relative links, as huggingface_hub makes them.
    symlinkSync(path.relative(path.dirname(path.join(snapshot, rel)), path.join(blobs, sha)), path.join(snapshot, rel));
    mkdirSync(path.dirname(path.join(plain, rel)), { recursive: true });
    copyFileSync(path.join(DEMO, "corpus", rel), path.join(plain, rel));
  });
  return { base, plain, snapshot, blobs };
}

const args = (corpus: string[], out: string) => [
  "select", "--method", "dsir", "--target", path.join(DEMO, "targets/gsm8k.jsonl"), "--corpus", ...corpus,
  "--out", out, "--keep", "0.3", "--seed", "1", "--sample", "300", "--holdout", "300", "--workers", "1", "--no-report", "--json",
];

describe("symlinked shards (Hugging Face cache layout)", () => {
  it("reads snapshots/ links into blobs/, as a directory and by name, with the same result as the real files", async () => {
    const c = hfCache();
    const before = snapshotTree(path.join(c.base, "hub"));
    const ref = await runCli(args([c.plain], path.join(c.base, "out-plain")));
    expect(ref.code, ref.stderr).toBe(0);
    const dir = await runCli(args([c.snapshot], path.join(c.base, "out-dir")));
    expect(dir.code, dir.stderr).toBe(0);
    const named = await runCli(args(SHARDS.map((s) => path.join(c.snapshot, s)), path.join(c.base, "out-named")));
    expect(named.code, named.stderr).toBe(0);
    const r = JSON.parse(ref.stdout);
    expect(r.read).toBeGreaterThan(100);
    for (const out of [dir, named]) {
      const j = JSON.parse(out.stdout);
      expect(j.read).toBe(r.read);
      expect(j.kept).toBe(r.kept);
      expect(j.rejected ?? 0).toBe(0);
    }
    // Outputs mirror the link names, under --out; the cache itself is untouched.
    expect(readdirSync(path.join(c.base, "out-dir/selected"), { recursive: true }).map(String).sort()).toEqual(
      readdirSync(path.join(c.base, "out-plain/selected"), { recursive: true }).map(String).sort(),
    );
    expect(snapshotTree(path.join(c.base, "hub"))).toEqual(before);
  }, 120_000);

  it("storage reads through links that leave the root but never writes through them", async () => {
    const c = hfCache();
    const s = new LocalStorage(c.snapshot);
    expect(statSync(s.resolveRead(SHARDS[0]!)).size).toBe(statSync(path.join(DEMO, "corpus", SHARDS[0]!)).size);
    // A write whose path goes through a link out of the root is refused.
    symlinkSync(c.blobs, path.join(c.snapshot, "escape"));
    await expect(s.writeAtomic("escape/pwned.txt", "x")).rejects.toThrow(/symlink outside/);
    expect(readdirSync(c.blobs)).toHaveLength(SHARDS.length);
  });
});
