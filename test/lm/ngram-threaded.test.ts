/**
 * The parallel ARPA load and query (every core; used for large plain files), forced onto the
 * reference models with 2 and 3 threads: the output must still be what KenLM's query printed
 * (../shared/data/lm/kenlm-shakespeare), and files the fast path does not take (gzip, a pruned
 * suffix, damage) must fall back to the sequential parser with its exact messages.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { loadArpaPooled, queryArpa } from "../../src/backends/lm/ngram.js";
import { SHARED_DATA } from "../helpers/cli.js";

const REF = path.join(SHARED_DATA, "lm/kenlm-shakespeare");
const dir = mkdtempSync(path.join(tmpdir(), "dt-ngram-threaded-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const gz = (f: string) => gunzipSync(readFileSync(path.join(REF, f)));
const plain = (order: number) => {
  const p = path.join(dir, `shakespeare.o${order}.arpa`);
  writeFileSync(p, gz(`shakespeare.o${order}.arpa.gz`));
  return p;
};

/** lm query's output for `text`, the text fed in pieces of `piece` bytes. */
async function query(model: string, text: Buffer, threads: number, print = { word: false, line: true, summary: false }, piece = 1 << 16) {
  const out: Buffer[] = [];
  async function* pieces() {
    for (let i = 0; i < text.length; i += piece) yield text.subarray(i, i + piece);
  }
  const r = await queryArpa(model, pieces(), print, true, async (b) => void out.push(Buffer.from(b)), { threads });
  return { text: Buffer.concat(out).toString("utf8"), threaded: r.threaded };
}

describe("parallel ARPA load and query", () => {
  const test = readFileSync(path.join(REF, "test.txt"));

  for (const order of [3, 5]) {
    it(`order ${order}, 2 and 3 threads: -v sentence byte for byte as KenLM's query`, async () => {
      const f = plain(order);
      const want = gz(`shakespeare.o${order}.query-sentence.txt.gz`).toString("utf8");
      for (const threads of [2, 3]) {
        const r = await query(f, test, threads);
        expect(r.threaded).toBe(true);
        expect(r.text).toBe(want);
      }
    }, 120_000);
  }

  it("per-word output (first 200 lines as KenLM's), text split into many small parts", async () => {
    const f = plain(3);
    // small pieces: the thread parts then cut lines at many places
    const r = await query(f, test, 3, { word: true, line: true, summary: false }, 997);
    expect(r.threaded).toBe(true);
    const lines = r.text.split("\n");
    expect(lines.slice(0, 200).join("\n") + "\n").toBe(gz("shakespeare.o3.query-word.first200.txt.gz").toString("utf8"));
  }, 120_000);

  it("a last line without a newline: its words are counted, no </s> and no Total (as the sequential path)", async () => {
    const f = plain(3);
    const text = Buffer.from("the king\nto be or not\nand then");
    const one = await query(f, text, 0, { word: true, line: true, summary: true });
    const two = await query(f, text, 2, { word: true, line: true, summary: true });
    expect(one.threaded).toBe(false);
    expect(two.threaded).toBe(true);
    expect(two.text).toBe(one.text);
    expect(two.text).toMatch(/then=\d+ \d -[\d.]+\tPerplexity/);
  }, 120_000);

  it("gzip, and a pruned suffix (SRILM), go to the sequential parser", async () => {
    const gzModel = await loadArpaPooled(path.join(REF, "shakespeare.o3.arpa.gz"), { threads: 2 });
    expect(gzModel.pool).toBeNull();
    const srilm = path.join(dir, "srilm.arpa");
    writeFileSync(
      srilm,
      ["\\data\\", "ngram 1=4", "ngram 2=1", "ngram 3=1", "", "\\1-grams:", "-1.0\t</s>", "-99\t<s>\t-0.5", "-1.2\ta\t-0.3", "-1.5\tb\t-0.2", "", "\\2-grams:", "-0.6\t<s> a\t-0.25", "", "\\3-grams:", "-0.4\t<s> a b", "", "\\end\\", ""].join("\n"),
    );
    const r = await loadArpaPooled(srilm, { threads: 2 });
    expect(r.pool).toBeNull();
    // the bigram "a b" was added as a blank by the sequential parser: 2 bigrams in the table
    expect(r.model.tables[1].size).toBe(2);
  }, 120_000);

  it("damage found by a thread is reported as the sequential parser reports it (file and line)", async () => {
    const lines = gz("shakespeare.o3.arpa.gz").toString("utf8").split("\n");
    const at = lines.indexOf("\\2-grams:") + 5000;
    const bad = [...lines];
    bad[at] = bad[at].replace(/\t\S+/, "\tnot-a-word-of-the-model");
    const f = path.join(dir, "bad.arpa");
    writeFileSync(f, bad.join("\n"));
    await expect(loadArpaPooled(f, { threads: 2 })).rejects.toThrow(new RegExp(`bad\\.arpa:${at + 1}: word "not-a-word-of-the-model" of this 2-gram is not among the unigrams`));
    const cut = path.join(dir, "cut.arpa");
    const c = lines.indexOf("\\3-grams:") + 100;
    writeFileSync(cut, lines.slice(0, c).join("\n") + "\n");
    await expect(loadArpaPooled(cut, { threads: 2 })).rejects.toThrow(new RegExp(`cut\\.arpa:${c}: the header promises \\d+ 3-grams but the section has 99 `));
  }, 120_000);
});
