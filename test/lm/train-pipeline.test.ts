/**
 * The lm train pipeline step: the ARPA it writes is the one-thread model's bytes whether the
 * counting thread runs (forced here on a small text: it then formats half of every section) or
 * not; the thread starts only for a text of at least threadFromBytes, known from a file's size or
 * from the bytes read on a stream; the summary counts what was written.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { CountThread } from "../../src/backends/lm/ngram-train.js";
import { arpaChunks } from "../../src/models/ngram/arpa-write.js";
import { trainNgram } from "../../src/models/ngram/train.js";
import { trainLm } from "../../src/pipelines/lm/train.js";
import { SHARED_DATA } from "../helpers/cli.js";

const TRAIN = path.join(SHARED_DATA, "lm/kenlm-shakespeare/train.txt");
const text = readFileSync(TRAIN);
const size = statSync(TRAIN).size;
const oneThread = (order: number) => {
  const m = trainNgram(text, { order });
  return Buffer.concat([...arpaChunks(m.trie, m.estimate, m.vocab)]);
};
const dir = mkdtempSync(path.join(tmpdir(), "dt-lm-train-pipeline-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** A sink that keeps what is written. */
function memorySink(): { stream: Writable; bytes: () => Buffer } {
  const parts: Buffer[] = [];
  const stream = new Writable({
    write(c: Buffer, _enc, cb) {
      parts.push(Buffer.from(c));
      cb();
    },
  });
  return { stream, bytes: () => Buffer.concat(parts) };
}

describe("lm train pipeline", () => {
  it("with the thread forced on a small file: the one-thread bytes in the file", async () => {
    const start = vi.spyOn(CountThread, "start");
    const out = path.join(dir, "forced.arpa");
    const s = await trainLm({ path: TRAIN }, { order: 4, memory: Infinity, threadFromBytes: size }, { path: out });
    expect(start).toHaveBeenCalledTimes(1);
    const want = oneThread(4);
    expect(readFileSync(out).equals(want)).toBe(true);
    expect(s.bytes).toBe(want.length);
    expect(s).toMatchObject({ order: 4, text: TRAIN, output: out });
  });

  it("below the threshold no thread starts, and the bytes are the same", async () => {
    const start = vi.spyOn(CountThread, "start");
    const out = path.join(dir, "small.arpa");
    await trainLm({ path: TRAIN }, { order: 3, memory: Infinity, threadFromBytes: size + 1 }, { path: out });
    expect(start).not.toHaveBeenCalled();
    expect(readFileSync(out).equals(oneThread(3))).toBe(true);
  });

  it("from a stream to a stream: the threshold is checked against the bytes read", async () => {
    const start = vi.spyOn(CountThread, "start");
    const sink = memorySink();
    const chunks = [text.subarray(0, 1000), text.subarray(1000)];
    const s = await trainLm({ stream: Readable.from(chunks), name: "stdin" }, { order: 3, memory: Infinity, threadFromBytes: size }, { stream: sink.stream, name: "stdout" });
    expect(start).toHaveBeenCalledTimes(1);
    expect(sink.bytes().equals(oneThread(3))).toBe(true);
    expect(s).toMatchObject({ text: "stdin", output: "stdout", bytes: sink.bytes().length });

    start.mockClear();
    const small = memorySink();
    await trainLm({ stream: Readable.from(chunks), name: "stdin" }, { order: 3, memory: Infinity, threadFromBytes: size + 1 }, { stream: small.stream, name: "stdout" });
    expect(start).not.toHaveBeenCalled();
    expect(small.bytes().equals(oneThread(3))).toBe(true);
  });

  it("a text that cannot be read names it", async () => {
    const missing = path.join(dir, "absent.txt");
    await expect(trainLm({ path: missing }, { order: 3, memory: Infinity }, { path: path.join(dir, "x.arpa") })).rejects.toThrow(`cannot read ${missing} (ENOENT)`);
  });

  it("an unwritable output fails before any training; a failed training leaves no file, not even a temporary one", async () => {
    const blocker = path.join(dir, "blocker");
    writeFileSync(blocker, "a file where a directory should be");
    const log: string[] = [];
    await expect(trainLm({ path: TRAIN }, { order: 3, memory: Infinity, log: (m) => log.push(m) }, { path: path.join(blocker, "m.arpa") })).rejects.toThrow(`cannot write ${path.join(blocker, "m.arpa")} (ENOTDIR)`);
    expect(log).toEqual([]); // nothing trained: no summary logged
    const outDir = path.join(dir, "failed");
    mkdirSync(outDir);
    // a budget of 1 byte: training stops with MemoryBudgetError after the output was opened
    await expect(trainLm({ path: TRAIN }, { order: 3, memory: 1 }, { path: path.join(outDir, "m.arpa") })).rejects.toThrow(/memory|budget/i);
    expect(readdirSync(outDir)).toEqual([]);
  });
});
