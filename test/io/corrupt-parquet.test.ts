/**
 * A truncated or corrupt .parquet shard is bad input, not a crash: select counts it (file,
 * reason) and goes on; a rerun finishes the same way; --strict stops with exit 3 naming the file.
 */
import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, runCli } from "../helpers/cli.js";
import { BadInputLog } from "../../src/io/bad-input.js";
import { openShard } from "../../src/io/read.js";
import { openRecordWriter } from "../../src/io/write.js";
import type { Shard } from "../../src/io/shards.js";

const DEMO = path.join(ROOT, "data/demo");

async function writeParquet(file: string, n: number, seed: number): Promise<Buffer> {
  const w = await openRecordWriter(file, "parquet", { rowGroupSize: 50 });
  const words = "bread flour water yeast salt oven knead proof crust crumb sugar butter".split(" ");
  for (let i = 0; i < n; i++) {
    const text = Array.from({ length: 20 }, (_, k) => words[(i * 7 + k * (seed + 3)) % words.length]).join(" ");
    await w.write({ id: `p${seed}-${i}`, text, fields: { id: `p${seed}-${i}`, text, n: i }, line: i + 1 });
  }
  await w.commit();
  return readFileSync(file);
}

function corpus(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dt-badpq-"));
  mkdirSync(path.join(dir, "corpus"));
  return dir;
}

describe("corrupt and truncated Parquet shards", () => {
  it("the reader counts an unreadable footer as corrupt_stream at line 0", async () => {
    const dir = corpus();
    const good = await writeParquet(path.join(dir, "corpus/good.parquet"), 120, 1);
    const cut = path.join(dir, "corpus/cut.parquet");
    writeFileSync(cut, good.subarray(0, Math.floor(good.length / 2)));
    const bad = new BadInputLog({ strict: false });
    const shard: Shard = { path: cut, rel: "cut.parquet", format: "parquet", bytes: good.length >> 1 };
    const reader = openShard(shard, { bad });
    let n = 0;
    for await (const b of reader.batches()) n += b.length;
    expect(n).toBe(0);
    expect(reader.stats.rejected).toBe(1);
    const s = bad.toJSON();
    expect(s.examples[0]).toMatchObject({ file: "cut.parquet", line: 0, reason: "corrupt_stream" });
  });

  it("select goes on past a truncated and a garbage shard, reruns cleanly, and --strict exits 3 naming the file", async () => {
    const dir = corpus();
    const good = await writeParquet(path.join(dir, "corpus/a-good.parquet"), 300, 1);
    await writeParquet(path.join(dir, "corpus/d-good.parquet"), 300, 2);
    writeFileSync(path.join(dir, "corpus/b-truncated.parquet"), good.subarray(0, good.length - 200));
    writeFileSync(path.join(dir, "corpus/c-garbage.parquet"), Buffer.from("PAR1 this is not parquet at all, just text PAR1"));
    const args = (out: string, ...more: string[]) => [
      "select", "--method", "dsir", "--target", path.join(DEMO, "targets/gsm8k.jsonl"), "--corpus", path.join(dir, "corpus"), "--out", path.join(dir, out),
      "--keep", "0.5", "--sample", "200", "--holdout", "200", "--workers", "1", "--no-report", "--json", ...more,
    ];
    const r = await runCli(args("out"));
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { read: number; kept: number; dropped: number; rejected: number; reconciled: boolean };
    expect(s.read).toBe(602); // 600 good rows + one rejection per unreadable file
    expect(s.rejected).toBe(2);
    expect(s.kept + s.dropped + s.rejected).toBe(s.read);
    const stats = JSON.parse(readFileSync(path.join(dir, "out/stats.json"), "utf8")) as { bad_input: { examples: Array<{ file: string; reason: string }> } };
    expect(stats.bad_input.examples.map((e) => `${e.file} ${e.reason}`).sort()).toEqual(["b-truncated.parquet corrupt_stream", "c-garbage.parquet corrupt_stream"]);
    // The rerun over the same output finishes the same way (no shard is stuck failing).
    const again = await runCli(args("out"));
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).kept).toBe(s.kept);
    // --strict: exit 3, the message names the file.
    const strict = await runCli(args("out-strict", "--strict"));
    expect(strict.code, strict.stderr).toBe(3);
    expect(strict.stderr).toMatch(/b-truncated\.parquet|c-garbage\.parquet/);
    expect(strict.stderr.trim().split("\n").at(-1)).toMatch(/^datatailor: .*bad input in .*parquet/);
  }, 180_000);
});
