import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BadInputError, type ShardFormat } from "../../src/io/index.js";
import { encode, readAll, tempDir } from "./helpers.js";

const t = tempDir();
afterAll(() => t.cleanup());

const FORMATS: Array<[ShardFormat, string]> = [
  ["jsonl", ".jsonl"],
  ["jsonl.gz", ".jsonl.gz"],
  ["jsonl.zst", ".jsonl.zst"],
];

function write(name: string, content: string | Buffer): string {
  const p = path.join(t.dir, name);
  writeFileSync(p, content);
  return p;
}

describe("JSONL reading", () => {
  for (const [format, ext] of FORMATS) {
    it(`reads ${format}: ids, default ids, metadata, line numbers, blank lines skipped`, async () => {
      const text =
        '{"id":"a","text":"first","metadata":{"src":"x"}}\n' +
        "\n" +
        '{"text":"no id here","extra":[1,2]}\n' +
        "   \r\n" +
        '{"id":7,"text":"numeric id"}'; // no final newline
      const file = write(`basic${ext}`, encode(text, format));
      const { records, bad, stats } = await readAll(file);
      expect(records.map((r) => r.id)).toEqual(["a", `basic${ext}:3`, "7"]);
      expect(records.map((r) => r.line)).toEqual([1, 3, 5]);
      expect(records[0]!.metadata).toEqual({ src: "x" });
      expect(records[1]!.fields).toEqual({ text: "no id here", extra: [1, 2] });
      expect(Buffer.from(records[1]!.raw!).toString()).toBe('{"text":"no id here","extra":[1,2]}');
      expect(bad.total).toBe(0);
      expect(stats).toMatchObject({ read: 3, rejected: 0, blank: 2 });
    });
  }

  it("counts each malformed line with file, line and reason and keeps going", async () => {
    const lines = [
      '{"text":"ok 1"}',
      "this is not json",
      '{"id":"x"}',
      '{"text":42}',
      '["text"]',
      '{"text":"ok 2"}',
    ];
    const buf = Buffer.concat([
      Buffer.from(lines.join("\n") + "\n"),
      Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]), // {"text":"\xff\xfe"}
      Buffer.from('{"text":"ok 3"}\n'),
    ]);
    const file = write("bad.jsonl", buf);
    const { records, bad, stats } = await readAll(file);
    expect(records.map((r) => r.text)).toEqual(["ok 1", "ok 2", "ok 3"]);
    expect(records.map((r) => r.line)).toEqual([1, 6, 8]);
    expect(bad.examples().map((e) => [e.file, e.line, e.reason])).toEqual([
      ["bad.jsonl", 2, "invalid_json"],
      ["bad.jsonl", 3, "missing_text"],
      ["bad.jsonl", 4, "text_not_string"],
      ["bad.jsonl", 5, "not_object"],
      ["bad.jsonl", 7, "invalid_utf8"],
    ]);
    expect(bad.byReason()).toEqual({ invalid_json: 1, invalid_utf8: 1, missing_text: 1, not_object: 1, text_not_string: 1 });
    expect(bad.byFile().get("bad.jsonl")).toBe(5);
    expect(stats).toMatchObject({ read: 8, rejected: 5 });
  });

  it("an empty file (or only blank lines) is zero records, not a bad input line", async () => {
    for (const [name, content, blank] of [
      ["empty.jsonl", "", 0],
      ["blank.jsonl", "\n\n  \n", 3],
      ["empty.jsonl.gz", encode("", "jsonl.gz"), 0],
      ["empty.jsonl.zst", encode("", "jsonl.zst"), 0],
    ] as const) {
      const { records, bad, stats } = await readAll(write(name, content));
      expect(records).toEqual([]);
      expect(bad.total).toBe(0);
      expect(stats).toMatchObject({ read: 0, rejected: 0, blank });
    }
  });

  it("keeps integer ids above 2^53 exactly as written (and any numeric id's spelling)", async () => {
    const text =
      '{"id":12345678901234567890,"text":"a"}\n' +
      '{"text":"b","id":12345678901234567891}\n' +
      '{"meta":{"id":1},"s":"x\\"}","id" : -9007199254740993 ,"text":"c"}\n' +
      '{"id":1.50,"text":"d"}\n' +
      '{"id":7,"text":"e","id":98765432109876543210}\n';
    for (const [format, ext] of FORMATS) {
      const { records, bad } = await readAll(write(`bigids${ext}`, encode(text, format)));
      expect(bad.total).toBe(0);
      expect(records.map((r) => r.id)).toEqual(["12345678901234567890", "12345678901234567891", "-9007199254740993", "1.50", "98765432109876543210"]);
      // What JSON.parse alone gives, the collision this prevents:
      expect(String(JSON.parse("12345678901234567890"))).toBe(String(JSON.parse("12345678901234567891")));
    }
  });

  it("counts duplicate ids (own ids only) and blank lines, and names the first duplicate", async () => {
    const text = '{"id":"a","text":"1"}\n\n{"id":"b","text":"2"}\n{"id":"a","text":"3"}\n   \n{"text":"4"}\n{"id":5,"text":"5"}\n{"id":5,"text":"6"}\n{"id":"a","text":"7"}\n';
    const { records, stats } = await readAll(write("dups.jsonl", text));
    expect(records).toHaveLength(7); // duplicates are still records
    expect(stats).toMatchObject({ read: 7, rejected: 0, blank: 2, duplicateIds: 3, firstDuplicate: { id: "a", line: 4 } });
  });

  it("a truncated .zst too small to decode any block says so instead of 'after line 0'", async () => {
    const full = encode(Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: i, text: `doc ${i}` })).join("\n") + "\n", "jsonl.zst");
    const file = write("small-cut.jsonl.zst", full.subarray(0, full.length - 10));
    const { records, bad } = await readAll(file);
    expect(records).toEqual([]);
    const ex = bad.examples()[0]!;
    expect(ex).toMatchObject({ line: 1, reason: "truncated_stream" });
    expect(ex.detail).not.toMatch(/after line 0/);
    expect(ex.detail).toMatch(/from line 1 on is lost/);
    await expect(readAll(file, { strict: true })).rejects.toThrow(/\(line 1\).*from line 1 on is lost/);
  });

  for (const [format, ext] of FORMATS.slice(1)) {
    it(`detects a truncated ${format} stream, keeps the complete lines before it`, async () => {
      const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ id: i, text: `document number ${i} ${"x".repeat(i % 97)}` }));
      const full = encode(lines.join("\n") + "\n", format);
      const file = write(`cut${ext}`, full.subarray(0, Math.floor(full.length * 0.6)));
      const { records, bad, stats } = await readAll(file);
      expect(records.length).toBeGreaterThan(100);
      expect(records.length).toBeLessThan(5000);
      // The records before the cut are intact and in order.
      records.forEach((r, i) => expect(r.id).toBe(String(i)));
      const ex = bad.examples();
      expect(ex).toHaveLength(1);
      expect(ex[0]).toMatchObject({ file: `cut${ext}`, line: records.length + 1, reason: "truncated_stream" });
      expect(ex[0]!.detail).toContain(`lines 1-${records.length} were read; from line ${records.length + 1} on is lost`);
      expect(stats.read).toBe(records.length + 1);
      expect(stats.rejected).toBe(1);
    });
  }

  it("a corrupt gzip stream is reported, not accepted", async () => {
    const full = encode('{"text":"a"}\n'.repeat(1000), "jsonl.gz");
    full[20] ^= 0xff;
    full[40] ^= 0xff;
    const { bad } = await readAll(write("corrupt.jsonl.gz", full));
    expect(bad.total).toBe(1);
    expect(["corrupt_stream", "truncated_stream"]).toContain(bad.examples()[0]!.reason);
  });

  it("lines spanning chunk boundaries and multi-byte characters survive", async () => {
    const big = "é€😀".repeat(300_000); // ~2.7 MB, crosses several 1 MB read chunks mid-character
    const file = write("long.jsonl", `${JSON.stringify({ text: big })}\n${JSON.stringify({ text: "short" })}\n`);
    const { records, bad } = await readAll(file);
    expect(bad.total).toBe(0);
    expect(records.map((r) => r.text.length)).toEqual([big.length, 5]);
    expect(records[0]!.text === big).toBe(true);
  });

  it("a UTF-8 byte-order mark at the start is ignored", async () => {
    const file = write("bom.jsonl", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"text":"a"}\n')]));
    const { records, bad } = await readAll(file);
    expect(bad.total).toBe(0);
    expect(records[0]!.text).toBe("a");
  });

  it("--strict: the first bad input throws a BadInputError naming file and line, exit code 3", async () => {
    const file = write("strict.jsonl", '{"text":"ok"}\n{"text":"ok"}\n{oops\n');
    const err = await readAll(file, { strict: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as BadInputError).exitCode).toBe(3);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toContain("line 3");
    expect((err as Error).message).toContain("invalid_json");
    const cut = encode('{"text":"a"}\n'.repeat(2000), "jsonl.zst");
    const f2 = write("strict.jsonl.zst", cut.subarray(0, cut.length - 5));
    const e2 = await readAll(f2, { strict: true }).catch((e: unknown) => e);
    expect((e2 as Error).message).toMatch(/strict\.jsonl\.zst \(line \d+\): truncated_stream/);
  });
});
