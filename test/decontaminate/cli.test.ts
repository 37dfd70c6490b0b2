/**
 * `datatailor decontaminate` end to end on four shards in four formats (.jsonl with a bad line,
 * .jsonl.gz, .jsonl.zst, .parquet) holding planted benchmark items: the contaminated documents
 * are exactly those the Python reference finds; clean + contaminated = input, byte for byte
 * (every line or row in exactly one, in order; Parquet schema kept); contamination.parquet
 * names benchmark, item row and shared n-grams; 1 and 2 workers and two rank tasks + merge give
 * identical outputs; a rerun skips finished shards; bad input is counted (exit 3 under
 * --strict); a benchmark file in an unknown shape is one clear line listing the shapes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { compress, decompress } from "../helpers/zstd.js";
import { parquetWriteBuffer } from "hyparquet-writer";
import { readParquetColumns } from "../../src/io/parquet-read.js";
import { parquetSchemaOf } from "../../src/io/parquet-write.js";
import { runCli } from "../helpers/cli.js";
import { itemTexts, plantedDocs, writeBenchmarks } from "./fixture.js";
import { havePython, pythonHits } from "./python.js";

interface Doc {
  id: string;
  text: string;
}

let dir: string;
let bench: string[];
let items: string[];
let corpus: string;
/** Good docs in shard order (a, sub/b.gz, sub/c.zst, sub/d.parquet), with their shard and line. */
let docs: Array<Doc & { shard: string; line: number }>;

const SHARDS = ["a.jsonl", "sub/b.jsonl.gz", "sub/c.jsonl.zst", "sub/d.parquet"];

function lineOf(d: Doc, k: number): string {
  // unusual field order and spacing, so a byte-exact copy is distinguishable from a re-serialisation
  return `{"k": ${k},  "text": ${JSON.stringify(d.text)}, "id": ${JSON.stringify(d.id)}}`;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "dt-decon-"));
  bench = writeBenchmarks(path.join(dir, "bench"));
  items = await itemTexts(bench);
  // markup next to every planted item: the report's excerpts must show it as text
  const planted = plantedDocs(items, 120, 7, "<script>window.__injected = 1</script> ").map((p, k) => ({ id: `doc-${k}`, text: p.text }));
  corpus = path.join(dir, "corpus");
  mkdirSync(path.join(corpus, "sub"), { recursive: true });
  const parts = [planted.slice(0, 30), planted.slice(30, 60), planted.slice(60, 90), planted.slice(90)];
  docs = [];
  const a = parts[0]!.map(lineOf);
  a.splice(10, 0, '{"text": "broken');
  a.splice(20, 0, "");
  writeFileSync(path.join(corpus, SHARDS[0]!), a.join("\n") + "\n");
  a.forEach((l, i) => {
    if (l.startsWith('{"k"')) docs.push({ ...(JSON.parse(l) as Doc), shard: SHARDS[0]!, line: i + 1 });
  });
  writeFileSync(path.join(corpus, SHARDS[1]!), gzipSync(parts[1]!.map(lineOf).join("\n") + "\n"));
  writeFileSync(path.join(corpus, SHARDS[2]!), compress(Buffer.from(parts[2]!.map(lineOf).join("\n") + "\n")));
  for (const [s, part] of [[1, parts[1]!], [2, parts[2]!]] as const) part.forEach((d, i) => docs.push({ ...d, shard: SHARDS[s]!, line: i + 1 }));
  const p = parts[3]!;
  const buf = parquetWriteBuffer({
    columnData: [
      { name: "id", data: p.map((d) => d.id), type: "STRING" },
      { name: "text", data: p.map((d) => d.text), type: "STRING" },
      { name: "n", data: Int32Array.from(p.map((_, i) => i)), type: "INT32" },
    ],
  });
  writeFileSync(path.join(corpus, SHARDS[3]!), new Uint8Array(buf));
  p.forEach((d, i) => docs.push({ ...d, shard: SHARDS[3]!, line: i + 1 }));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(out: string, extra: string[] = []) {
  return runCli(["decontaminate", "--against", ...bench, "--corpus", corpus, "--out", path.join(dir, out), "--json", ...extra]);
}

/** Relative path → bytes of every file under the given subdirectories of an output. */
function files(out: string, subdirs: string[]): Map<string, string> {
  const m = new Map<string, string>();
  const walk = (abs: string, rel: string) => {
    for (const name of readdirSync(abs).sort()) {
      const a = path.join(abs, name);
      if (statSync(a).isDirectory()) walk(a, `${rel}/${name}`);
      else m.set(`${rel}/${name}`, readFileSync(a).toString("base64"));
    }
  };
  for (const s of subdirs) walk(path.join(dir, out, s), s);
  m.set("contamination.parquet", readFileSync(path.join(dir, out, "contamination.parquet")).toString("base64"));
  return m;
}

function textLines(file: string): string[] {
  let b: Buffer = readFileSync(file);
  if (file.endsWith(".gz")) b = gunzipSync(b);
  if (file.endsWith(".zst")) b = decompress(b);
  return b.toString("utf8").split("\n").filter((l) => l !== "");
}

/** True when `a` and `b` interleave, order kept, into exactly `all`. */
function isOrderedSplit(all: string[], a: string[], b: string[]): boolean {
  let i = 0;
  let j = 0;
  for (const l of all) {
    if (i < a.length && a[i] === l) i++;
    else if (j < b.length && b[j] === l) j++;
    else return false;
  }
  return i === a.length && j === b.length;
}

describe("datatailor decontaminate", () => {
  let json: Record<string, unknown>;
  beforeAll(async () => {
    const r = await run("w1", ["--workers", "1"]);
    expect(r.code, r.stderr).toBe(0);
    json = JSON.parse(r.stdout) as Record<string, unknown>;
  }, 120_000);

  it("counts reconcile and bad input is counted with file and line", () => {
    expect(json).toMatchObject({ shards: 4, read: docs.length + 1, rejected: 1, reconciled: true });
    expect((json.clean as number) + (json.contaminated as number)).toBe(docs.length);
    const stats = JSON.parse(readFileSync(path.join(dir, "w1/stats.json"), "utf8"));
    expect(stats.reconciled).toBe(true);
    expect(stats.bad_input.examples[0]).toMatchObject({ file: "a.jsonl", line: 11, reason: "invalid_json" });
    expect(stats.steps.map((s: { name: string }) => s.name)).toHaveLength(3);
    expect(stats.steps[1].stats.dropped_contaminated).toBe(json.contaminated);
  });

  it.skipIf(!havePython)("contaminated documents and every hit row equal the Python reference", () => {
    const itemsFile = path.join(dir, "items.jsonl");
    const docsFile = path.join(dir, "docs.jsonl");
    writeFileSync(itemsFile, items.map((t) => JSON.stringify({ text: t })).join("\n") + "\n");
    writeFileSync(docsFile, docs.map((d) => JSON.stringify({ text: d.text })).join("\n") + "\n");
    const py = pythonHits(itemsFile, docsFile, 13);
    const expected: string[] = [];
    py.forEach((hits, k) => {
      for (const [item, ngrams] of hits) expected.push(`${docs[k]!.id} ${docs[k]!.shard}:${docs[k]!.line} item ${item} ${ngrams}`);
    });
    expect(expected.length).toBeGreaterThan(60);
    // item number → (benchmark, row): files in order, rows in order (all records fit their shape here)
    const rowsPer = bench.map((f) => readFileSync(f, "utf8").split("\n").filter(Boolean).length);
    const names = ["arc-challenge", "nq_open", "boolq"];
    const itemOf = (b: string, row: number) => names.slice(0, names.indexOf(b)).reduce((a, _, i) => a + rowsPer[i]!, 0) + row;
    const t = readParquetColumns(path.join(dir, "w1/contamination.parquet")) as Promise<Record<string, unknown[]>>;
    return t.then((c) => {
      const got = c.id!.map((id, r) => `${id} ${c.shard![r]}:${c.line![r]} item ${itemOf(String(c.benchmark![r]), Number(c.item_index![r]))} ${c.ngrams![r]}`);
      expect(got.sort()).toEqual(expected.sort());
      expect(json.contaminated).toBe(py.filter((h) => h.length > 0).length);
      expect(new Set(c.match)).toEqual(new Set(["ngram", "whole"]));
      expect(c.item_id!.some((x) => typeof x === "string" && x.startsWith("Mercury_"))).toBe(true);
    });
  });

  it("clean + contaminated = input, byte for byte, in every format", async () => {
    const out = path.join(dir, "w1");
    for (const s of SHARDS.slice(0, 3)) {
      const input = textLines(path.join(corpus, s)).filter((l) => l.startsWith('{"k"'));
      const clean = textLines(path.join(out, "clean", s));
      const dirty = textLines(path.join(out, "contaminated", s));
      expect(clean.length + dirty.length, s).toBe(input.length);
      expect(dirty.length, s).toBeGreaterThan(0);
      expect(isOrderedSplit(input, clean, dirty), s).toBe(true);
    }
    const pq = async (f: string) => readParquetColumns(f);
    const inRows = await pq(path.join(corpus, SHARDS[3]!));
    const c = await pq(path.join(out, "clean", SHARDS[3]!));
    const d = await pq(path.join(out, "contaminated", SHARDS[3]!));
    const rowsOf = (t: Record<string, unknown[]>) => t.id!.map((id, i) => JSON.stringify([id, t.text![i], t.n![i]]));
    expect(isOrderedSplit(rowsOf(inRows), rowsOf(c), rowsOf(d))).toBe(true);
    expect(await parquetSchemaOf(path.join(out, "clean", SHARDS[3]!))).toEqual(await parquetSchemaOf(path.join(corpus, SHARDS[3]!)));
  });

  it("writes an escaped report with side-by-side examples", () => {
    const html = readFileSync(path.join(dir, "w1/report.html"), "utf8");
    expect(html).toContain("<mark");
    expect(html).toContain("arc-challenge");
    expect(html).not.toContain("<script>window");
    expect(html).toContain("&lt;script&gt;window");
  });

  it("2 workers, a rerun, and two rank tasks + merge give identical outputs", async () => {
    const subdirs = ["clean", "contaminated", "hits"];
    const base = files("w1", subdirs);
    const r2 = await run("w2", ["--workers", "2"]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(files("w2", subdirs)).toEqual(base);

    const again = await run("w1", ["--workers", "2"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ skippedShards: 4, index: { reused: true } });
    expect(files("w1", subdirs)).toEqual(base);

    for (const rank of [0, 1]) {
      const r = await run("ranks", ["--executor", "rank", "--rank", String(rank), "--world", "2", "--workers", "1"]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ partial: true });
    }
    const m = await runCli(["merge", "--out", path.join(dir, "ranks"), "--json"]);
    expect(m.code, m.stderr).toBe(0);
    expect(files("ranks", subdirs)).toEqual(base);
    const s1 = JSON.parse(readFileSync(path.join(dir, "w1/stats.json"), "utf8"));
    const sr = JSON.parse(readFileSync(path.join(dir, "ranks/stats.json"), "utf8"));
    expect(sr.totals).toEqual(s1.totals);
    expect(sr.steps.map((s: { stats: unknown }) => s.stats)).toEqual(s1.steps.map((s: { stats: unknown }) => s.stats));
    expect(readFileSync(path.join(dir, "ranks/report.html"), "utf8")).toContain("<mark");
  }, 240_000);

  it("--strict stops at the bad line with exit 3; an unknown benchmark shape is one line listing the shapes", async () => {
    const strict = await run("strict", ["--strict"]);
    expect(strict.code).toBe(3);
    expect(strict.stderr).toMatch(/a\.jsonl.*line 11/);
    const weird = path.join(dir, "weird.jsonl");
    writeFileSync(weird, '{"foo": 1, "bar": "x"}\n');
    const r = await runCli(["decontaminate", "--against", weird, "--corpus", corpus, "--out", path.join(dir, "weird")]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines[lines.length - 1]).toMatch(/weird\.jsonl:1: unknown benchmark shape \(fields: foo, bar\); supported shapes: .*hf-arc.*boolq/);
    const usage = await runCli(["decontaminate", "--corpus", corpus, "--out", path.join(dir, "u")]);
    expect(usage.code).toBe(2);
  }, 120_000);
});
