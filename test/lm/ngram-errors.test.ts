/**
 * Bad input to lm train / lm query: damaged ARPA files name the file and the line and exit 1;
 * usage mistakes exit 2; lmplz's discount error without --discount-fallback; the memory budget.
 * Also SRILM-style files (no <unk>, a trigram whose bigram suffix was pruned), checked against
 * the output KenLM's query printed for the same file (build_binary -p 20, then query).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync, gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, SHARED_DATA } from "../helpers/cli.js";

const REF = path.join(SHARED_DATA, "lm/kenlm-shakespeare");
const dir = mkdtempSync(path.join(tmpdir(), "dt-ngram-err-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SRILM = [
  "\\data\\",
  "ngram 1=5",
  "ngram 2=2",
  "ngram 3=1",
  "",
  "\\1-grams:",
  "-1.0\t</s>",
  "-99\t<s>\t-0.5",
  "-1.2\ta\t-0.3",
  "-1.5\tb\t-0.2",
  "-1.7\tc\t-0.1",
  "",
  "\\2-grams:",
  "-0.6\t<s> a\t-0.25",
  "-0.7\ta b\t-0.15",
  "",
  "\\3-grams:",
  "-0.4\ta b c",
  "",
  "\\end\\",
  "",
].join("\n");

function write(name: string, text: string | Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function queryFails(file: string, line: RegExp | null, what: RegExp) {
  const r = await runCli(["lm", "query", file], { input: "a b\n" });
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("");
  const msg = r.stderr.trim();
  expect(msg.split("\n")).toHaveLength(1);
  expect(msg).toContain(file);
  if (line) expect(msg).toMatch(line);
  expect(msg).toMatch(what);
  expect(msg).not.toMatch(/\n\s+at /);
}

describe("damaged ARPA files", () => {
  it("a truncated plain ARPA names the file and the line where the section ends short", async () => {
    const lines = gunzipSync(readFileSync(path.join(REF, "shakespeare.o3.arpa.gz"))).toString("utf8").split("\n");
    const f = write("trunc.arpa", lines.slice(0, 1000).join("\n") + "\n");
    // 6 header lines (\data\, three counts, a blank, \1-grams:) leave 994 unigrams; the file ends at line 1000
    await queryFails(f, /trunc\.arpa:1000: /, /promises 23969 1-grams but the section has 994 \(truncated\?\)/);
  });

  it("a truncated gzip ARPA says the compressed data is cut", async () => {
    const raw = readFileSync(path.join(REF, "shakespeare.o3.arpa.gz"));
    const f = write("trunc.arpa.gz", raw.subarray(0, 40_000));
    await queryFails(f, null, /damaged gzip data after line \d+.*truncated or corrupt/);
  });

  it("a file cut inside the highest order (no \\end\\)", async () => {
    const f = write("noend.arpa", SRILM.replace("\n\\end\\\n", "\n"));
    await queryFails(f, /noend\.arpa:19: /, /file ends before \\end\\/);
  });

  it("a bad probability, a missing word, an unknown word, a bad header", async () => {
    await queryFails(write("badnum.arpa", SRILM.replace("-1.5\tb", "-x1.5\tb")), /badnum\.arpa:10: /, /expected a log10 probability/);
    await queryFails(write("noword.arpa", SRILM.replace("-0.7\ta b\t-0.15", "-0.7\ta")), /noword\.arpa:15: /, /needs 2 words/);
    await queryFails(write("unknown.arpa", SRILM.replace("-0.7\ta b", "-0.7\ta zz")), /unknown\.arpa:15: /, /word "zz" of this 2-gram is not among the unigrams/);
    await queryFails(write("header.arpa", SRILM.replace("ngram 2=2", "ngram 2=two")), /header\.arpa:3: /, /ngram N=count/);
    await queryFails(write("positive.arpa", SRILM.replace("-1.7\tc", "0.5\tc")), /positive\.arpa:11: /, /positive log probability/);
    await queryFails(write("notarpa.arpa", "hello world\n"), null, /no \\data\\ header/);
  });

  it("a missing model file exits 1 naming it; bad -v and missing arguments are usage errors (2)", async () => {
    const r = await runCli(["lm", "query", path.join(dir, "absent.arpa")], { input: "" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/absent\.arpa.*ENOENT/);
    expect((await runCli(["lm", "query", "-v", "loud", write("ok.arpa", SRILM)], { input: "" })).code).toBe(2);
    expect((await runCli(["lm", "query"])).code).toBe(2);
    expect((await runCli(["lm", "train"], { input: "a\n" })).code).toBe(2);
    expect((await runCli(["lm", "train", "-o", "0"], { input: "a\n" })).code).toBe(2);
    expect((await runCli(["lm", "train", "-o", "3", "--json"], { input: "a\n" })).code).toBe(2);
  });
});

describe("SRILM-style ARPA", () => {
  it("plain and gzip: missing <unk> (−100) and a pruned suffix scored as KenLM scores them", async () => {
    // KenLM's query on this file (build_binary -p 20 srilm.arpa; query) printed exactly:
    const kenlm = [
      "a=3 2 -0.6\tb=4 2 -0.95\tc=5 3 -0.4\t</s>=1 1 -1.1\tTotal: -3.05 OOV: 0",
      "c=5 1 -2.2\tb=4 1 -1.6\ta=3 1 -1.4000001\td=0 1 -100.3\t</s>=1 1 -1\tTotal: -106.5 OOV: 1",
      "Perplexity including OOVs:\t1486696150543.9578",
      "Perplexity excluding OOVs:\t14.330112918599413",
      "OOVs:\t1",
      "Tokens:\t9",
      "",
    ].join("\n");
    for (const f of [write("srilm.arpa", SRILM), write("srilm.arpa.gz", gzipSync(SRILM))]) {
      const r = await runCli(["lm", "query", f], { input: "a b c\nc b a d\n" });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(kenlm);
    }
  });
});

describe("lm train refusals", () => {
  it("the discount error without --discount-fallback (exit 1, lmplz's reason), and the fix with it", async () => {
    const tiny = path.join(REF, "tiny.txt");
    const r = await runCli(["lm", "train", "-o", "3", "--text", tiny, "--output", path.join(dir, "tiny.arpa")]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/could not calculate Kneser-Ney discounts for 2-grams with adjusted count 4 because no 2-grams with adjusted count 3 were observed.*--discount-fallback/);
    expect(existsSync(path.join(dir, "tiny.arpa"))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
    const ok = await runCli(["lm", "train", "-o", "3", "--discount-fallback", "--text", tiny, "--output", path.join(dir, "tiny.arpa")]);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/substituting fallback discounts for order 2: D1=0.5 D2=1 D3\+=1.5/);
    expect(readFileSync(path.join(dir, "tiny.arpa"), "utf8")).toMatch(/^\\data\\\nngram 1=159\nngram 2=234\nngram 3=211\n/);
  });

  it("--prune thresholds that decrease, or more than the order, are usage errors (as lmplz refuses them)", async () => {
    const r = await runCli(["lm", "train", "-o", "3", "--prune", "2", "1"], { input: "a\n" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--prune thresholds must be non-decreasing/);
    expect((await runCli(["lm", "train", "-o", "2", "--prune", "0", "1", "1"], { input: "a\n" })).code).toBe(2);
    expect((await runCli(["lm", "train", "-o", "2", "--prune", "x"], { input: "a\n" })).code).toBe(2);
  });

  it("out-of-range fallback discounts are usage errors", async () => {
    const r = await runCli(["lm", "train", "-o", "3", "--discount-fallback", "0.5", "3"], { input: "a\n" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/discount for count 2 .* not in the range \[0, 2\]/);
  });

  it("--memory: a budget too small for the n-grams is refused, naming the bytes per n-gram", async () => {
    const r = await runCli(["lm", "train", "-o", "5", "--memory", "2M", "--text", path.join(REF, "train.txt"), "--output", path.join(dir, "big.arpa")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/memory budget of 2\.0 MiB: [\d,]+ distinct n-grams so far at \d+ bytes each; raise --memory/);
    expect(existsSync(path.join(dir, "big.arpa"))).toBe(false);
  });

  it("<s> inside the training text is refused with file and line, or skipped with --skip-symbols", async () => {
    const f = write("special.txt", "a b c\nd <s> e\n");
    const r = await runCli(["lm", "train", "-o", "2", "--discount-fallback", "--text", f]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/special\.txt:2: special word <s>/);
    const ok = await runCli(["lm", "train", "-o", "2", "--discount-fallback", "--skip-symbols", "--text", f]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/ngram 1=8\n/);
  });
});
