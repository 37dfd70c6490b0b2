/**
 * select's quality benchmark (`npm run bench -- select --part quality`): on labelled pools
 * (bench/_select-pools.ts), how well `datatailor select` with its defaults — only targets,
 * corpus, keep and seed given — recovers the documents of the domain that matches each target,
 * side by side in one run with:
 *   - the lexical BETR baseline in scikit-learn (bench/peers/betr_sklearn.py, Debian python3-sklearn),
 *   - DSIR through the same `runSelect`,
 *   - a seeded random draw.
 * N = the matching domain's size; every method keeps N documents (`--keep N/docs --keep-by docs`).
 * Printed per target: P@N of the ranking stage alone and of the final selection, enrichment
 * over random, what select kept against what was asked, and the KL reduction of the kept
 * documents toward the targets. The tuning and confirmation pools are reported apart.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { compress } from "../test/helpers/zstd.js";
import { take } from "../scripts/lib/sample-text.js";
import { BadInputLog } from "../src/io/bad-input.js";
import { readParquetColumns } from "../src/io/parquet-read.js";
import { readRecords } from "../src/io/read.js";
import { discoverShards } from "../src/io/shards.js";
import { lexicalRankScores } from "../src/models/lexical/rank.js";
import { TfidfFeaturizer } from "../src/models/lexical/tfidf.js";
import { klReduction } from "../src/models/dsir/index.js";
import { NgramHasher } from "../src/text/ngram-hash.js";
import { runSelect } from "../src/pipelines/select/index.js";
import { trainArpaOn } from "../src/pipelines/select/lm-select.js";
import { buildPools, type Pool, type PoolDoc, type PoolTarget } from "./_select-pools.js";

const PEER = path.join(path.dirname(new URL(import.meta.url).pathname), "peers", "betr_sklearn.py");
const PYTHON = "/usr/bin/python3";

interface Row {
  pool: string;
  group: Pool["group"];
  target: string;
  docs: number;
  n: number;
  rank: { select: number; peer: number };
  final: { select: number; peer: number; dsir: number; random: number; ml: number; ppl: number };
  kept: { select: number; dsir: number };
  kl: { select: number; peer: number; dsir: number; random: number };
  seconds: { select: number; peer: number };
}

function writeCorpus(dir: string, docs: PoolDoc[]): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // Three shards in the formats users have: plain, gzip, zstd.
  const per = Math.ceil(docs.length / 3);
  const body = (part: PoolDoc[]) => Buffer.from(part.map((d) => JSON.stringify({ id: d.id, text: d.text, metadata: { domain: d.domain } })).join("\n") + "\n");
  writeFileSync(path.join(dir, "part-0.jsonl"), body(docs.slice(0, per)));
  writeFileSync(path.join(dir, "part-1.jsonl.gz"), gzipSync(body(docs.slice(per, 2 * per))));
  writeFileSync(path.join(dir, "part-2.jsonl.zst"), compress(body(docs.slice(2 * per)), { compressionLevel: 3 }));
}

async function scoresById(outDir: string): Promise<Map<string, number>> {
  const { shards } = await discoverShards([path.join(outDir, "scores")]);
  const out = new Map<string, number>();
  for (const s of shards) {
    const cols = await readParquetColumns(s.path, ["id", "score"]);
    (cols.id as string[]).forEach((id, i) => out.set(id, (cols.score as number[])[i]!));
  }
  return out;
}

async function keptIds(outDir: string): Promise<string[]> {
  const dir = path.join(outDir, "selected");
  if (!existsSync(dir)) return [];
  const { shards } = await discoverShards([dir]);
  const ids: string[] = [];
  for (const s of shards) for await (const r of readRecords(s, { bad: new BadInputLog(), raw: false })) ids.push(r.id);
  return ids;
}

function topN(docs: PoolDoc[], score: Map<string, number>, n: number): string[] {
  return docs
    .map((d, i) => ({ id: d.id, s: score.get(d.id) ?? -Infinity, i }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .slice(0, n)
    .map((x) => x.id);
}

/** P@N of select's ranking stage alone on the whole pool (idf from the pool, Σ 1/rank). */
function rankStageTop(docs: PoolDoc[], target: PoolTarget, n: number): string[] {
  const fz = new TfidfFeaturizer();
  fz.fit(docs.map((d) => d.text));
  const r = lexicalRankScores(fz.matrix(target.texts), fz.matrix(docs.map((d) => d.text)), fz.buckets, { aggregate: "sum", topK: 1000 });
  return topN(docs, new Map(docs.map((d, i) => [d.id, r.score[i]!])), n);
}

export async function quality(opts: { shared: string; out: string; seed: number; pools?: string[] }): Promise<void> {
  const pools = buildPools(opts.shared, opts.seed).filter((p) => !opts.pools || opts.pools.includes(p.name));
  const hasher = new NgramHasher({ buckets: 10_000, mode: "fast" });
  const counts = (texts: string[]) => {
    const c = new Float64Array(hasher.nBuckets);
    for (const t of texts) hasher.addCounts(t, c);
    return c;
  };
  console.log("\n## select quality: recovering the matching domain (N = its size; every method keeps N docs)");
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  console.log("P@N: share of the matching domain among the N kept (final) or top-ranked (rank) docs; enr. = P@N / (N/docs);");
  console.log("peer = scikit-learn lexical BETR (tf-idf cosine, max log2(1/rank), top 10% of a half sample, balanced LogisticRegression, top N)");
  console.log("ML = --method moore-lewis; PPL = --method perplexity with an order-3 n-gram model of the targets");
  console.log("group | pool | target | docs | N | rank P@N select / peer | final P@N select / peer / DSIR / ML / PPL / random | enr. select / peer | kept select / DSIR (asked N) | KL red. select / peer / DSIR / random | s select / peer");
  const rows: Row[] = [];
  for (const pool of pools) {
    const base = path.join(opts.out, pool.name);
    const corpus = path.join(base, "corpus");
    writeCorpus(corpus, pool.docs);
    const flat = path.join(base, "docs.jsonl");
    writeFileSync(flat, pool.docs.map((d) => JSON.stringify({ id: d.id, text: d.text })).join("\n") + "\n");
    const byId = new Map(pool.docs.map((d) => [d.id, d]));
    const raw = counts(pool.docs.map((d) => d.text));
    for (const target of pool.targets) {
      const slug = target.name.replace(/\W+/g, "_");
      const tfile = path.join(base, `targets-${slug}.jsonl`);
      writeFileSync(tfile, target.texts.map((text) => JSON.stringify({ text })).join("\n") + "\n");
      const n = pool.docs.filter((d) => target.match.includes(d.domain)).length;
      const precision = (ids: string[]) => (ids.length ? ids.filter((id) => target.match.includes(byId.get(id)!.domain)).length / ids.length : 0);
      const kl = (ids: string[]) => klReduction([counts(target.texts)], raw, counts(ids.map((id) => byId.get(id)!.text))).reduction;
      const run = async (method: "betr" | "dsir" | "moore-lewis" | "perplexity", lm?: string) => {
        const out = path.join(base, `run-${slug}-${method}`);
        rmSync(out, { recursive: true, force: true });
        const t0 = performance.now();
        await runSelect({ target: method === "perplexity" ? [] : [tfile], corpus: [corpus], out, keep: n / pool.docs.length, keepBy: "docs", seed: opts.seed, method, lm, report: false });
        return { out, seconds: (performance.now() - t0) / 1000 };
      };
      const sel = await run("betr");
      const selKept = await keptIds(sel.out);
      const dsir = await run("dsir");
      const dsirKept = await keptIds(dsir.out);
      const dsirTop = topN(pool.docs, await scoresById(dsir.out), n);
      const ml = await keptIds((await run("moore-lewis")).out);
      // CCNet's filter with a model of the targets themselves (order 3, trained here)
      const arpa = path.join(base, `targets-${slug}.arpa`);
      await trainArpaOn(target.texts, 3, arpa);
      const ppl = await keptIds((await run("perplexity", `ngram:${arpa}`)).out);
      const peerRun = spawnSync(PYTHON, [PEER, flat, tfile, String(n), String(opts.seed)], { encoding: "utf8", maxBuffer: 1 << 28 });
      if (peerRun.status !== 0) throw new Error(`scikit-learn peer failed (is python3-sklearn installed?): ${peerRun.stderr.slice(-500)}`);
      const peer = JSON.parse(peerRun.stdout) as { kept: string[]; rankTop: string[]; seconds: number };
      const rnd = take(pool.docs, n, opts.seed + 99).map((d) => d.id);
      const row: Row = {
        pool: pool.name,
        group: pool.group,
        target: target.name,
        docs: pool.docs.length,
        n,
        rank: { select: precision(rankStageTop(pool.docs, target, n)), peer: precision(peer.rankTop) },
        final: { select: precision(selKept), peer: precision(peer.kept), dsir: precision(dsirTop), random: precision(rnd), ml: precision(ml), ppl: precision(ppl) },
        kept: { select: selKept.length, dsir: dsirKept.length },
        kl: { select: kl(selKept), peer: kl(peer.kept), dsir: kl(dsirTop), random: kl(rnd) },
        seconds: { select: sel.seconds, peer: peer.seconds },
      };
      rows.push(row);
      const f = (x: number) => x.toFixed(3);
      const expected = n / pool.docs.length;
      console.log(
        `${row.group} | ${row.pool} | ${row.target} | ${row.docs} | ${n} | ${f(row.rank.select)} / ${f(row.rank.peer)} | ${f(row.final.select)} / ${f(row.final.peer)} / ${f(row.final.dsir)} / ${f(row.final.ml)} / ${f(row.final.ppl)} / ${f(row.final.random)} | ` +
          `${(row.final.select / expected).toFixed(1)}x / ${(row.final.peer / expected).toFixed(1)}x | ${row.kept.select} / ${row.kept.dsir} (${n}) | ${f(row.kl.select)} / ${f(row.kl.peer)} / ${f(row.kl.dsir)} / ${f(row.kl.random)} | ${row.seconds.select.toFixed(1)} / ${row.seconds.peer.toFixed(1)}`,
      );
    }
  }
  for (const group of ["tuning", "confirmation"] as const) {
    const g = rows.filter((r) => r.group === group);
    if (!g.length) continue;
    const mean = (f: (r: Row) => number) => g.reduce((a, r) => a + f(r), 0) / g.length;
    const sel = mean((r) => r.final.select);
    const peer = mean((r) => r.final.peer);
    const wins = g.filter((r) => r.final.select >= r.final.peer).length;
    const byPool = [...new Set(g.map((r) => r.pool))].map((p) => {
      const pr = g.filter((r) => r.pool === p);
      const m = (f: (r: Row) => number) => pr.reduce((a, r) => a + f(r), 0) / pr.length;
      return `${p} ${m((r) => r.final.select).toFixed(3)} vs ${m((r) => r.final.peer).toFixed(3)}`;
    });
    console.log(
      `${group} pools (${g.length} targets): mean final P@N select ${sel.toFixed(3)}, peer ${peer.toFixed(3)} (${((sel / peer - 1) * 100).toFixed(1)}% relative), DSIR ${mean((r) => r.final.dsir).toFixed(3)}, Moore–Lewis ${mean((r) => r.final.ml).toFixed(3)}, perplexity ${mean((r) => r.final.ppl).toFixed(3)}, random ${mean((r) => r.final.random).toFixed(3)}; ` +
        `select >= peer on ${wins}/${g.length} targets; per pool (select vs peer): ${byPool.join("; ")}; ` +
        `kept/asked select ${mean((r) => r.kept.select / r.n).toFixed(3)}, DSIR ${mean((r) => r.kept.dsir / r.n).toFixed(3)}; ` +
        `mean enrichment select ${mean((r) => r.final.select / (r.n / r.docs)).toFixed(2)}x, peer ${mean((r) => r.final.peer / (r.n / r.docs)).toFixed(2)}x`,
    );
  }
}
