/**
 * `datatailor demo` end to end: a real BETR selection on the bundled sample through the CLI,
 * then its outputs checked for what a user relies on (reconciling counts, kept shards in the
 * input's formats, a scores table, a report that opens cleanly) and for the selection being
 * targeted rather than random.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli, ROOT, type CliResult } from "../helpers/cli.js";
import { checkReport, chromiumAvailable } from "../helpers/browser.js";
import { discoverShards } from "../../src/io/shards.js";
import { readRecords } from "../../src/io/read.js";
import { BadInputLog } from "../../src/io/bad-input.js";
import { demoDataDir, keptByDomain } from "../../src/cli/demo.js";

const DEMO = path.join(ROOT, "data", "demo");

async function domainsOf(dir: string): Promise<{ counts: Record<string, number>; tokens: Record<string, number>; total: number; tokensTotal: number }> {
  const { shards } = await discoverShards([dir]);
  const bad = new BadInputLog();
  const counts: Record<string, number> = {};
  const tokens: Record<string, number> = {};
  let total = 0;
  let tokensTotal = 0;
  for (const s of shards) {
    for await (const r of readRecords(s, { bad, raw: false })) {
      const d = String(r.metadata?.domain);
      const t = r.text.split(/\s+/).filter(Boolean).length;
      counts[d] = (counts[d] ?? 0) + 1;
      tokens[d] = (tokens[d] ?? 0) + t;
      total++;
      tokensTotal += t;
    }
  }
  return { counts, tokens, total, tokensTotal };
}

describe("bundled demo sample", () => {
  it("is found from the module location and holds shards in compressed formats", async () => {
    expect(demoDataDir()).toBe(DEMO);
    const { shards } = await discoverShards([path.join(DEMO, "corpus")]);
    const formats = new Set(shards.map((s) => s.format));
    expect(formats).toEqual(new Set(["jsonl.zst", "jsonl.gz"]));
    const bytes = shards.reduce((a, s) => a + s.bytes, 0);
    expect(bytes).toBeGreaterThan(1e6);
    expect(bytes).toBeLessThan(5e6);
  });

  it("names every source in NOTICE", () => {
    const notice = readFileSync(path.join(ROOT, "NOTICE"), "utf8");
    for (const s of ["OpenBookQA", "MMLU", "GSM8K", "CommonsenseQA", "Gutenberg", "WikiText", "CC BY-SA 3.0", "MATH", "SVAMP", "TriviaQA", "state_union", "movie_reviews", "C4", "ODC-BY"]) {
      expect(notice).toContain(s);
    }
  });
});

describe("datatailor demo (CLI)", () => {
  it("rejects contradictory flags with a usage error", async () => {
    const r = await runCli(["demo", "--keep", "0.1", "--compute", "1e21", "--out", path.join(tmpdir(), "dt-demo-never")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/either --keep or --compute/);
    const bad = await runCli(["demo", "--keep", "abc"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--keep must be a number/);
  });

  it("documents itself in --help", async () => {
    const r = await runCli(["demo", "--help"]);
    expect(r.code).toBe(0);
    for (const f of ["--out", "--keep", "--compute", "--seed", "--workers", "--json"]) expect(r.stdout).toContain(f);
    expect(r.stdout).toContain("datatailor-demo");
  });
});

describe("datatailor demo: a real BETR run on the bundled sample", () => {
  let dir: string;
  let out: string;
  let run: CliResult;
  let summary: Record<string, unknown>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "dt-demo-"));
    out = path.join(dir, "demo-out");
    const t0 = Date.now();
    // runCli's default cwd (the repo root) is where tsx resolves; --out is absolute.
    run = await runCli(["demo", "--out", out, "--json", "--seed", "0"]);
    process.stderr.write(`demo run took ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    if (run.code !== 0) throw new Error(`demo failed (${run.code}): ${run.stderr.slice(-2000)}`);
    summary = JSON.parse(run.stdout) as Record<string, unknown>;
  }, 240_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints one JSON document naming the report, and logs only on stderr", () => {
    expect(summary.report).toBe(path.join(out, "report.html"));
    expect(existsSync(path.join(out, "report.html"))).toBe(true);
    expect(existsSync(String(summary.stats))).toBe(true);
    expect(run.stderr).toContain("BETR selection on the bundled sample");
  });

  it("writes stats that reconcile per shard, with the two broken sample lines rejected in the web shard", () => {
    const stats = JSON.parse(readFileSync(String(summary.stats), "utf8")) as { shards: Array<{ shard: string; read: number; kept: number; dropped: number; rejected: number }> };
    expect(stats.shards.length).toBe(9);
    for (const s of stats.shards) expect(s.read).toBe(s.kept + s.dropped + s.rejected);
    const read = stats.shards.reduce((a, s) => a + s.read, 0);
    expect(read).toBe(3192);
    const web = stats.shards.find((s) => s.shard === "web/c4.00000.jsonl.gz");
    expect(web?.rejected).toBe(2);
    expect(stats.shards.reduce((a, s) => a + s.rejected, 0)).toBe(2);
    const kept = stats.shards.reduce((a, s) => a + s.kept, 0);
    const demo = summary.demo as { keptByDomain: Record<string, number> };
    expect(Object.values(demo.keptByDomain).reduce((a, b) => a + b, 0)).toBe(kept);
    expect(kept).toBeGreaterThan(50);
  });

  it("keeps selected docs in the input's layout and formats, every field kept", async () => {
    const { shards } = await discoverShards([path.join(out, "selected")]);
    expect(shards.length).toBeGreaterThan(0);
    for (const s of shards) {
      expect(existsSync(path.join(DEMO, "corpus", s.rel))).toBe(true);
    }
    const bad = new BadInputLog();
    for await (const r of readRecords(shards[0], { bad, raw: false })) {
      expect(typeof r.metadata?.domain).toBe("string");
      expect(typeof r.metadata?.license).toBe("string");
      break;
    }
    const scores = await discoverShards([path.join(out, "scores")]);
    expect(scores.shards.every((s) => s.format === "parquet")).toBe(true);
  });

  it("selects toward the targets: math (GSM8K's domain) is kept far above its share of the corpus", async () => {
    const corpus = await domainsOf(path.join(DEMO, "corpus"));
    const kept = await keptByDomain(path.join(out, "selected"));
    const keptTotal = Object.values(kept).reduce((a, b) => a + b, 0);
    const share = (c: Record<string, number>, total: number, ds: string[]) => ds.reduce((a, d) => a + (c[d] ?? 0), 0) / total;
    const math = ["math", "math-word"];
    process.stderr.write(`kept by domain: ${JSON.stringify(kept)}; math share ${share(kept, keptTotal, math).toFixed(3)} vs corpus ${share(corpus.counts, corpus.total, math).toFixed(3)}\n`);
    // A random 10% would keep math at its corpus share (~28%); a targeted selection keeps far more.
    expect(share(kept, keptTotal, math)).toBeGreaterThan(share(corpus.counts, corpus.total, math) * 1.4);
    // And it is a selection, not the whole corpus: most of each large untargeted domain is dropped.
    expect((kept.speeches ?? 0) / corpus.counts.speeches).toBeLessThan(0.2);
    expect((kept.encyclopedia ?? 0) + (kept.books ?? 0)).toBeLessThan(0.3 * (corpus.counts.encyclopedia + corpus.counts.books));
  });

  it.skipIf(!chromiumAvailable())("produces a report that opens in Chromium with its plots and no errors", async () => {
    const check = await checkReport(path.join(out, "report.html"));
    expect(check.consoleErrors).toEqual([]);
    expect(check.pageErrors).toEqual([]);
    expect(check.requests).toEqual([]);
    expect(check.scriptRan).toBe(false);
    expect(check.svgCount).toBeGreaterThanOrEqual(4);
    for (const s of check.svgSizes) expect(s.width * s.height).toBeGreaterThan(10_000);
    expect(check.bodyText).toContain("Which benchmarks pulled in the kept documents");
    for (const b of ["gsm8k", "mmlu", "openbookqa", "commonsense_qa"]) expect(check.bodyText).toContain(b);
  });
});
