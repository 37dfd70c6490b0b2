/**
 * `adapt similarity`: how close a domain is to the reference (pretraining) data, before any
 * training. Seeded samples of both, embedded by one embedder fitted on the pooled sample (or
 * the documents' own precomputed vectors), then:
 *   - MMD² (unbiased, Gaussian kernel, median-heuristic bandwidth) with a permutation p-value
 *   - Fréchet distance (pytorch-fid's formula, N−1 covariances)
 *   - nearest-neighbour coverage
 *   - hashed uni+bigram KL both ways, vocabulary overlap and OOV rate (on the texts)
 * MMD² and coverage visit every pair of vectors, O(n²): above `mmdSample` vectors per side they
 * run on a seeded subsample (the output says which sizes were used); the bandwidth is the exact
 * median over all pairs of the same pooled vectors; the permutation test builds a kernel matrix
 * over at most `permutationSample` vectors per side.
 */
import type { AdaptReportSimilarity } from "../../report/adapt-report.js";
import { BadInputLog } from "../../io/bad-input.js";
import { createEmbedder, DEFAULT_EMBEDDER } from "../../backends/embed/index.js";
import { MAX_STORED_PAIRS } from "../../models/distance/bandwidth.js";
import { nearestNeighbourCoverage } from "../../models/distance/coverage.js";
import { frechetDistance } from "../../models/distance/frechet.js";
import { ngramKl } from "../../models/distance/ngram-kl.js";
import { mmdPermutationTest } from "../../models/distance/permutation.js";
import { checkComparable, concatRows, takeRows, vectorSet, type VectorSet } from "../../models/distance/vectors.js";
import { vocabOverlap } from "../../models/distance/vocab.js";
import { chooseIndices } from "../../targets/sample.js";
import { DEFAULT_THRESHOLDS, RISK_METRICS, riskOf, type Thresholds } from "../../models/adapt/verdict.js";
import { readFile } from "node:fs/promises";
import { UserError } from "../../util/errors.js";
import { createProgress } from "../../util/progress.js";
import { sampleDocs } from "./sample.js";
import { pairPasses } from "./pairs-pool.js";
import { reportSimilarity } from "./report.js";
import os from "node:os";

export const DEFAULT_SAMPLE_DOMAIN = 10_000;
export const DEFAULT_SAMPLE_REFERENCE = 50_000;
export const DEFAULT_MMD_SAMPLE = 5_000;
export const DEFAULT_PERMUTATIONS = 200;
export const DEFAULT_PERMUTATION_SAMPLE = 1_000;

export interface SimilarityOptions {
  domain: string[];
  reference: string[];
  embedder?: string;
  vectorField?: string;
  sampleDomain?: number;
  sampleReference?: number;
  bandwidth?: number;
  seed?: number;
  mmdSample?: number;
  permutations?: number;
  permutationSample?: number;
  /** Fréchet covariance offset: "auto" (1e-6 when a sample has N ≤ d) or a number. */
  frechetEps?: number | "auto";
  textField?: string;
  idField?: string;
  strict?: boolean;
  /** Thresholds calibrated by an earlier sweep (its JSON's `thresholds`); documented defaults otherwise. */
  thresholds?: Thresholds;
  /** Threads for the all-pairs passes (default: the machine's cores); results do not depend on it. */
  threads?: number;
  cacheDir?: string;
  /** Write an HTML report here (the last step). */
  report?: string;
  log?: (m: string) => void;
  progress?: boolean;
}

/** What the report shows (report/adapt-report.ts declares it), plus the figures the run records besides. */
export interface SimilarityResult extends AdaptReportSimilarity {
  klDomainToReference: number;
  coverage: number;
  details: AdaptReportSimilarity["details"] & {
    mmdTerms: { meanKxx: number; meanKyy: number; meanKxy: number };
    medianDomainNnDistance: number;
    seconds: number;
  };
  badInput: ReturnType<BadInputLog["toJSON"]>;
}

/** Steps: the distances and the verdict (`measureSimilarity`), then the report when asked (report.ts). */
export async function runSimilarity(o: SimilarityOptions): Promise<SimilarityResult> {
  const s = await measureSimilarity(o);
  await reportSimilarity(o, s);
  return s;
}

/** Seeded samples of both corpora; their vectors; the all-pairs distances; the rest and the verdict. */
export async function measureSimilarity(o: Omit<SimilarityOptions, "report">): Promise<SimilarityResult> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const seed = o.seed ?? 0;
  const bad = new BadInputLog({ strict: o.strict });
  const { dom, ref } = await readSamples(o, seed, bad, log);
  const { x, y, embedderId } = await vectorsOf(o, dom, ref, seed, log);
  try {
    checkComparable(x, y);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  const pairs = await pairDistances(o, x, y, seed);
  const fr = frechetDistance(x, y, o.frechetEps ?? "auto");
  const kl = ngramKl(dom.texts, ref.texts);
  const voc = vocabOverlap(dom.texts, ref.texts);
  const { mmd, cov, perm, xs, ys, px, py } = pairs;
  const distances = { coverage: cov.coverage, mmd2: mmd.mmd2, frechet: fr.frechet, klDomainToReference: kl.klDomainToReference };
  return {
    mmd2: mmd.mmd2,
    frechet: fr.frechet,
    bandwidth: pairs.bandwidth,
    bandwidthSource: pairs.bandwidthSource,
    pValue: perm.pValue,
    permutations: perm.permutations,
    klDomainToReference: kl.klDomainToReference,
    klReferenceToDomain: kl.klReferenceToDomain,
    coverage: cov.coverage,
    coverageRadius: cov.radius,
    vocabOverlap: voc.overlap,
    vocabJaccard: voc.jaccard,
    oovRate: voc.oovRate,
    risk: riskOf(distances, o.thresholds ?? DEFAULT_THRESHOLDS),
    thresholds: o.thresholds ?? DEFAULT_THRESHOLDS,
    details: {
      embedder: embedderId,
      dim: x.dim,
      seed,
      samples: { domain: x.n, reference: y.n, domainDocs: dom.docs, referenceDocs: ref.docs },
      mmdSample: { domain: xs.n, reference: ys.n },
      permutationSample: { domain: px.n, reference: py.n },
      mmdTerms: { meanKxx: mmd.meanKxx, meanKyy: mmd.meanKyy, meanKxy: mmd.meanKxy },
      permutationMmd2: perm.observed,
      frechetMeanTerm: fr.meanTerm,
      frechetCovarianceTerm: fr.covarianceTerm,
      frechetRegulariser: fr.regulariser,
      klBuckets: kl.buckets,
      vocab: { domainTypes: voc.domainTypes, referenceTypes: voc.referenceTypes, domainTokens: voc.domainTokens },
      medianDomainNnDistance: cov.medianDomainDistance,
      seconds: (performance.now() - t0) / 1000,
    },
    badInput: bad.toJSON(),
  };
}

/** Seeded samples of the domain and reference corpora, read through the corpus readers. */
async function readSamples(o: SimilarityOptions, seed: number, bad: BadInputLog, log: (m: string) => void) {
  const progress = o.progress ?? false;
  const read = (role: "domain" | "reference", inputs: string[], size: number) => {
    const bar = createProgress({ label: `reading ${role}`, unit: "docs", enabled: progress ? undefined : false });
    return sampleDocs(inputs, { size, seed, bad, role, textField: o.textField, idField: o.idField, vectorField: o.vectorField, onDocs: (n) => bar.tick(n) }).finally(() => bar.stop());
  };
  const dom = await read("domain", o.domain, o.sampleDomain ?? DEFAULT_SAMPLE_DOMAIN);
  const ref = await read("reference", o.reference, o.sampleReference ?? DEFAULT_SAMPLE_REFERENCE);
  log(`samples: ${dom.texts.length} of ${dom.docs} domain documents, ${ref.texts.length} of ${ref.docs} reference documents`);
  if (bad.total) log(`bad input: ${bad.total} lines skipped (first: ${bad.examples()[0]?.file} line ${bad.examples()[0]?.line}, ${bad.examples()[0]?.reason})`);
  return { dom, ref };
}

type Sample = Awaited<ReturnType<typeof readSamples>>["dom"];

/** The samples' vectors: the user's (--vector-field) or one embedder fitted on both samples. */
async function vectorsOf(o: SimilarityOptions, dom: Sample, ref: Sample, seed: number, log: (m: string) => void): Promise<{ x: VectorSet; y: VectorSet; embedderId: string }> {
  if (o.vectorField) return { x: dom.vectors!, y: ref.vectors!, embedderId: `vectors:${o.vectorField}` };
  const emb = await createEmbedder(o.embedder ?? DEFAULT_EMBEDDER, { seed, cacheDir: o.cacheDir, log });
  try {
    // one embedder fitted on both samples, so neither side is embedded in the other's space
    await emb.fit?.([...dom.texts, ...ref.texts]);
    const bar = createProgress({ label: "embedding", unit: "docs", total: dom.texts.length + ref.texts.length, enabled: o.progress ? undefined : false });
    const embedAll = async (texts: string[]) => {
      const out = new Float64Array(texts.length * emb.dim);
      for (let i = 0; i < texts.length; i += 512) {
        const part = texts.slice(i, i + 512);
        out.set(await emb.embed(part), i * emb.dim);
        bar.tick(part.length);
      }
      return vectorSet(out, emb.dim);
    };
    const x = await embedAll(dom.texts);
    const y = await embedAll(ref.texts);
    bar.stop();
    return { x, y, embedderId: emb.id };
  } finally {
    await emb.close?.();
  }
}

/** MMD², the bandwidth and coverage over every pair of (a seeded subsample of) the vectors, and the permutation test. */
async function pairDistances(o: SimilarityOptions, x: VectorSet, y: VectorSet, seed: number) {
  const cap = o.mmdSample ?? DEFAULT_MMD_SAMPLE;
  const xs = subsample(x, cap, seed, 0x6d6d64);
  const ys = subsample(y, cap, seed, 0x6d6d65);
  const pooled = concatRows(xs, ys);
  const medianPairs = o.bandwidth === undefined && (pooled.n * (pooled.n - 1)) / 2 > MAX_STORED_PAIRS ? pooled.n * (pooled.n - 1) : 0;
  const pairs = (xs.n * (xs.n - 1)) / 2 + (ys.n * (ys.n - 1)) / 2 + xs.n * ys.n;
  const bar = createProgress({ label: "all pairs (bandwidth, MMD², coverage)", unit: "pairs", total: medianPairs + pairs, enabled: o.progress ? undefined : false });
  const passes = await pairPasses(xs, ys, pooled, o.bandwidth, o.threads ?? defaultThreads(), { median: (p) => bar.tick(p), mmd: (p) => bar.tick(p) });
  bar.stop();
  const bandwidth = passes.sigma;
  const bandwidthSource = o.bandwidth !== undefined ? "--bandwidth" : `median pairwise distance over all ${pooled.n} pooled vectors${pooled.n < x.n + y.n ? " of the MMD subsample" : ""}`;
  const mmd = passes.mmd;
  const cov = nearestNeighbourCoverage(mmd.nnDomainToReference, mmd.nnReferenceToReference);
  const pcap = o.permutationSample ?? DEFAULT_PERMUTATION_SAMPLE;
  const px = subsample(xs, pcap, seed, 0x706d78);
  const py = subsample(ys, pcap, seed, 0x706d79);
  const perm = mmdPermutationTest(px, py, bandwidth, o.permutations ?? DEFAULT_PERMUTATIONS, seed);
  return { bandwidth, bandwidthSource, mmd, cov, perm, xs, ys, px, py };
}

function defaultThreads(): number {
  return Math.max(1, os.availableParallelism());
}

/** At most `cap` rows, chosen by seed (order kept); the set itself when it is small enough. */
function subsample(s: VectorSet, cap: number, seed: number, salt: number): VectorSet {
  if (s.n <= cap) return s;
  return takeRows(s, chooseIndices(s.n, cap, seed, salt));
}

/** The calibrated thresholds saved by `adapt sweep --json` (or a file holding just them). */
export async function readThresholds(file: string): Promise<Thresholds> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, "utf8"));
  } catch (e) {
    throw new UserError(`${file}: cannot read thresholds (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const t = ((doc as { thresholds?: unknown })?.thresholds ?? doc) as Partial<Thresholds>;
  const metrics: readonly string[] = RISK_METRICS;
  if (!t || typeof t !== "object" || !metrics.includes(String(t.metric)) || typeof t.high !== "number" || typeof t.medium !== "number" || (t.direction !== "above" && t.direction !== "below")) {
    throw new UserError(`${file}: no thresholds found (expected the JSON of adapt sweep, with thresholds.metric, high, medium and direction)`);
  }
  return { source: t.source === "calibrated" ? "calibrated" : "default", metric: t.metric as Thresholds["metric"], high: t.high, medium: t.medium, direction: t.direction, fit: t.fit, note: `${t.note ?? "thresholds"} (read from ${file})` };
}
