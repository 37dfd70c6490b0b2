/** `datatailor demo tune`: builds the four sets from the bundled sample and finds the two planted leaks. */
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, ROOT } from "../helpers/cli.js";

const lines = (f: string) => readFileSync(f, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));

describe("demo tune", () => {
  it("writes FT and FTICL sets in three formats and reports the planted leaks, in seconds", async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), "tune-demo-"));
    const r = await runCli(["demo", "tune", "--out", out, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.seconds).toBeLessThan(20);
    expect(s.builds.map((b: { task: string; k: number; format: string; examples: number }) => `${b.task}:${b.k}:${b.format}:${b.examples}`)).toEqual([
      "question:0:trl:80",
      "question:4:openai:80",
      "sentiment:0:trl:80",
      "sentiment:4:axolotl:80",
    ]);
    const q4 = s.builds[1];
    expect(q4.leaks).toEqual([{ test: "test", testIndex: 7, source: "demo", sourceIndex: 2, kind: "exact" }]);
    expect(s.builds[2].leaks).toEqual([{ test: "test", testIndex: 5, source: "train", sourceIndex: 11, kind: "normalized" }]);
    expect(s.builds[0].leaks).toEqual([]);
    // the planted demo really is test item 7 of the bundled sample
    const data = path.join(ROOT, "data/demo/tune/question");
    expect(lines(path.join(data, "few_shot.jsonl"))[2]).toEqual(lines(path.join(data, "test.jsonl"))[7]);
    // FTICL in OpenAI chat format: 4 demo turns (weight 0) then the example
    const first = lines(path.join(out, "question-fticl4.openai.jsonl"))[0];
    expect(first.messages).toHaveLength(10);
    expect(first.messages.filter((m: { weight?: number }) => m.weight === 0)).toHaveLength(4);
    const train0 = lines(path.join(data, "train.jsonl"))[0];
    expect(first.messages[9]).toEqual({ role: "assistant", content: train0.output, weight: 1 });
    expect(first.messages[8].content).toBe(`### Input:\n${train0.input}\n### Answer:\n${train0.answer}\n### Question:`);
  }, 60_000);
});
