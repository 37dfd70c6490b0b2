/**
 * adapt similarity end to end (CLI): the same seed gives the same numbers; a planted shift
 * (domain = reference-like text + a distinct corpus) raises every distance, with the obvious
 * orderings same < half shifted < fully shifted; bad input fails with one line.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { runCli } from "../helpers/cli.js";
import { duckdbPresent, loadDuckdb } from "../helpers/duckdb.js";
import { plantedShift, tmpDir, writeJsonl } from "./fixtures.js";

interface Sim {
  mmd2: number;
  frechet: number;
  bandwidth: number;
  pValue: number;
  klDomainToReference: number;
  klReferenceToDomain: number;
  coverage: number;
  vocabOverlap: number;
  oovRate: number;
  risk: string;
  thresholds: { source: string };
  details: { seconds: number; samples: { domain: number; reference: number } };
}

const SMALL = ["--sample-domain", "200", "--sample-reference", "240", "--permutations", "99", "--json"];

async function similarity(domain: string, reference: string, extra: string[] = []): Promise<Sim> {
  const r = await runCli(["adapt", "similarity", "--domain", domain, "--reference", reference, ...SMALL, ...extra]);
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Sim;
}

describe("adapt similarity", () => {
  let dir: string;
  let files: ReturnType<typeof plantedShift>;
  beforeAll(() => {
    dir = tmpDir();
    files = plantedShift(dir);
  });

  it("gives identical results for a seed, and another sample for another seed", async () => {
    const a = await similarity(files.half, files.reference, ["--seed", "7"]);
    const b = await similarity(files.half, files.reference, ["--seed", "7"]);
    const c = await similarity(files.half, files.reference, ["--seed", "8"]);
    const strip = (s: Sim) => ({ ...s, details: { ...s.details, seconds: 0 } });
    expect(strip(a)).toEqual(strip(b));
    expect(a.details.samples.domain).toBe(200);
    expect(c.mmd2).not.toBe(a.mmd2);
  });

  it("a planted shift raises every distance; same < half < far", async () => {
    const same = await similarity(files.same, files.reference);
    const half = await similarity(files.half, files.reference);
    const far = await similarity(files.far, files.reference);
    for (const [lo, hi] of [
      [same, half],
      [half, far],
    ] as const) {
      expect(hi.mmd2).toBeGreaterThan(lo.mmd2);
      expect(hi.frechet).toBeGreaterThan(lo.frechet);
      expect(hi.klDomainToReference).toBeGreaterThan(lo.klDomainToReference);
      expect(hi.klReferenceToDomain).toBeGreaterThan(lo.klReferenceToDomain);
      expect(hi.coverage).toBeLessThan(lo.coverage);
      expect(hi.vocabOverlap).toBeLessThan(lo.vocabOverlap);
      expect(hi.oovRate).toBeGreaterThan(lo.oovRate);
    }
    // a domain drawn like the reference is not distinguishable from it; the shifted ones are
    expect(same.pValue).toBeGreaterThan(0.05);
    expect(half.pValue).toBeLessThan(0.05);
    expect(far.pValue).toBe(1 / 100);
    expect(same.risk).toBe("high");
    expect(far.risk).toBe("low");
    expect(same.thresholds.source).toBe("default");
  });

  it("uses precomputed vectors from a JSONL field and a Parquet list column", async (ctx) => {
    if (!duckdbPresent()) return ctx.skip();
    const { DuckDBInstance } = await loadDuckdb();
    const rows = (n: number, shift: number) =>
      Array.from({ length: n }, (_, i) => ({ text: `doc ${i} about ${shift ? "ships" : "trees"}`, vec: [Math.sin(i) + shift, Math.cos(i * 1.3), ((i * 7) % 11) / 11 + shift] }));
    const d = writeJsonl(path.join(dir, "vec-domain.jsonl"), rows(60, 0.8));
    const r = writeJsonl(path.join(dir, "vec-ref.jsonl"), rows(80, 0));
    const j = await similarity(d, r, ["--vector-field", "vec"]);
    expect(j.details.samples).toMatchObject({ domain: 60, reference: 80 });
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    const pq = path.join(dir, "vec-ref.parquet");
    await con.run(`COPY (SELECT text, vec::DOUBLE[] AS vec FROM read_json_auto('${r}')) TO '${pq}' (FORMAT parquet)`);
    con.closeSync();
    const p = await similarity(d, pq, ["--vector-field", "vec"]);
    expect(p.mmd2).toBeCloseTo(j.mmd2, 12);
    expect(p.frechet).toBeCloseTo(j.frechet, 10);
  });

  it("rejects bad input with one line", async () => {
    const empty = path.join(dir, "empty.jsonl");
    writeFileSync(empty, "");
    let r = await runCli(["adapt", "similarity", "--domain", empty, "--reference", files.reference, ...SMALL]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/domain: the sample is empty/);
    expect(r.stderr.trim().split("\n").at(-1)).toMatch(/^datatailor: /);

    const d3 = writeJsonl(path.join(dir, "d3.jsonl"), [{ text: "a", v: [1, 2, 3] }, { text: "b", v: [1, 2, 4] }, { text: "c", v: [0, 2, 4] }]);
    const d4 = writeJsonl(path.join(dir, "d4.jsonl"), [{ text: "a", v: [1, 2, 3, 4] }, { text: "b", v: [1, 2, 4, 4] }, { text: "c", v: [0, 1, 1, 1] }]);
    r = await runCli(["adapt", "similarity", "--domain", d3, "--reference", d4, "--vector-field", "v", ...SMALL]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/vector dimensions differ: 3 \(domain\) vs 4 \(reference\)/);

    const mixed = writeJsonl(path.join(dir, "mixed.jsonl"), [{ text: "a", v: [1, 2, 3] }, { text: "b", v: [1, 2] }, { text: "c", v: [0, 2, 4] }]);
    r = await runCli(["adapt", "similarity", "--domain", mixed, "--reference", d3, "--vector-field", "v", ...SMALL]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/mixed\.jsonl line \d: "v" has \d dimensions, earlier vectors have \d/);

    const broken = writeJsonl(path.join(dir, "broken.jsonl"), [{ text: "a", v: [1, 2, 3] }, { text: "b", v: "nope" }, { text: "c", v: [0, 2, 4] }, { text: "d", v: [0, 1, 4] }]);
    r = await runCli(["adapt", "similarity", "--domain", broken, "--reference", d3, "--vector-field", "v", ...SMALL]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { badInput: { total: number; examples: Array<{ line: number; reason: string }> } }).badInput).toMatchObject({ total: 1, examples: [{ line: 2, reason: "bad_vector" }] });
    r = await runCli(["adapt", "similarity", "--domain", broken, "--reference", d3, "--vector-field", "v", "--strict", ...SMALL]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/broken\.jsonl \(line 2\): bad_vector/);

    r = await runCli(["adapt", "similarity", "--domain", d3, "--reference", d3, "--vector-field", "v", "--embedder", "lsa:16", ...SMALL]);
    expect(r.code).toBe(2);
    r = await runCli(["adapt", "similarity", "--domain", d3]);
    expect(r.code).toBe(2);
  });
});
