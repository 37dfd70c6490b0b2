import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { NgramHasher } from "../../src/text/ngram-hash.js";
import { sha256Bucket, uniform01 } from "../../src/text/hash.js";
import { countWhitespaceWords, wordPunctTokenize } from "../../src/text/wordpunct.js";
import { DEBIAN_PYTHON, hasTool, requireTool } from "../helpers/system.js";
import { SHARED_DATA } from "../helpers/cli.js";

describe("DSIR hashing (dsir-compatible)", () => {
  it("reproduces the reference test vectors", () => {
    expect(sha256Bucket("alice", 10000)).toBe(6720);
    expect(sha256Bucket("alice went", 10000)).toBe(114);
    expect(sha256Bucket("the", 10000)).toBe(8288);
    expect(sha256Bucket("store", 10000)).toBe(9879);
  });

  it("'Alice went to the store' has 9 features", () => {
    const h = new NgramHasher({ buckets: 10000, mode: "dsir-compatible" });
    const n = h.features("Alice went to the store");
    expect(n).toBe(9);
    expect(h.words).toBe(5);
    const ids = Array.from(h.ids.subarray(0, n));
    expect(ids).toContain(6720);
    expect(ids).toContain(114);
    expect(ids).toContain(8288);
    expect(ids).toContain(9879);
  });

  it("fast mode yields the same number of features, in range, deterministic", () => {
    const h = new NgramHasher({ buckets: 10000, mode: "fast" });
    const n = h.features("Alice went to the store");
    expect(n).toBe(9);
    const a = Array.from(h.ids.subarray(0, n));
    for (const id of a) expect(id >= 0 && id < 10000).toBe(true);
    h.features("Alice went to the store");
    expect(Array.from(h.ids.subarray(0, n))).toEqual(a);
    // bigram "alice went" differs from "went alice"
    h.features("went alice");
    const b = Array.from(h.ids.subarray(0, 3));
    expect(b[2]).not.toBe(a[1]);
  });
});

describe("WordPunct tokenizer", () => {
  it("splits words and punctuation runs like \\w+|[^\\w\\s]+", () => {
    expect(wordPunctTokenize("Good muffins cost $3.88\nin New York.  Please buy me... two of them.")).toEqual([
      "good", "muffins", "cost", "$", "3", ".", "88", "in", "new", "york", ".", "please", "buy", "me", "...", "two", "of", "them", ".",
    ]);
    expect(wordPunctTokenize("snake_case café naïve 東京 ①②")).toEqual(["snake_case", "café", "naïve", "東京", "①②"]);
    expect(wordPunctTokenize("a\u001cb")).toEqual(["a", "b"]); // \x1c is whitespace in Python
    expect(wordPunctTokenize("")).toEqual([]);
  });

  it("counts whitespace words", () => {
    expect(countWhitespaceWords("  a bb\tc\n\nd ")).toBe(4);
    expect(countWhitespaceWords("")).toBe(0);
  });

  const py = hasTool(DEBIAN_PYTHON);
  it.skipIf(!requireTool("python3 (Debian)", py))("matches Python re + hashlib on real multilingual text", () => {
    const lines = readFileSync(path.join(SHARED_DATA, "corpora/pile-toy-dsir/toy_pile_data.jsonl"), "utf8").split("\n").filter(Boolean).slice(0, 60);
    const texts = lines.map((l) => (JSON.parse(l) as { contents: string }).contents);
    texts.push("İstanbul ΟΔΟΣ straße ﬁne x\u0085y\ufeffz 𝔘𝔫𝔦 ½ ٣ a\u0300b");
    const script = `
import sys, json, re, hashlib
texts = json.load(sys.stdin)
out = []
for t in texts:
    w = re.findall(r'\\w+|[^\\w\\s]+', t.lower())
    f = [int(hashlib.sha256(x.encode('utf-8')).hexdigest(), 16) % 10000 for x in w]
    f += [int(hashlib.sha256(' '.join(p).encode('utf-8')).hexdigest(), 16) % 10000 for p in zip(w, w[1:])]
    out.append([w, sorted(f)])
print(json.dumps(out))`;
    const ref = JSON.parse(execFileSync(DEBIAN_PYTHON, ["-c", script], { input: JSON.stringify(texts), maxBuffer: 1 << 26 }).toString()) as Array<[string[], number[]]>;
    const h = new NgramHasher({ buckets: 10000, mode: "dsir-compatible" });
    texts.forEach((t, i) => {
      expect(wordPunctTokenize(t)).toEqual(ref[i][0]);
      const n = h.features(t);
      expect(Array.from(h.ids.subarray(0, n)).sort((a, b) => a - b)).toEqual(ref[i][1]);
    });
  });
});

describe("seeded uniforms", () => {
  it("are deterministic, seed-dependent and roughly uniform", () => {
    // Pinned from an independent Python implementation of the definition in text/hash.ts
    // (FNV-1a steps over UTF-16 units, fmix32, 21 + 32 bits from two seeded hashes).
    expect(uniform01(1, "a.jsonl:3")).toBe(0.430409732323926);
    expect(uniform01(2, "a.jsonl:3")).toBe(0.7730251969530868);
    expect(uniform01(7, "s:0")).toBe(0.9036711766500958);
    expect(uniform01(0, "é€")).toBe(0.7693391065384365); // units above 0xff hash both bytes
    const bins = new Array(10).fill(0);
    for (let i = 0; i < 20000; i++) bins[Math.floor(uniform01(7, `s:${i}`) * 10)]++;
    for (const b of bins) expect(Math.abs(b - 2000)).toBeLessThan(200);
  });
});

describe("allocation-free sha256", () => {
  it("equals node:crypto for lengths across block boundaries and for non-ASCII text", async () => {
    const { createHash } = await import("node:crypto");
    const { sha256Into, utf8Into } = await import("../../src/text/sha256.js");
    const out = new Int32Array(8);
    const buf = new Uint8Array(2048);
    for (const s of ["", "a", "alice went", "x".repeat(55), "y".repeat(56), "z".repeat(64), "w".repeat(119), "é東京𝔘\ud800!".repeat(20)]) {
      const n = utf8Into(s, 0, s.length, buf, 0);
      sha256Into(buf, n, out);
      const hex = Array.from(out, (w) => (w >>> 0).toString(16).padStart(8, "0")).join("");
      expect(hex).toBe(createHash("sha256").update(s, "utf8") /* Node also writes U+FFFD for a lone surrogate */.digest("hex"));
    }
  });
});
