/**
 * A small real corpus for select's end-to-end tests: 400 docs of DSIR's toy Pile sample
 * (14 labelled domains) in four shards of four formats, plus one bad JSON line.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import os from "node:os";
import path from "node:path";
import { compress } from "../helpers/zstd.js";
import { parquetWriteBuffer } from "hyparquet-writer";
import { SHARED_DATA } from "../helpers/cli.js";

export interface FixtureDoc {
  id: string;
  text: string;
  metadata: { domain: string };
  n: number;
}

export function pileDocs(): FixtureDoc[] {
  return readFileSync(path.join(SHARED_DATA, "corpora/pile-toy-dsir/toy_pile_data.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l, n) => {
      const r = JSON.parse(l) as { contents: string; metadata: { pile_set_name: string } };
      return { id: `pile-${n}`, text: r.contents, metadata: { domain: r.metadata.pile_set_name }, n };
    });
}

/** Writes the corpus; returns its directory. Lines keep an unusual field order and spacing so byte-exact copies can be checked. */
export function buildCorpus(docs = pileDocs().slice(0, 400)): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dt-select-corpus-"));
  mkdirSync(path.join(dir, "sub"), { recursive: true });
  const line = (d: FixtureDoc) => `{"n": ${d.n}, "text": ${JSON.stringify(d.text)}, "metadata": ${JSON.stringify(d.metadata)}}`;
  const a = docs.slice(0, 150).map(line);
  a.splice(70, 0, '{"text": "broken'); // line 71 is bad JSON
  writeFileSync(path.join(dir, "a.jsonl"), a.join("\n") + "\n");
  writeFileSync(path.join(dir, "sub/b.jsonl.gz"), gzipSync(docs.slice(150, 250).map(line).join("\n") + "\n"));
  writeFileSync(path.join(dir, "sub/c.jsonl.zst"), compress(Buffer.from(docs.slice(250, 350).map(line).join("\n") + "\n")));
  const p = docs.slice(350, 400);
  const buf = parquetWriteBuffer({
    columnData: [
      { name: "id", data: p.map((d) => d.id), type: "STRING" },
      { name: "text", data: p.map((d) => d.text), type: "STRING" },
      { name: "domain", data: p.map((d) => d.metadata.domain), type: "STRING" },
    ],
  });
  writeFileSync(path.join(dir, "d.parquet"), new Uint8Array(buf));
  return dir;
}

/** Relative path → bytes of every regular file under `root/sub`, for byte-identity checks. */
export function snapshot(root: string, subdirs: string[]): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (abs: string, rel: string) => {
    for (const name of readdirSync(abs).sort()) {
      const a = path.join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(a).isDirectory()) walk(a, r);
      else out.set(r, readFileSync(a));
    }
  };
  for (const s of subdirs) walk(path.join(root, s), s);
  return out;
}
