/**
 * Parquet parity with a second implementation: DuckDB writes shards (zstd/snappy, nested
 * list/struct columns, several row groups) that we read, and reads back what we write. Needs the
 * duckdb backend (`datatailor backends install duckdb`): skipped locally without it, a failure under CI=true.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DuckDbInstance } from "../../src/backends/duckdb-table.js";
import { duckdbPresent, loadDuckdb } from "../helpers/duckdb.js";
import { openRecordWriter, shardFromPath, writeParquetColumns } from "../../src/io/index.js";
import { readAll, tempDir } from "./helpers.js";

const t = tempDir();
const present = duckdbPresent();
let instance: DuckDbInstance;
afterAll(() => {
  instance?.closeSync();
  t.cleanup();
});

async function sql<T = Record<string, unknown>>(q: string): Promise<T[]> {
  const con = await instance.connect();
  try {
    return (await con.runAndReadAll(q)).getRowObjectsJS() as T[];
  } finally {
    con.closeSync();
  }
}

beforeAll(async () => {
  if (present) instance = await (await loadDuckdb()).DuckDBInstance.create(":memory:");
});

describe.skipIf(!present)("Parquet against DuckDB", () => {
  it("reads a DuckDB-written shard with nested columns and many row groups", async () => {
    const file = path.join(t.dir, "duck.parquet");
    await sql(`COPY (
        SELECT 'd' || i AS id, 'text of ' || i AS text,
               {'url': 'https://x/' || i, 'len': i} AS metadata,
               [i, i + 1] AS nums, i * 0.5 AS score,
               CASE WHEN i % 10 = 0 THEN NULL ELSE 'en' END AS lang
        FROM range(5000) t(i)
      ) TO '${file}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1024)`);
    const { records, bad, stats } = await readAll(file);
    expect(bad.total).toBe(0);
    expect(stats.read).toBe(5000);
    expect(records[7]).toMatchObject({ id: "d7", text: "text of 7", line: 8, metadata: { url: "https://x/7" } });
    expect(records[7]!.fields.nums).toEqual([7n, 8n]);
    expect(records[10]!.fields.lang).toBeNull();
    expect(records[4999]!.fields.score).toBe(2499.5);

    // Parquet → Parquet with the source schema; DuckDB sees the same table.
    const out = path.join(t.dir, "copy.parquet");
    const w = await openRecordWriter(out, "parquet", { like: await shardFromPath(file) });
    for (const r of records) await w.write(r);
    await w.commit();
    const diff = await sql<{ n: bigint }>(
      `SELECT count(*) AS n FROM (SELECT * FROM '${file}' EXCEPT ALL SELECT * FROM '${out}')`,
    );
    expect(Number(diff[0]!.n)).toBe(0);
    const cnt = await sql<{ n: bigint }>(`SELECT count(*) AS n FROM '${out}'`);
    expect(Number(cnt[0]!.n)).toBe(5000);
  });

  it("DuckDB reads score tables and inferred record shards we write", async () => {
    const p = path.join(t.dir, "scores.parquet");
    await writeParquetColumns(p, {
      id: ["a", "b", "c"],
      score: Float64Array.from([0.1, 0.2, 0.3]),
      kept: [true, false, true],
      benchmark: ["arc", null, "sciq"],
    });
    const rows = await sql(`SELECT id, score, kept, benchmark FROM '${p}' ORDER BY id`);
    expect(rows).toEqual([
      { id: "a", score: 0.1, kept: true, benchmark: "arc" },
      { id: "b", score: 0.2, kept: false, benchmark: null },
      { id: "c", score: 0.3, kept: true, benchmark: "sciq" },
    ]);
    const recs = path.join(t.dir, "recs.parquet");
    const w = await openRecordWriter(recs, "parquet");
    await w.write({ id: "1", text: "héllo", fields: { id: "1", text: "héllo", n: 3, meta: { k: [1, 2] } }, line: 1 });
    await w.write({ id: "2", text: "w", fields: { id: "2", text: "w", n: 4.5 }, line: 2 });
    await w.commit();
    const back = await sql(`SELECT id, text, n, CAST(meta AS VARCHAR) AS meta FROM '${recs}' ORDER BY id`);
    expect(back).toEqual([
      { id: "1", text: "héllo", n: 3, meta: '{"k":[1,2]}' },
      { id: "2", text: "w", n: 4.5, meta: null },
    ]);
  });
});
