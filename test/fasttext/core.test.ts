/** The pure fastText core: hashing, RNG, number formatting, model bytes, determinism. */
import { describe, expect, it } from "vitest";
import { fnv1a, wordNgramBuckets, MinStd, FastTextModel, DenseMatrix } from "../../src/models/fasttext/index.js";
import { formatG } from "../../src/cli/fasttext-format.js";
import { FastText, type LabeledText } from "../../src/backends/fasttext/index.js";

const enc = (s: string) => new TextEncoder().encode(s);

describe("fastText hashing", () => {
  it("FNV-1a over sign-extended bytes", () => {
    // ASCII values are the standard FNV-1a 32 test vectors; non-ASCII bytes are sign-extended
    // (fastText XORs uint32(int8(b))), which gives different values from plain FNV-1a.
    expect(fnv1a(enc(""))).toBe(2166136261);
    expect(fnv1a(enc("a"))).toBe(0xe40c292c);
    expect(fnv1a(enc("foobar"))).toBe(0xbf9cf968);
    expect(fnv1a(enc("</s>"))).toBe(3617362777);
    expect(fnv1a(enc("é"))).toBe(1023043777);
    expect(fnv1a(enc("crème"))).toBe(916345469);
    expect(fnv1a(enc("日本"))).toBe(4164387409);
  });

  it("word n-gram buckets equal 64-bit arithmetic (BigInt reference)", () => {
    const rng = new MinStd(7);
    const hashes = Int32Array.from({ length: 40 }, () => (rng.next() * 2) | 0);
    for (const bucket of [1, 97, 2000000, 10000019, 2147483647]) {
      for (const n of [2, 3, 5]) {
        const got: number[] = [];
        wordNgramBuckets(hashes, 0, hashes.length, n, bucket, (id) => got.push(id));
        const want: number[] = [];
        const M = (1n << 64n) - 1n;
        for (let i = 0; i < hashes.length; i++) {
          let h = BigInt.asUintN(64, BigInt(hashes[i]));
          for (let j = i + 1; j < hashes.length && j < i + n; j++) {
            h = (h * 116049371n + BigInt.asUintN(64, BigInt(hashes[j]))) & M;
            want.push(Number(h % BigInt(bucket)));
          }
        }
        expect(got).toEqual(want);
      }
    }
  });
});

describe("fast paths give the reference results", () => {
  it("bigram buckets at the int32 edges equal 64-bit arithmetic", () => {
    const edge = [0, -1, 1, 2147483647, -2147483648, 116049371, -116049371, 3617362777 | 0];
    const hashes = Int32Array.from(edge.flatMap((a) => edge.flatMap((b) => [a, b])));
    for (const bucket of [1, 2, 97, 100000, 1000000, 2000000, 67108863]) {
      const got: number[] = [];
      wordNgramBuckets(hashes, 0, hashes.length, 2, bucket, (id) => got.push(id));
      const want: number[] = [];
      for (let i = 0; i + 1 < hashes.length; i++) {
        const h = BigInt.asUintN(64, BigInt.asUintN(64, BigInt(hashes[i])) * 116049371n + BigInt.asUintN(64, BigInt(hashes[i + 1])));
        want.push(Number(h % BigInt(bucket)));
      }
      expect(got).toEqual(want);
    }
  });

  it("summing rows in blocks rounds exactly like one float32 row at a time", () => {
    const rng = new MinStd(11);
    for (const dim of [1, 3, 16, 100]) {
      const rows = 50;
      const m = new DenseMatrix(rows, dim, Float32Array.from({ length: rows * dim }, () => (rng.next() / 2147483647 - 0.5) * 10 ** (rng.uniformInt(6) - 3)));
      for (const count of [0, 1, 3, 4, 5, 7, 8, 9, 12, 17, 40]) {
        const ids = Int32Array.from({ length: count }, () => rng.uniformInt(rows - 1));
        const got = new Float32Array(dim);
        m.addRowsToVector(got, ids, count);
        const want = new Float32Array(dim);
        for (let k = 0; k < count; k++) for (let j = 0; j < dim; j++) want[j] = Math.fround(want[j] + m.data[ids[k] * dim + j]);
        expect(Array.from(got)).toEqual(Array.from(want));
      }
    }
  });
});

describe("minstd_rand", () => {
  it("matches the C++ standard's check value", () => {
    // [rand.predef]: the 10000th invocation of a default-constructed minstd_rand is 399268537
    const r = new MinStd(1);
    let v = 0;
    for (let i = 0; i < 10000; i++) v = r.next();
    expect(v).toBe(399268537);
    expect(new MinStd(0).next()).toBe(48271); // seed 0 is replaced by 1
  });
});

describe("iostream number formatting", () => {
  it("prints like %g", () => {
    const cases: Array<[number, number, string]> = [
      [0.5873333, 3, "0.587"],
      [1, 3, "1"],
      [0.1, 3, "0.1"],
      [0.0017771, 6, "0.0017771"],
      [1.00001, 6, "1.00001"],
      [0.000012345678, 6, "1.23457e-05"],
      [123456789, 6, "1.23457e+08"],
      [100000, 6, "100000"],
      [0, 6, "0"],
      [-0.00312, 5, "-0.00312"],
    ];
    for (const [x, p, s] of cases) expect(formatG(x, p)).toBe(s);
  });
});

function toyData(n: number, seed: number): LabeledText[] {
  const rng = new MinStd(seed);
  const topics = {
    sport: ["ball", "goal", "team", "match", "score", "coach", "league"],
    food: ["bread", "oven", "salt", "sauce", "bake", "flour", "butter"],
    tech: ["chip", "code", "cloud", "data", "server", "robot", "phone"],
  };
  const names = Object.keys(topics) as Array<keyof typeof topics>;
  const common = ["the", "a", "of", "and", "is", "new", "big"];
  const out: LabeledText[] = [];
  for (let i = 0; i < n; i++) {
    const t = names[rng.uniformInt(2)];
    const words: string[] = [];
    const len = 4 + rng.uniformInt(8);
    for (let j = 0; j < len; j++) words.push(rng.uniformInt(2) === 0 ? common[rng.uniformInt(6)] : topics[t][rng.uniformInt(6)]);
    out.push({ labels: [`__label__${t}`], text: words.join(" ") });
  }
  return out;
}

describe("training and the model file", () => {
  const data = toyData(600, 1);
  const args = { thread: 1, seed: 3, epoch: 5, dim: 16, wordNgrams: 2, bucket: 5000, minn: 2, maxn: 4, lr: 0.5 };

  it("is deterministic with -thread 1 and a seed, and the seed matters", async () => {
    const a = await FastText.train(args, data);
    const b = await FastText.train(args, data);
    const c = await FastText.train({ ...args, seed: 4 }, data);
    expect(Buffer.from(a.toBuffer()).equals(Buffer.from(b.toBuffer()))).toBe(true);
    expect(Buffer.from(a.toBuffer()).equals(Buffer.from(c.toBuffer()))).toBe(false);
  });

  it("learns the toy topics with every loss", async () => {
    const held = toyData(300, 2);
    for (const loss of ["softmax", "ova", "hs", "ns"] as const) {
      const ft = await FastText.train({ ...args, loss }, data);
      const r = await ft.test(held);
      expect(r.n).toBe(300);
      expect(r.precision, loss).toBeGreaterThan(0.9);
    }
  });

  it("trains with two Hogwild worker threads", async () => {
    let last = { progress: 0, wordsPerSecPerThread: 0, loss: 0 };
    const ft = await FastText.train({ ...args, thread: 2 }, data, { onProgress: (p) => (last = p) });
    expect(last.progress).toBe(1);
    expect(last.wordsPerSecPerThread).toBeGreaterThan(0);
    expect((await ft.test(toyData(300, 2))).precision).toBeGreaterThan(0.9);
  });

  it("is trained in place inside its own .bin image, byte for byte what serialising it gives", async () => {
    for (const thread of [1, 2]) {
      const ft = await FastText.train({ ...args, thread }, data);
      const img = ft.model.image!;
      expect(img.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(img.bytes().byteOffset).toBe(img.pad);
      // the input matrix is a view of the image, aligned
      const input = (ft.model.input as unknown as { data: Float32Array }).data;
      expect(input.buffer).toBe(img.buffer);
      expect(input.byteOffset % 4).toBe(0);
      const fromImage = Buffer.from(img.bytes());
      ft.model.image = undefined;
      expect(fromImage.equals(Buffer.from(ft.toBuffer())), `thread ${thread}`).toBe(true);
    }
  });

  it("round-trips its bytes and predictions", async () => {
    const ft = await FastText.train(args, data);
    const bytes = ft.toBuffer();
    const back = FastText.fromBuffer(bytes);
    expect(Buffer.from(back.toBuffer()).equals(Buffer.from(bytes))).toBe(true);
    expect(back.labels).toEqual(ft.labels);
    for (const ex of data.slice(0, 20)) expect(back.predict(ex.text, 3)).toEqual(ft.predict(ex.text, 3));
    // probability() agrees with predict() for the top label, and is p + 1e-5 like predict-prob
    const top = ft.predict("the oven and the bread", 1)[0];
    expect(ft.probability("the oven and the bread", top.label)).toBeCloseTo(top.prob, 6);
    expect(top.label).toBe("__label__food");
    expect(() => ft.probability("x", "__label__nope")).toThrow(/not in the model/);
  });

  it("trains the same from a file and from an iterable (sync or async)", async () => {
    const { writeFileSync, mkdtempSync } = await import("node:fs");
    const path = await import("node:path");
    const os = await import("node:os");
    const dir = mkdtempSync(path.join(os.tmpdir(), "dt-ft-core-"));
    const file = path.join(dir, "train.txt");
    writeFileSync(file, data.map((d) => `${d.labels.join(" ")} ${d.text}`).join("\n") + "\n");
    const fromFile = await FastText.train(args, file);
    const fromIter = await FastText.train(args, data);
    async function* gen() {
      yield* data;
    }
    const fromAsync = await FastText.train(args, gen());
    expect(Buffer.from(fromFile.toBuffer()).equals(Buffer.from(fromIter.toBuffer()))).toBe(true);
    expect(Buffer.from(fromAsync.toBuffer()).equals(Buffer.from(fromIter.toBuffer()))).toBe(true);
    await fromFile.saveFile(path.join(dir, "m.bin"));
    const loaded = await FastText.loadFile(path.join(dir, "m.bin"));
    expect(loaded.predict("goal team", 2)).toEqual(fromFile.predict("goal team", 2));
    expect(Buffer.from(loaded.toBuffer()).equals(Buffer.from(fromFile.toBuffer()))).toBe(true);
  });

  it("loads files whose matrices start at every byte alignment (views, moved into place)", async () => {
    const { writeFileSync, mkdtempSync } = await import("node:fs");
    const path = await import("node:path");
    const os = await import("node:os");
    const dir = mkdtempSync(path.join(os.tmpdir(), "dt-ft-align-"));
    // the label prefix is stored in the args block: its length shifts every later byte
    const fileOffsets = new Set<number>();
    for (const extra of [0, 1, 2, 3]) {
      const label = "__label__" + "x".repeat(extra);
      const d = data.slice(0, 200).map((ex) => ({ labels: ex.labels.map((l) => l.replace("__label__", label)), text: ex.text }));
      const ft = await FastText.train({ ...args, label }, d);
      const bytes = ft.toBuffer();
      const file = path.join(dir, `m${extra}.bin`);
      writeFileSync(file, bytes);
      const loaded = await FastText.loadFile(file);
      const input = loaded.model.input as DenseMatrix;
      const output = loaded.model.output as DenseMatrix;
      // where the input matrix's floats start in the file: before the qout flag, the output header and rows
      fileOffsets.add((bytes.length - output.data.length * 4 - 17 - input.data.length * 4) & 3);
      expect(input.data.byteOffset & 3).toBe(0);
      expect(input.data.buffer.byteLength).toBeLessThan(bytes.length + 8); // a view of the file buffer, not a copy
      expect(Buffer.from(loaded.toBuffer()).equals(Buffer.from(bytes))).toBe(true);
      for (const ex of d.slice(0, 10)) expect(loaded.predict(ex.text, 2)).toEqual(ft.predict(ex.text, 2));
    }
    expect(fileOffsets.size).toBeGreaterThan(2);
  });

  it("treats newlines in predict text as spaces", async () => {
    const ft = await FastText.train(args, data);
    expect(ft.predict("the oven\nand\r\nthe bread", 2)).toEqual(ft.predict("the oven and the bread", 2));
  });

  it("rejects malformed model files with a clear message", async () => {
    const ft = await FastText.train({ ...args, maxn: 0, wordNgrams: 1 }, data);
    const bytes = ft.toBuffer();
    expect(() => FastText.fromBuffer(bytes.slice(0, 3))).toThrow(/shorter than its header/);
    const bad = bytes.slice();
    bad[0] ^= 0xff;
    expect(() => FastText.fromBuffer(bad)).toThrow(/bad magic/);
    expect(() => FastText.fromBuffer(bytes.slice(0, bytes.length - 10))).toThrow(/truncated/);
    expect(() => FastText.fromBuffer(bytes.slice(0, 200))).toThrow(/truncated|invalid/);
    const extra = new Uint8Array(bytes.length + 4);
    extra.set(bytes);
    expect(() => FastText.fromBuffer(extra)).toThrow(/trailing bytes/);
    expect(() => FastTextModel.fromBytes(new Uint8Array(0))).toThrow();
  });

  it("rejects bad training input", async () => {
    await expect(FastText.train(args, [{ labels: ["sport"], text: "ball" }])).rejects.toThrow(/must start with '__label__'/);
    await expect(FastText.train(args, [{ labels: [], text: "ball goal" }])).rejects.toThrow(/no labels/);
    await expect(FastText.train({ ...args, dim: 0 }, data)).rejects.toThrow(/dim/);
    // @ts-expect-error a loss name outside the type is refused at run time too (CLI input is untyped)
    await expect(FastText.train({ ...args, loss: "nope" }, data)).rejects.toThrow(/unknown loss/);
  });
});
