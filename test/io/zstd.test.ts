/**
 * The three Zstandard codecs (src/io/zstd*.ts: libzstd in-process, the zstd command, pure-JS
 * fzstd) against the `zstd` command as the independent peer: each decodes what the peer wrote
 * to the same bytes (one frame, several frames, empty), what each encodes the peer decodes back,
 * damaged streams are told apart (truncated vs corrupt), memory stays bounded, and a machine that
 * can only decode says so in one line before any output exists.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { StreamError } from "../../src/io/stream-error.js";
import { cliZstd } from "../../src/io/zstd-cli.js";
import { jsZstd } from "../../src/io/zstd-js.js";
import { nativeZstd, type ZstdNapi } from "../../src/io/zstd-native.js";
import type { ZstdCodec } from "../../src/io/zstd.js";
import { backendStatus, loadOptional } from "../../src/util/optional.js";
import { runCli } from "../helpers/cli.js";
import { hasTool, IN_CI } from "../helpers/system.js";
import { compress, decompress } from "../helpers/zstd.js";
import { tempDir } from "./helpers.js";

const t = tempDir();
afterAll(() => t.cleanup());

// The peer is required everywhere (test/helpers/zstd.ts); the native backend is required in CI.
if (!hasTool("zstd")) throw new Error("the zstd command is needed by these tests (apt-get install zstd)");
const nativeInstalled = backendStatus("zstd").source !== null;
if (IN_CI && !nativeInstalled) throw new Error("CI must install the native zstd backend (datatailor backends install zstd)");

const codecs: Array<[string, () => Promise<ZstdCodec>]> = [
  ["cli", async () => cliZstd],
  ["js", async () => jsZstd],
];
if (nativeInstalled) codecs.unshift(["native", async () => nativeZstd(await loadOptional<ZstdNapi>("zstd"))]);

/** Text-like bytes: words from a small vocabulary (compressible) with random runs (not too much). */
function textBytes(n: number, seed: number): Buffer {
  const words = ["the", "model", "data", "selection", "token", "corpus", "of", "and", "läuft", "数据", "\n"];
  const parts: string[] = [];
  let s = seed >>> 0;
  let len = 0;
  while (len < n) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const w = s % 97 === 0 ? randomBytes(8).toString("hex") : words[s % words.length]!;
    parts.push(w);
    len += Buffer.byteLength(w) + 1;
  }
  return Buffer.from(parts.join(" ")).subarray(0, n);
}

async function readAllChunks(codec: ZstdCodec, file: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of codec.fileChunks(file)) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a failure");
}

const plain = textBytes(3_000_000, 7);
const oneFrame = path.join(t.dir, "one.zst");
writeFileSync(oneFrame, compress(plain));
const twoFrames = path.join(t.dir, "two.zst");
writeFileSync(twoFrames, Buffer.concat([compress(plain.subarray(0, 1_000_001)), compress(plain.subarray(1_000_001), { compressionLevel: 19 })]));
const empty = path.join(t.dir, "empty.zst");
writeFileSync(empty, Buffer.alloc(0));
const emptyFrame = path.join(t.dir, "empty-frame.zst");
writeFileSync(emptyFrame, compress(Buffer.alloc(0)));
// a frame cut in its middle; one whose magic number is damaged; and (checksummed by the peer) one
// with flipped bytes inside a block
const whole = compress(Buffer.concat([plain, randomBytes(500_000)]));
const truncated = path.join(t.dir, "truncated.zst");
writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length * 0.6)));
const badMagic = path.join(t.dir, "bad-magic.zst");
writeFileSync(badMagic, Buffer.concat([Buffer.from([0x00, 0x11, 0x22, 0x33]), whole.subarray(4)]));
const flipped = path.join(t.dir, "flipped.zst");
const f = Buffer.from(whole);
for (let i = f.length - 200_000; i < f.length - 199_000; i++) f[i] ^= 0x5a;
writeFileSync(flipped, f);

describe.each(codecs)("%s codec", (name, get) => {
  it("decodes what the zstd command wrote to the same bytes: one frame, two frames, an empty frame, an empty file", async () => {
    const codec = await get();
    expect(codec.kind).toBe(name);
    expect((await readAllChunks(codec, oneFrame)).equals(plain)).toBe(true);
    expect((await readAllChunks(codec, twoFrames)).equals(plain)).toBe(true);
    expect((await readAllChunks(codec, emptyFrame)).length).toBe(0);
    expect((await readAllChunks(codec, empty)).length).toBe(0);
  });

  it("decodes a Parquet-style page of known size", async () => {
    const codec = await get();
    const page = plain.subarray(12_345, 12_345 + 300_000);
    expect(Buffer.from(codec.decompressPage(compress(page), page.length)).equals(page)).toBe(true);
  });

  it("tells a truncated stream from a corrupt one", async () => {
    const codec = await get();
    const cut = await failure(readAllChunks(codec, truncated));
    expect(cut).toBeInstanceOf(StreamError);
    expect((cut as StreamError).kind).toBe("truncated");
    const magic = await failure(readAllChunks(codec, badMagic));
    expect(magic).toBeInstanceOf(StreamError);
    expect((magic as StreamError).kind).toBe("corrupt");
    // fzstd does not verify checksums, so only libzstd (in-process or the command) sees flipped bytes
    if (name !== "js") expect(((await failure(readAllChunks(codec, flipped))) as StreamError).kind).toBe("corrupt");
  });

  it("stops cleanly when the reader stops early", async () => {
    const codec = await get();
    let n = 0;
    for await (const c of codec.fileChunks(oneFrame)) {
      n += c.length;
      if (n > 100_000) break;
    }
    expect(n).toBeGreaterThan(100_000);
    // and the file can be read again whole afterwards
    expect((await readAllChunks(codec, oneFrame)).equals(plain)).toBe(true);
  });

  it("keeps memory bounded on a highly compressible stream (~300 MB from ~30 kB)", async () => {
    const codec = await get();
    const file = path.join(t.dir, `zeros-${name}.zst`);
    writeFileSync(file, compress(Buffer.alloc(300e6, 0x61), { compressionLevel: 1 }));
    const base = process.memoryUsage().rss;
    let peak = base;
    let total = 0;
    let biggest = 0;
    for await (const c of codec.fileChunks(file)) {
      total += c.length;
      biggest = Math.max(biggest, c.length);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(total).toBe(300e6);
    expect(biggest).toBeLessThanOrEqual(16 << 20);
    expect(peak - base).toBeLessThan(150e6);
  });

  it("encodes streams that the zstd command decodes back (pure JS: stored blocks, no compression)", async () => {
    const codec = await get();
    for (const input of [plain, Buffer.alloc(0), plain.subarray(0, 128 << 10), plain.subarray(0, (128 << 10) + 1)]) {
      const out = new PassThrough();
      const got: Buffer[] = [];
      out.on("data", (c: Buffer) => got.push(c));
      const done = new Promise((resolve, reject) => {
        out.on("end", resolve);
        out.on("error", reject);
      });
      const w = codec.compressTo(out, 5);
      for (let i = 0; i < input.length; i += 65_536) w.write(input.subarray(i, i + 65_536));
      w.end();
      await done;
      const z = Buffer.concat(got);
      expect(decompress(z).equals(input), `${input.length} bytes`).toBe(true);
      if (input === plain) {
        if (name === "js") expect(z.length).toBeGreaterThan(plain.length); // stored: a 3-byte header per 128 KiB
        else expect(z.length).toBeLessThan(plain.length / 2);
      }
    }
  });

  it("encodes Parquet pages only in-process (a process per page would cost more: Parquet goes SNAPPY)", async () => {
    const codec = await get();
    if (name === "native") expect(decompress(codec.compressPage!(plain, 3)).equals(plain)).toBe(true);
    else expect(codec.compressPage).toBeUndefined();
  });
});

describe("choosing the codec", () => {
  const corpus = path.join(t.dir, "corpus");
  const target = path.join(t.dir, "target.jsonl");
  // every 10th document quotes a target's 3-gram ("solve the algebra"): contaminated at --ngram 3
  const docs = Array.from({ length: 60 }, (_, i) => JSON.stringify({ id: `d${i}`, text: i % 10 === 0 ? `we solve the algebra today ${i}` : `document ${i} about ${i % 2 ? "algebra and equations" : "cooking and recipes"} number ${i}` }));
  writeFileSync(target, Array.from({ length: 10 }, (_, i) => JSON.stringify({ text: `solve the algebra equations ${i}` })).join("\n") + "\n");

  it("a bad DATATAILOR_ZSTD is a usage error in one line", async () => {
    const { mkdirSync } = await import("node:fs");
    mkdirSync(corpus, { recursive: true });
    writeFileSync(path.join(corpus, "a.jsonl.zst"), compress(Buffer.from(docs.join("\n") + "\n")));
    const bad = await runCli(["decontaminate", "--against", target, "--corpus", corpus, "--out", path.join(t.dir, "out-bad")], { env: { ...process.env, DATATAILOR_ZSTD: "fast" } });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe("datatailor: DATATAILOR_ZSTD=fast: expected one of native, cli, js");
  });

  it("with neither libzstd nor the zstd command, .zst is still read and written (stored), and the run says so once", async () => {
    // a PATH with node and nothing else, and an empty backends directory
    const { mkdirSync, symlinkSync, readFileSync, existsSync } = await import("node:fs");
    const bin = path.join(t.dir, "bin-node-only");
    mkdirSync(bin, { recursive: true });
    if (!existsSync(path.join(bin, "node"))) symlinkSync(process.execPath, path.join(bin, "node"));
    const out = path.join(t.dir, "out-bare");
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: bin, DATATAILOR_BACKENDS_DIR: path.join(t.dir, "no-backends") };
    delete env.DATATAILOR_ZSTD;
    const r = await runCli(["decontaminate", "--against", target, "--corpus", corpus, "--out", out, "--ngram", "3"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/no libzstd here/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/install the zstd command or run: datatailor backends install zstd/);
    const clean = decompress(readFileSync(path.join(out, "clean/a.jsonl.zst"))).toString().trim().split("\n");
    expect(clean.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(docs.map((d) => (JSON.parse(d) as { id: string }).id).filter((_, i) => i % 10 !== 0));
  });

  it("Parquet outputs: ZSTD pages with libzstd in-process, SNAPPY otherwise; the same rows either way", async () => {
    const { writeParquetColumns } = await import("../../src/io/parquet-write.js");
    const { openParquetFile, readParquetColumns } = await import("../../src/io/parquet-read.js");
    const { parquetMetadataAsync } = await import("hyparquet");
    const pq = path.join(t.dir, "pq");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(pq, { recursive: true });
    const texts = docs.map((d) => (JSON.parse(d) as { text: string }).text);
    await writeParquetColumns(path.join(pq, "a.parquet"), { id: texts.map((_, i) => `d${i}`), text: texts });
    const got: Record<string, { codecs: string[]; rows: unknown }> = {};
    for (const forced of nativeInstalled ? ["native", "cli", "js"] : ["cli", "js"]) {
      const out = path.join(t.dir, `pq-out-${forced}`);
      const r = await runCli(["decontaminate", "--against", target, "--corpus", pq, "--out", out, "--ngram", "3"], { env: { ...process.env, DATATAILOR_ZSTD: forced } });
      expect(r.code, r.stderr).toBe(0);
      const file = path.join(out, "clean/a.parquet");
      const { file: buf, close } = await openParquetFile(file);
      const meta = await parquetMetadataAsync(buf);
      await close();
      got[forced] = { codecs: [...new Set(meta.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data!.codec)))], rows: await readParquetColumns(file) };
    }
    if (nativeInstalled) expect(got.native!.codecs).toEqual(["ZSTD"]);
    expect(got.cli!.codecs).toEqual(["SNAPPY"]);
    expect(got.js!.codecs).toEqual(["SNAPPY"]);
    expect(got.cli!.rows).toEqual(got.js!.rows);
    if (nativeInstalled) expect(got.native!.rows).toEqual(got.cli!.rows);
    expect((got.js!.rows as { id: string[] }).id).toHaveLength(54);
  });

  it("the zstd command writes outputs the peer reads, with the same documents as the default codec", async () => {
    const outs: string[] = [];
    for (const forced of ["cli", undefined]) {
      const out = path.join(t.dir, `out-${forced ?? "default"}`);
      const env = { ...process.env };
      if (forced) env.DATATAILOR_ZSTD = forced;
      else delete env.DATATAILOR_ZSTD;
      const r = await runCli(["decontaminate", "--against", target, "--corpus", corpus, "--out", out, "--ngram", "3"], { env });
      expect(r.code, r.stderr).toBe(0);
      const { readFileSync } = await import("node:fs");
      outs.push(decompress(readFileSync(path.join(out, "clean/a.jsonl.zst"))).toString() + "|" + decompress(readFileSync(path.join(out, "contaminated/a.jsonl.zst"))).toString());
    }
    expect(outs[0]).toBe(outs[1]);
    const [clean, dirty] = outs[0]!.split("|").map((s) => s.trim().split("\n").map((l) => (JSON.parse(l) as { id: string }).id));
    expect(dirty).toEqual(["d0", "d10", "d20", "d30", "d40", "d50"]);
    expect(clean).toHaveLength(54);
  });
});
