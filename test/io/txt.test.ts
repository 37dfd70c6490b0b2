/**
 * Plain-text corpora: one document per .txt file, or one per paragraph with --txt-split
 * paragraphs; read through the same readers (ids, lines, bad input, blank counts), discovered
 * in directories of plain text (skipped beside JSONL shards, where .txt are READMEs), and
 * selected end to end with the kept documents written back as text.
 */
import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BadInputLog } from "../../src/io/bad-input.js";
import { openShard, shardFromPath } from "../../src/io/read.js";
import { discoverShards } from "../../src/io/shards.js";
import { openRecordWriter } from "../../src/io/write.js";
import type { DocRecord } from "../../src/io/record.js";
import { ROOT, runCli } from "../helpers/cli.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "dt-txt-"));

async function read(file: string, txtSplit?: "file" | "paragraphs", maxLineBytes?: number) {
  const bad = new BadInputLog({ strict: false, maxExamples: 50 });
  const reader = openShard(await shardFromPath(file), { bad, txtSplit, maxLineBytes });
  const records: DocRecord[] = [];
  for await (const b of reader.batches()) records.push(...b);
  return { records, bad, stats: reader.stats };
}

describe("plain-text shards", () => {
  const text = "First paragraph,\nstill the first.\n\n\n  \nSecond one.\r\nwith CRLF\n\nThird — é 😀";
  const file = path.join(dir, "doc.txt");
  writeFileSync(file, "\uFEFF" + text);

  it("one document per file (default): id = relative path, BOM dropped", async () => {
    const { records, bad, stats } = await read(file);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ id: "doc.txt", line: 1, text });
    expect(bad.total).toBe(0);
    expect(stats).toMatchObject({ read: 1, rejected: 0 });
  });

  it("paragraphs: blank-line separated, ids <rel>:<first line>, CR stripped, blank lines counted", async () => {
    const { records, stats } = await read(file, "paragraphs");
    expect(records.map((r) => [r.id, r.line, r.text])).toEqual([
      ["doc.txt:1", 1, "First paragraph,\nstill the first."],
      ["doc.txt:6", 6, "Second one.\nwith CRLF"],
      ["doc.txt:9", 9, "Third — é 😀"],
    ]);
    expect(stats).toMatchObject({ read: 3, rejected: 0, blank: 4 });
  });

  it("empty files are zero documents; bad UTF-8 and oversize paragraphs are bad input with their line", async () => {
    writeFileSync(path.join(dir, "empty.txt"), "");
    writeFileSync(path.join(dir, "blank.txt"), "\n  \n");
    for (const f of ["empty.txt", "blank.txt"]) for (const split of ["file", "paragraphs"] as const) expect((await read(path.join(dir, f), split)).records).toEqual([]);
    writeFileSync(path.join(dir, "bad.txt"), Buffer.concat([Buffer.from("good one\n\nbad "), Buffer.from([0xc3, 0x28]), Buffer.from("\n\n" + "x".repeat(100) + "\n\nlast")]));
    const r = await read(path.join(dir, "bad.txt"), "paragraphs", 50);
    expect(r.records.map((x) => x.text)).toEqual(["good one", "last"]);
    expect(r.bad.examples().map((e) => [e.line, e.reason])).toEqual([[3, "invalid_utf8"], [5, "line_too_long"]]);
    expect(r.stats).toMatchObject({ read: 4, rejected: 2 });
  });

  it("writing text records and reading them back as paragraphs round-trips", async () => {
    const out = path.join(dir, "out", "w.txt");
    const w = await openRecordWriter(out, "txt");
    for (const t of ["alpha beta", "gamma\ndelta", "eps\n"]) await w.write({ id: t, text: t, fields: {}, line: 1 });
    await w.commit();
    expect(readFileSync(out, "utf8")).toBe("alpha beta\n\ngamma\ndelta\n\neps\n");
    expect((await read(out, "paragraphs")).records.map((r) => r.text)).toEqual(["alpha beta", "gamma\ndelta", "eps"]);
  });

  it("discovery: a directory of .txt is a corpus; beside JSONL shards its .txt files are skipped", async () => {
    const plain = path.join(dir, "plain");
    mkdirSync(path.join(plain, "sub"), { recursive: true });
    writeFileSync(path.join(plain, "a.txt"), "a");
    writeFileSync(path.join(plain, "sub/b.txt"), "b");
    expect((await discoverShards([plain])).shards.map((s) => [s.rel, s.format])).toEqual([["a.txt", "txt"], ["sub/b.txt", "txt"]]);
    const mixed = path.join(dir, "mixed");
    mkdirSync(mixed);
    writeFileSync(path.join(mixed, "s.jsonl"), '{"text":"x"}\n');
    writeFileSync(path.join(mixed, "README.txt"), "about this corpus");
    const d = await discoverShards([mixed]);
    expect(d.shards.map((s) => s.rel)).toEqual(["s.jsonl"]);
    expect(d.skipped).toEqual([path.join(mixed, "README.txt")]);
    expect((await discoverShards([path.join(mixed, "README.txt")])).shards.map((s) => s.format)).toEqual(["txt"]); // named: read
  });

  it("select over a .txt corpus, by file and by paragraph, writes the kept text back", async () => {
    const corpus = path.join(dir, "corpus");
    mkdirSync(corpus);
    const math = (i: number) => `If a baker has ${i} loaves and sells ${i % 7} of them, how many loaves are left? Subtract to find the answer: ${i - (i % 7)}.`;
    const prose = (i: number) => `The river wound through the valley ${i} times, past old stone walls and quiet meadows where sheep grazed in the evening light.`;
    for (let f = 0; f < 6; f++) writeFileSync(path.join(corpus, `book${f}.txt`), Array.from({ length: 40 }, (_, i) => (i % 2 ? math(f * 40 + i) : prose(f * 40 + i))).join("\n\n") + "\n");
    const args = (out: string, ...more: string[]) => ["select", "--method", "dsir", "--target", path.join(ROOT, "data/demo/targets/gsm8k.jsonl"), "--corpus", corpus, "--out", path.join(dir, out),
      "--keep", "0.5", "--keep-by", "docs", "--min-tokens", "5", "--sample", "100", "--holdout", "100", "--workers", "1", "--no-report", "--json", ...more];
    const byFile = await runCli(args("out-file"));
    expect(byFile.code, byFile.stderr).toBe(0);
    expect(JSON.parse(byFile.stdout)).toMatchObject({ read: 6, rejected: 0 });
    const byPara = await runCli(args("out-para", "--txt-split", "paragraphs"));
    expect(byPara.code, byPara.stderr).toBe(0);
    const s = JSON.parse(byPara.stdout) as { read: number; kept: number };
    expect(s.read).toBe(240);
    const kept = readFileSync(path.join(dir, "out-para/selected/book0.txt"), "utf8").split("\n\n").filter((p) => p.trim());
    // DSIR towards GSM8K keeps the arithmetic paragraphs first
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.filter((p) => /loaves/.test(p)).length / kept.length).toBeGreaterThan(0.8);
  }, 120_000);
});
