import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectFormat, discoverShards, globToRegExp } from "../../src/io/index.js";
import { tempDir } from "./helpers.js";

const t = tempDir();
afterAll(() => t.cleanup());

const FILES = [
  "corpus/b/2.jsonl.zst",
  "corpus/b/10.jsonl.zst",
  "corpus/a/x/deep.parquet",
  "corpus/a/1.jsonl",
  "corpus/a/1.json.gz",
  "corpus/A.jsonl",
  "corpus/README.md",
  "corpus/_SUCCESS",
  "corpus/.hidden.jsonl",
  "corpus/.cache/c.jsonl",
  "corpus/b/.part.jsonl.zst.tmp-1-ab",
  "other/z.ndjson",
];

beforeAll(() => {
  for (const f of FILES) {
    const p = path.join(t.dir, f);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, '{"text":"x"}\n');
  }
});

const rels = (d: { shards: Array<{ rel: string }> }) => d.shards.map((s) => s.rel);

describe("shard discovery", () => {
  it("walks a directory recursively, sorted by relative path, skipping non-shards and hidden entries", async () => {
    const d = await discoverShards([path.join(t.dir, "corpus")]);
    expect(d.root).toBe(path.join(t.dir, "corpus"));
    expect(rels(d)).toEqual(["A.jsonl", "a/1.json.gz", "a/1.jsonl", "a/x/deep.parquet", "b/10.jsonl.zst", "b/2.jsonl.zst"]);
    expect(d.shards.map((s) => s.format)).toEqual(["jsonl", "jsonl.gz", "jsonl", "parquet", "jsonl.zst", "jsonl.zst"]);
    expect(d.shards[0]!.bytes).toBe(13);
    expect(d.shards.every((s) => path.isAbsolute(s.path))).toBe(true);
    expect(d.skipped.map((s) => path.basename(s))).toEqual(["README.md", "_SUCCESS"]);
  });

  it("the order does not depend on the order of inputs; duplicates collapse; root is the common ancestor", async () => {
    const a = await discoverShards([path.join(t.dir, "other"), path.join(t.dir, "corpus/b"), path.join(t.dir, "corpus/b/2.jsonl.zst")]);
    const b = await discoverShards([path.join(t.dir, "corpus/b/2.jsonl.zst"), path.join(t.dir, "corpus/b"), path.join(t.dir, "other")]);
    expect(a).toEqual(b);
    expect(a.root).toBe(t.dir);
    expect(rels(a)).toEqual(["corpus/b/10.jsonl.zst", "corpus/b/2.jsonl.zst", "other/z.ndjson"]);
  });

  it("expands globs: *, **, ?, [..], {a,b}", async () => {
    const g = (p: string) => discoverShards([path.join(t.dir, p)]).then(rels);
    expect(await g("corpus/**/*.jsonl")).toEqual(["A.jsonl", "a/1.jsonl"]);
    expect(await g("corpus/*/*.jsonl*")).toEqual(["a/1.jsonl", "b/10.jsonl.zst", "b/2.jsonl.zst"]);
    expect(await g("corpus/b/?.jsonl.zst")).toEqual(["2.jsonl.zst"]);
    expect(await g("corpus/b/[0-9][0-9].jsonl.zst")).toEqual(["10.jsonl.zst"]);
    expect(await g("corpus/**/*.{parquet,gz}")).toEqual(["a/1.json.gz", "a/x/deep.parquet"]);
    expect(await g("corpus/**")).toEqual(["A.jsonl", "a/1.json.gz", "a/1.jsonl", "a/x/deep.parquet", "b/10.jsonl.zst", "b/2.jsonl.zst"]);
  });

  it("follows symlinks to files and directories without looping", async () => {
    const dir = path.join(t.dir, "links");
    mkdirSync(dir);
    symlinkSync(path.join(t.dir, "corpus/b"), path.join(dir, "b"));
    symlinkSync(dir, path.join(dir, "loop"));
    symlinkSync(path.join(t.dir, "other/z.ndjson"), path.join(dir, "z.jsonl"));
    symlinkSync(path.join(t.dir, "missing.jsonl"), path.join(dir, "dangling.jsonl"));
    expect(rels(await discoverShards([dir]))).toEqual(["b/10.jsonl.zst", "b/2.jsonl.zst", "z.jsonl"]);
  });

  it("clear errors: missing input, a named non-shard file, a directory or glob with no shards", async () => {
    await expect(discoverShards([path.join(t.dir, "nope")])).rejects.toThrow(/nope: no such file or directory/);
    await expect(discoverShards([path.join(t.dir, "corpus/README.md")])).rejects.toThrow(/README\.md: not a corpus shard/);
    mkdirSync(path.join(t.dir, "emptydir"));
    await expect(discoverShards([path.join(t.dir, "emptydir")])).rejects.toThrow(/no corpus shards in this directory/);
    await expect(discoverShards([path.join(t.dir, "corpus/*.txt")])).rejects.toThrow(/matched no corpus shards/);
    await expect(discoverShards([])).rejects.toThrow(/no corpus input/);
    const err: unknown = await discoverShards([path.join(t.dir, "nope")]).catch((e: unknown) => e);
    // A missing path is a failure (1), like a missing --target; a path of the wrong kind is usage (2).
    expect((err as { exitCode: number }).exitCode).toBe(1);
    const notShard: unknown = await discoverShards([path.join(t.dir, "corpus/README.md")]).catch((e: unknown) => e);
    expect((notShard as { exitCode: number }).exitCode).toBe(2);
  });

  it("detects formats from names", () => {
    expect(detectFormat("a.JSONL")).toBe("jsonl");
    expect(detectFormat("a.json.gz")).toBe("jsonl.gz");
    expect(detectFormat("a.jsonl.zstd")).toBe("jsonl.zst");
    expect(detectFormat("a.ndjson.zst")).toBe("jsonl.zst");
    expect(detectFormat("a.parquet")).toBe("parquet");
    expect(detectFormat("a.txt.gz")).toBeUndefined();
    expect(detectFormat("a.csv")).toBeUndefined();
  });

  it("glob regexps", () => {
    expect(globToRegExp("**/*.jsonl").test("x.jsonl")).toBe(true);
    expect(globToRegExp("**/*.jsonl").test("a/b/x.jsonl")).toBe(true);
    expect(globToRegExp("*.jsonl").test("a/x.jsonl")).toBe(false);
    expect(globToRegExp("[!a]*.jsonl").test("b.jsonl")).toBe(true);
    expect(globToRegExp("[!a]*.jsonl").test("a.jsonl")).toBe(false);
    expect(globToRegExp("a.b").test("axb")).toBe(false);
  });
});
