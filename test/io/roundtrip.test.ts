import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gunzipSync } from "node:zlib";
import { decompress } from "../helpers/zstd.js";
import { openRecordWriter, readParquetColumns, shardFromPath, writeParquetColumns, type ShardFormat } from "../../src/io/index.js";
import { encode, readAll, tempDir } from "./helpers.js";

const t = tempDir();
afterAll(() => t.cleanup());

// Unknown fields of every JSON kind, odd number spellings, unicode, escapes.
const LINES = [
  '{"id":"doc-1","text":"Hello\\nworld","metadata":{"url":"https://e.x/a","score":0.25},"lang":"en","n":1.50,"tags":["a","b"]}',
  '{"text":"ünïcödé 😀 \\u00e9","flag":true,"nothing":null,"deep":{"a":[{"b":1e3}]}}',
  '{"id":42,"text":"<script>alert(1)</script>","n":-2.5e-3,"lang":"fr"}',
];
const SOURCE = LINES.join("\n") + "\n";

function decoded(file: string, format: ShardFormat): string {
  const b = readFileSync(file);
  return (format === "jsonl.gz" ? gunzipSync(b) : format === "jsonl.zst" ? decompress(b) : b).toString();
}

describe("record round trips", () => {
  for (const format of ["jsonl", "jsonl.gz", "jsonl.zst"] as ShardFormat[]) {
    it(`${format} → ${format} passes every line through byte for byte`, async () => {
      const src = path.join(t.dir, `src.${format}`);
      writeFileSync(src, encode(SOURCE, format));
      const { records } = await readAll(src);
      const out = path.join(t.dir, "out", `copy.${format}`);
      const w = await openRecordWriter(out, format);
      for (const r of records) await w.write(r);
      expect(w.count).toBe(3);
      await w.commit();
      expect(decoded(out, format)).toBe(SOURCE);
    });
  }

  it("records without raw bytes are serialised from their fields", async () => {
    const out = path.join(t.dir, "fields.jsonl.zst");
    const w = await openRecordWriter(out, "jsonl.zst");
    await w.write({ id: "x", text: "t", fields: { text: "t", big: 12345678901234567890n, small: 5n }, line: 1 });
    await w.commit();
    expect(decoded(out, "jsonl.zst")).toBe('{"text":"t","big":"12345678901234567890","small":5}\n');
  });

  it("JSONL → Parquet → JSONL keeps every field and value", async () => {
    const src = path.join(t.dir, "mix.jsonl");
    writeFileSync(src, SOURCE);
    const { records } = await readAll(src);
    const pq = path.join(t.dir, "mix.parquet");
    const w = await openRecordWriter(pq, "parquet");
    for (const r of records) await w.write(r);
    await w.commit();
    const back = await readAll(pq);
    expect(back.bad.total).toBe(0);
    expect(back.records.map((r) => r.id)).toEqual(["doc-1", "mix.parquet:2", "42"]);
    const original = LINES.map((l) => JSON.parse(l) as Record<string, unknown>);
    back.records.forEach((r, i) => {
      // Parquet has a fixed column set: fields a record lacked come back as null, nothing else changes.
      const expected: Record<string, unknown> = {};
      for (const k of Object.keys(r.fields)) expected[k] = k in original[i]! ? original[i]![k] : null;
      expect(r.fields).toEqual(expected);
      for (const k of Object.keys(original[i]!)) expect(k in r.fields).toBe(true);
    });
    // Parquet → JSONL (no raw bytes): fields serialised, parse back equal.
    const j = path.join(t.dir, "back.jsonl");
    const w2 = await openRecordWriter(j, "jsonl");
    for (const r of back.records) await w2.write(r);
    await w2.commit();
    const again = await readAll(j);
    expect(again.records.map((r) => r.fields)).toEqual(back.records.map((r) => r.fields));
  });

  it("Parquet → Parquet with `like` keeps the source schema, across several row groups", async () => {
    const n = 2500;
    const pq = path.join(t.dir, "typed.parquet");
    await writeParquetColumns(
      pq,
      {
        id: Array.from({ length: n }, (_, i) => `r${i}`),
        text: Array.from({ length: n }, (_, i) => `text ${i}`),
        count: Int32Array.from({ length: n }, (_, i) => i),
        big: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 1000000007n),
        score: Float64Array.from({ length: n }, (_, i) => i / 7),
        keep: Array.from({ length: n }, (_, i) => i % 3 === 0),
      },
      { rowGroupSize: 1000 },
    );
    const shard = await shardFromPath(pq);
    const { records } = await readAll(shard);
    expect(records).toHaveLength(n);
    const out = path.join(t.dir, "typed-copy.parquet");
    const w = await openRecordWriter(out, "parquet", { like: shard, rowGroupSize: 700 });
    for (const r of records) await w.write(r);
    await w.commit();
    const a = await readParquetColumns(pq);
    const b = await readParquetColumns(out);
    expect(b).toEqual(a);
    expect(typeof b.big![5]).toBe("bigint");
    expect(typeof b.count![5]).toBe("number");
  });

  it("writeParquetColumns: score tables with nulls read back exactly", async () => {
    const p = path.join(t.dir, "scores", "s.parquet");
    const cols = {
      id: ["a", "b", "c"],
      shard: ["x.jsonl", "x.jsonl", "y.jsonl"],
      score: Float64Array.from([0.5, -1.25, 3]),
      kept: [true, false, true],
      benchmark: ["arc", null, "sciq"],
      rank: [1, 2, 3],
    };
    await writeParquetColumns(p, cols, { types: { rank: "INT32" } });
    const back = await readParquetColumns(p);
    expect(back).toEqual({ ...cols, score: [0.5, -1.25, 3] });
    expect(await readParquetColumns(p, ["score", "id"])).toEqual({ score: [0.5, -1.25, 3], id: ["a", "b", "c"] });
    await expect(readParquetColumns(p, ["nope"])).rejects.toThrow(/no column "nope"/);
    // Nothing but the final file is left behind.
    expect(readdirSync(path.dirname(p))).toEqual(["s.parquet"]);
  });

  it("an empty record writer still commits a valid file", async () => {
    for (const format of ["jsonl", "jsonl.gz", "jsonl.zst", "parquet"] as ShardFormat[]) {
      const out = path.join(t.dir, "empty-out", `e.${format}`);
      const w = await openRecordWriter(out, format);
      await w.commit();
      const back = await readAll(out);
      expect(back.records).toEqual([]);
      expect(back.bad.total).toBe(0);
      expect(back.stats).toMatchObject({ read: 0, rejected: 0 });
    }
  });

  it("abort() leaves nothing behind", async () => {
    const dir = path.join(t.dir, "aborted");
    for (const format of ["jsonl", "jsonl.gz", "jsonl.zst", "parquet"] as ShardFormat[]) {
      const w = await openRecordWriter(path.join(dir, `a.${format}`), format);
      await w.write({ id: "1", text: "x", fields: { text: "x" }, line: 1 });
      await w.abort();
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});
