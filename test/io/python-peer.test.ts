/**
 * Parity with Python's json module on real corpora from ../shared/data: same number of records,
 * same ids (Python's `str(id)` for string ids, `<file>:<line>` otherwise) and the same text,
 * compared through a SHA-256 of every text, also through .gz and .zst re-encodings.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { discoverShards } from "../../src/io/index.js";
import { SHARED_DATA } from "../helpers/cli.js";
import { DEBIAN_PYTHON, hasTool, requireTool } from "../helpers/system.js";
import { encode, readAll, tempDir } from "./helpers.js";

const t = tempDir();
afterAll(() => t.cleanup());

const FILES = ["corpora/nltk-corpora/brown.jsonl", "corpora/nltk-corpora/webtext.jsonl", "corpora/c4-olmo-fixtures/c4-sample.01.jsonl"];

const PY = `
import hashlib, json, sys
path, rel = sys.argv[1], sys.argv[2]
h = hashlib.sha256(); n = 0
with open(path, 'rb') as f:
    for i, line in enumerate(f, 1):
        if not line.strip(): continue
        d = json.loads(line)
        rid = d.get('id')
        rid = rid if isinstance(rid, str) else (str(rid) if isinstance(rid, int) and not isinstance(rid, bool) else f'{rel}:{i}')
        h.update(rid.encode('utf-8') + b'\\0' + d['text'].encode('utf-8') + b'\\0'); n += 1
print(n, h.hexdigest())
`;

describe("JSONL parity with python json", () => {
  const ok = requireTool("python3", hasTool(DEBIAN_PYTHON));
  it.skipIf(!ok)("same records, ids and texts on real corpora, plain and compressed", async () => {
    const { shards } = await discoverShards(FILES.map((f) => path.join(SHARED_DATA, f)));
    expect(shards.length).toBe(3);
    for (const shard of shards) {
      const raw = readFileSync(shard.path);
      for (const format of ["jsonl", "jsonl.gz", "jsonl.zst"] as const) {
        const name = `${path.basename(shard.rel, ".jsonl")}.${format}`;
        const file = path.join(t.dir, name);
        writeFileSync(file, encode(raw, format));
        const [pyN, pyHash] = execFileSync(DEBIAN_PYTHON, ["-c", PY, shard.path, name], { encoding: "utf8" }).trim().split(" ");
        const { records, bad } = await readAll(file);
        expect(bad.total).toBe(0);
        const h = createHash("sha256");
        for (const r of records) h.update(`${r.id}\0${r.text}\0`);
        expect([String(records.length), h.digest("hex")]).toEqual([pyN, pyHash]);
      }
    }
  });
});
