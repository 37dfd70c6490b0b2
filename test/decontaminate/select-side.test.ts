/**
 * The selection side: which evaluation splits sit beside a run's target files, per-document hits
 * of kept documents (DocChecker: counts, hit rows, examples), and the merged report section
 * (items hit and documents hit per benchmark, side-by-side examples, highlighted and escaped).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { evalSplitsBeside } from "../../src/pipelines/decontaminate/eval-splits.js";
import { DocChecker, docHits, mergeChecks } from "../../src/pipelines/decontaminate/doc-hits.js";
import { prepareIndex } from "../../src/pipelines/decontaminate/index-file.js";
import { contaminationSection } from "../../src/report/contamination-section.js";
import { renderPage } from "../../src/report/page.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "dt-selside-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("evaluation splits beside the targets", () => {
  it("finds validation/dev/test files of the same benchmark in the same directory, and says none when there are none", async () => {
    const b = path.join(dir, "bench");
    mkdirSync(b);
    for (const f of ["arc-challenge.train.oe_eval_docs.jsonl", "arc-challenge.validation.jsonl", "arc-challenge.test.jsonl.gz", "arc-easy.validation.jsonl", "gsm8k.train.jsonl", "README.txt"]) writeFileSync(path.join(b, f), "");
    expect(await evalSplitsBeside([path.join(b, "arc-challenge.train.oe_eval_docs.jsonl")])).toEqual([path.join(b, "arc-challenge.test.jsonl.gz"), path.join(b, "arc-challenge.validation.jsonl")]);
    expect(await evalSplitsBeside([path.join(b, "gsm8k.train.jsonl")])).toEqual([]);
    expect(await evalSplitsBeside([path.join(b, "arc-easy.validation.jsonl")])).toEqual([path.join(b, "arc-easy.validation.jsonl")]);
  });
});

describe("kept documents against an index", () => {
  it("per-document hits, merged counts per benchmark and an escaped side-by-side section", async () => {
    const b = path.join(dir, "evals");
    mkdirSync(b);
    const q1 = "Which gas do plants absorb from the air to make their food during photosynthesis in sunlight";
    const q2 = "What is the boiling point of pure water at sea level measured in degrees Celsius on a thermometer";
    writeFileSync(path.join(b, "sci.validation.jsonl"), [q1, q2].map((t, i) => JSON.stringify({ id: `s${i}`, text: t })).join("\n") + "\n");
    writeFileSync(path.join(b, "short.validation.jsonl"), JSON.stringify({ text: "Who painted the Mona Lisa? Leonardo" }) + "\n");
    const out = path.join(dir, "out");
    const { index, meta } = await prepareIndex([b], out, { n: 13 });
    expect(meta.benchmarks.map((x) => x.name)).toEqual(["sci", "short"]);
    const docs = [
      { id: "d0", shard: "a.jsonl", line: 1, text: `Intro <b>bold</b>. ${q1.toUpperCase()}! Then more.` },
      { id: "d1", shard: "a.jsonl", line: 2, text: "Nothing relevant: plants absorb gas from the air." },
      { id: "d2", shard: "b.jsonl", line: 7, text: `quiz: who painted the mona lisa -- leonardo. Also ${q1} and ${q2}` },
    ];
    expect(docHits(index, docs).map((h) => h.map((x) => [x.item, x.ngrams, x.whole]))).toEqual([[[0, 4, false]], [], [[0, 4, false], [1, 6, false], [2, 1, true]]]);
    const a = new DocChecker(index);
    const c = new DocChecker(index);
    for (const d of docs) (d.shard === "a.jsonl" ? a : c).check(d);
    expect(a.summary).toMatchObject({ checked: 2, hitDocs: 1, rows: [[0, 4, 0, 1]] });
    const data = await mergeChecks(
      [
        { shard: "a.jsonl", summary: a.summary },
        { shard: "b.jsonl", summary: c.summary },
      ],
      meta,
      out,
      "kept documents against sci.validation, short.validation",
    );
    expect(data).toMatchObject({ docsChecked: 3, docsHit: 2, benchmarks: [{ name: "sci", items: 2, itemsHit: 2, docsHit: 2 }, { name: "short", items: 1, itemsHit: 1, docsHit: 1 }] });
    expect(data.examples.length).toBe(3);
    const ex = data.examples.find((e) => e.docId === "d0")!;
    expect(ex.doc.text.slice(ex.doc.spans[0]![0], ex.doc.spans[0]![1])).toBe(q1.toUpperCase());
    expect(ex.item.text.slice(ex.item.spans[0]![0], ex.item.spans[0]![1])).toBe(q1);
    const html = renderPage({ title: "t", sections: [contaminationSection(data)] });
    expect(html).toContain("&lt;b&gt;bold&lt;/b&gt;");
    expect(html).not.toContain("<b>bold</b>");
    expect(html.match(/<mark/g)!.length).toBeGreaterThanOrEqual(6);
  });
});

describe("select with the contamination check", () => {
  it("reports kept documents overlapping the evaluation split beside the target, drops them with --decontaminate-against, and says when there is nothing to check", async () => {
    const { runCli, SHARED_DATA } = await import("../helpers/cli.js");
    const b = path.join(dir, "sel-bench");
    mkdirSync(b);
    const src = path.join(SHARED_DATA, "benchmarks");
    const { readFileSync } = await import("node:fs");
    const cut = (f: string, k: number) => readFileSync(path.join(src, f), "utf8").split("\n").filter(Boolean).slice(0, k).join("\n") + "\n";
    writeFileSync(path.join(b, "arc-challenge.train.oe_eval_docs.jsonl"), cut("arc-challenge.train.oe_eval_docs.jsonl", 50));
    writeFileSync(path.join(b, "arc-challenge.validation.jsonl"), cut("arc-challenge.validation.jsonl", 50));
    writeFileSync(path.join(b, "gsm8k.train.jsonl"), cut("gsm8k.train.jsonl", 20));
    const val = readFileSync(path.join(b, "arc-challenge.validation.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { question: string });
    const corpus = path.join(dir, "sel-corpus");
    mkdirSync(corpus);
    const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ id: `c${i}`, text: i % 8 === 0 ? `Homework help. ${val[i]!.question} Thanks!` : `An ordinary page number ${i} about cooking pasta, gardening and the weather this week.` }));
    writeFileSync(path.join(corpus, "a.jsonl"), lines.join("\n") + "\n");
    const common = ["select", "--method", "dsir", "--min-tokens", "1", "--keep", "1", "--sample", "20", "--holdout", "20", "--corpus", corpus, "--workers", "1", "--json"];
    const target = path.join(b, "arc-challenge.train.oe_eval_docs.jsonl");
    const beside = await runCli([...common, "--target", target, "--out", path.join(dir, "sel-beside")]);
    expect(beside.code, beside.stderr).toBe(0);
    expect(JSON.parse(beside.stdout)).toMatchObject({ kept: 40, dropped: 0 });
    const r1 = readFileSync(path.join(dir, "sel-beside/report.html"), "utf8");
    expect(r1).toContain("arc-challenge.validation.jsonl");
    expect(r1).toMatch(/<div class="v">5 \(12\.5%\)<\/div><div class="k">documents with an overlap/);

    const drop = await runCli([...common, "--target", target, "--out", path.join(dir, "sel-drop"), "--decontaminate-against", path.join(b, "arc-challenge.validation.jsonl")]);
    expect(drop.code, drop.stderr).toBe(0);
    expect(JSON.parse(drop.stdout)).toMatchObject({ kept: 35, dropped: 5, reconciled: true });
    const stats = JSON.parse(readFileSync(path.join(dir, "sel-drop/stats.json"), "utf8"));
    expect(stats.steps[1].stats.dropped_contaminated).toBe(5);
    const kept = readFileSync(path.join(dir, "sel-drop/selected/a.jsonl"), "utf8");
    expect(kept).not.toContain('"c0"');
    expect(kept).toContain('"c1"');

    const none = await runCli([...common, "--target", path.join(b, "gsm8k.train.jsonl"), "--out", path.join(dir, "sel-none")]);
    expect(none.code, none.stderr).toBe(0);
    expect(readFileSync(path.join(dir, "sel-none/report.html"), "utf8")).toContain("no evaluation split beside the target files");
  }, 300_000);
});
