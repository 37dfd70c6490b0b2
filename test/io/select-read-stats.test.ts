/**
 * What the readers count reaches a select run's outputs: ids above 2^53 stay distinct in the
 * scores table, blank lines and repeated ids are counted in stats.json and flagged in
 * selection.json, an empty shard is not bad input, and the read and write steps carry timings.
 */
import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, runCli } from "../helpers/cli.js";
import { readParquetColumns } from "../../src/io/parquet-read.js";

describe("select: reader counts in the run's outputs", () => {
  it("big ids, blank lines, duplicate ids, an empty shard and step timings", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "dt-readstats-"));
    mkdirSync(path.join(dir, "corpus"));
    const words = "apples pears flour sugar oven bake numbers add subtract total price cost".split(" ");
    const doc = (i: number) => Array.from({ length: 12 }, (_, k) => words[(i * 5 + k * 3) % words.length]).join(" ");
    const lines = [
      `{"id":12345678901234567890,"text":"${doc(1)}"}`,
      `{"id":12345678901234567891,"text":"${doc(2)}"}`,
      "",
      ...Array.from({ length: 200 }, (_, i) => JSON.stringify({ id: `n${i}`, text: doc(i + 3) })),
      "   ",
      JSON.stringify({ id: "n7", text: doc(99) }),
      JSON.stringify({ id: "n8", text: doc(98) }),
    ];
    writeFileSync(path.join(dir, "corpus/a.jsonl"), lines.join("\n") + "\n");
    writeFileSync(path.join(dir, "corpus/b-empty.jsonl"), "");
    const out = path.join(dir, "out");
    const r = await runCli(["select", "--method", "dsir", "--target", path.join(ROOT, "data/demo/targets/gsm8k.jsonl"), "--corpus", path.join(dir, "corpus"), "--out", out,
      "--keep", "1", "--sample", "100", "--holdout", "100", "--workers", "1", "--no-report", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { read: number; rejected: number };
    expect(s).toMatchObject({ read: 204, rejected: 0 }); // the empty shard is not "1 bad input line"

    const scores = await readParquetColumns(path.join(out, "scores/a.jsonl.parquet"), ["id"]);
    expect(scores.id!.slice(0, 2)).toEqual(["12345678901234567890", "12345678901234567891"]);

    const stats = JSON.parse(readFileSync(path.join(out, "stats.json"), "utf8")) as { steps: Array<{ name: string; time_stats: { n: number; total: number }; stats: Record<string, number> }> };
    const read = stats.steps.find((st) => /read/.test(st.name))!;
    const write = stats.steps.find((st) => /write/.test(st.name))!;
    expect(read.stats.blank_lines).toBe(2);
    expect(read.stats.duplicate_ids).toBe(2);
    expect(read.time_stats.n).toBe(2); // one timing per shard
    expect(read.time_stats.total).toBeGreaterThan(0);
    expect(write.time_stats.n).toBe(2);
    expect(write.time_stats.total).toBeGreaterThan(0);

    const selection = JSON.parse(readFileSync(path.join(out, "selection.json"), "utf8")) as { warnings: string[] };
    expect(selection.warnings.join("\n")).toMatch(/2 document\(s\) repeat an id .*"n7" at a\.jsonl:205/);
  }, 120_000);
});
