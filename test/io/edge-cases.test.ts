import { writeFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BadInputLog, openShard, shardFromPath, writeParquetColumns } from "../../src/io/index.js";
import { encode, readAll, tempDir } from "./helpers.js";

const t = tempDir();
afterAll(() => t.cleanup());

describe("more malformed input", () => {
  it("corrupt zstd data is reported as corrupt_stream after the good lines", async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ text: `doc ${i} ${"abc".repeat(i % 50)}` }));
    const z = encode(lines.join("\n") + "\n", "jsonl.zst");
    for (let i = Math.floor(z.length / 2); i < z.length / 2 + 64; i++) z[i] ^= 0x5a;
    const file = path.join(t.dir, "corrupt.jsonl.zst");
    writeFileSync(file, z);
    const { records, bad, stats } = await readAll(file);
    expect(records.length).toBeLessThan(3000);
    expect(bad.examples()).toEqual([expect.objectContaining({ file: "corrupt.jsonl.zst", reason: "corrupt_stream" })]);
    expect(stats.read).toBe(records.length + 1);
  });

  it("a truncated Parquet file is one corrupt_stream at line 0; a Parquet without text rejects each row", async () => {
    const good = path.join(t.dir, "good.parquet");
    await writeParquetColumns(good, { text: ["a", "b", "c"], id: ["1", "2", "3"] });
    const cut = path.join(t.dir, "cut.parquet");
    const bytes = readFileSync(good);
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    const a = await readAll(cut);
    expect(a.records).toEqual([]);
    expect(a.bad.examples()).toEqual([expect.objectContaining({ file: "cut.parquet", line: 0, reason: "corrupt_stream" })]);
    expect(a.stats).toMatchObject({ read: 1, rejected: 1 });

    const notext = path.join(t.dir, "notext.parquet");
    await writeParquetColumns(notext, { body: ["a", "b"], n: [1, 2] });
    const b = await readAll(notext);
    expect(b.bad.examples().map((e) => [e.line, e.reason])).toEqual([
      [1, "missing_text"],
      [2, "missing_text"],
    ]);
    expect(b.stats).toMatchObject({ read: 2, rejected: 2 });
  });

  it("a different text field and id field can be named", async () => {
    const file = path.join(t.dir, "pile.jsonl");
    writeFileSync(file, '{"contents":"hello","doc_id":"p1"}\n{"contents":"world"}\n');
    const reader = openShard(await shardFromPath(file), { bad: new BadInputLog(), textField: "contents", idField: "doc_id" });
    const recs = [];
    for await (const r of reader) recs.push(r);
    expect(recs.map((r) => [r.id, r.text])).toEqual([
      ["p1", "hello"],
      ["pile.jsonl:2", "world"],
    ]);
  });

  it("an aborted signal stops reading promptly", async () => {
    const file = path.join(t.dir, "many.jsonl");
    writeFileSync(file, '{"text":"x"}\n'.repeat(300_000));
    const ac = new AbortController();
    const reader = openShard(await shardFromPath(file), { bad: new BadInputLog(), signal: ac.signal });
    let n = 0;
    const err = await (async () => {
      for await (const batch of reader.batches()) {
        n += batch.length;
        ac.abort(new Error("stop"));
      }
    })().catch((e: unknown) => e);
    expect((err as Error).message).toBe("stop");
    expect(n).toBeLessThan(300_000);
  });

  it("a reader can only be iterated once", async () => {
    const file = path.join(t.dir, "once.jsonl");
    writeFileSync(file, '{"text":"x"}\n');
    const reader = openShard(await shardFromPath(file), { bad: new BadInputLog() });
    for await (const r of reader.records()) void r;
    await expect(reader.records().next()).rejects.toThrow(/only be iterated once/);
  });
});

describe("runaway lines", () => {
  it("lines over maxLineBytes are rejected as line_too_long, within a chunk and across chunks, without buffering them", async () => {
    const file = path.join(t.dir, "long-lines.jsonl");
    const huge = JSON.stringify({ text: "y".repeat(3_000_000) }); // spans several 1 MB read chunks
    writeFileSync(file, `{"text":"a"}\n${JSON.stringify({ text: "x".repeat(5000) })}\n${huge}\n{"text":"b"}\n${huge}`);
    const bad = new BadInputLog();
    const reader = openShard(await shardFromPath(file), { bad, maxLineBytes: 2_000_000 });
    const texts: string[] = [];
    for await (const r of reader) texts.push(r.text.length > 10 ? `len${r.text.length}` : r.text);
    expect(texts).toEqual(["a", "len5000", "b"]);
    expect(bad.examples().map((e) => [e.line, e.reason])).toEqual([
      [3, "line_too_long"],
      [5, "line_too_long"],
    ]);
    expect(reader.stats).toMatchObject({ read: 5, rejected: 2 });

    const small = openShard(await shardFromPath(file), { bad: new BadInputLog(), maxLineBytes: 1000 });
    const kept: string[] = [];
    for await (const r of small) kept.push(r.text);
    expect(kept).toEqual(["a", "b"]);
  });
});

describe("files that are not JSON lines", () => {
  it("a pretty-printed JSON array or object is one not_jsonl reject, not one per line", async () => {
    for (const [name, content] of [
      ["array.json", JSON.stringify([{ text: "a" }, { text: "b" }], null, 2)],
      ["object.json", JSON.stringify({ data: [{ text: "a" }] }, null, 2)],
      ["array.jsonl.zst", encode(JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ text: `t${i}` })), null, 1), "jsonl.zst")],
    ] as const) {
      const file = path.join(t.dir, name);
      writeFileSync(file, content);
      const { records, bad, stats } = await readAll(file);
      expect(records).toEqual([]);
      expect(bad.examples().map((e) => [e.file, e.line, e.reason])).toEqual([[name, 1, "not_jsonl"]]);
      expect(stats).toMatchObject({ read: 1, rejected: 1 });
    }
  });

  it("a broken first line of a real JSONL file is still an ordinary invalid_json", async () => {
    const file = path.join(t.dir, "broken-first.jsonl");
    writeFileSync(file, '{"text": "a"\n{"text":"b"}\n');
    const { records, bad } = await readAll(file);
    expect(records.map((r) => r.text)).toEqual(["b"]);
    expect(bad.examples().map((e) => e.reason)).toEqual(["invalid_json"]);
  });
});

describe("Parquet column selection", () => {
  it("columns: reads only the named columns plus text and id", async () => {
    const file = path.join(t.dir, "wide.parquet");
    await writeParquetColumns(file, { id: ["1", "2"], text: ["a", "b"], big: ["x".repeat(100), "y"], n: Float64Array.from([1, 2]) });
    const reader = openShard(await shardFromPath(file), { bad: new BadInputLog(), columns: ["n", "missing"] });
    const recs = [];
    for await (const r of reader) recs.push(r);
    expect(recs.map((r) => r.fields)).toEqual([
      { n: 1, text: "a", id: "1" },
      { n: 2, text: "b", id: "2" },
    ]);
    expect(recs.map((r) => r.id)).toEqual(["1", "2"]);
  });
});
