/**
 * Targets as users have them: the same examples from .jsonl.zst, Parquet, CSV and TSV (quoted
 * fields with commas, quotes and newlines), a named field (--target-field) or the corpus'
 * --text-field; the splits of one benchmark together, with a warning for evaluation splits.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { compress } from "../helpers/zstd.js";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { loadTargets } from "../../src/targets/index.js";

const tmp = () => mkdtempSync(path.join(tmpdir(), "dt-target-formats-"));
const QUESTIONS = ['What is 2, "two", plus 2?', "Name the largest planet.\nAnswer briefly.", "Which gas do plants absorb?"];
const ANSWERS = ["4", "Jupiter", "carbon dioxide"];

describe("target file formats", () => {
  it("reads the same examples from .jsonl.zst, Parquet, CSV and TSV", async () => {
    const dir = tmp();
    const rows = QUESTIONS.map((q, i) => ({ question: q, answer: ANSWERS[i] }));
    writeFileSync(path.join(dir, "qa.jsonl.zst"), compress(Buffer.from(rows.map((r) => JSON.stringify({ text: `${r.question}\n${r.answer}` })).join("\n") + "\n")));
    writeFileSync(
      path.join(dir, "qa.parquet"),
      new Uint8Array(parquetWriteBuffer({ columnData: [{ name: "prompt", data: rows.map((r) => r.question + "\n"), type: "STRING" }, { name: "completion", data: rows.map((r) => r.answer), type: "STRING" }] })),
    );
    const csv = (sep: string) => `item${sep}body\n` + rows.map((r, i) => `${i}${sep}"${`${r.question}\n${r.answer}`.replace(/"/g, '""')}"`).join("\n") + "\n";
    writeFileSync(path.join(dir, "qa.csv"), csv(","));
    writeFileSync(path.join(dir, "qa.tsv"), csv("\t"));
    const expected = rows.map((r) => `${r.question}\n${r.answer}`);
    const z = await loadTargets([path.join(dir, "qa.jsonl.zst")], { seed: 0 });
    expect(z.examples.map((e) => e.text)).toEqual(expected);
    const p = await loadTargets([path.join(dir, "qa.parquet")], { seed: 0 });
    expect(p.benchmarks[0]!.shape).toBe("prompt-completion");
    expect(p.examples.map((e) => e.text)).toEqual(expected);
    for (const f of ["qa.csv", "qa.tsv"]) {
      const c = await loadTargets([path.join(dir, f)], { seed: 0, targetField: "body" });
      expect(c.examples.map((e) => e.text)).toEqual(expected);
      expect(c.examples.map((e) => e.index)).toEqual([0, 1, 2]);
    }
  });

  it("names a missing --target-field with the fields the file has", async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "t.csv"), "a,b\n1,2\n");
    await expect(loadTargets([path.join(dir, "t.csv")], { seed: 0, targetField: "question" })).rejects.toThrow(/no field "question".*fields: a, b/);
  });

  it("reads records carrying the corpus' --text-field as plain examples", async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "mine.jsonl"), ['{"contents": "alpha beta", "meta": 1}', '{"contents": "gamma delta", "meta": 2}'].join("\n") + "\n");
    const r = await loadTargets([path.join(dir, "mine.jsonl")], { seed: 0, textField: "contents" });
    expect(r.examples.map((e) => e.text)).toEqual(["alpha beta", "gamma delta"]);
  });

  it("counts train and validation splits as one benchmark and warns about the evaluation split", async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "arc.train.jsonl"), ['{"text": "train one"}', '{"text": "shared"}'].join("\n") + "\n");
    writeFileSync(path.join(dir, "arc.validation.jsonl"), ['{"text": "val one"}', '{"text": "shared"}'].join("\n") + "\n");
    const r = await loadTargets([dir], { seed: 0 });
    expect(r.benchmarks.map((b) => [b.name, b.total])).toEqual([["arc", 3]]);
    expect(r.examples.map((e) => e.text).sort()).toEqual(["shared", "train one", "val one"]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/arc come from its validation split/);
  });
});
