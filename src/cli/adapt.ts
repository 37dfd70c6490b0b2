/**
 * `datatailor adapt`: will continued pretraining on this domain help or hurt? (Öncel et al. 2024)
 *   adapt similarity  distance of a domain to the reference (pretraining) data, before a run
 *   adapt tokens      token-level attribution of a pilot's perplexity change (base vs adapted model)
 *   adapt sweep       similarity and Δperplexity over many domains, correlations, calibrated verdicts
 */
import type { Command } from "commander";
import { action, log, printJson } from "./output.js";
import { countOption, numberOption, seedOption, choiceValue } from "./options.js";
import { usageError } from "../util/errors.js";
import { EMBEDDER_SPECS } from "../backends/embed/index.js";
import {
  DEFAULT_MMD_SAMPLE,
  DEFAULT_PERMUTATION_SAMPLE,
  DEFAULT_PERMUTATIONS,
  DEFAULT_SAMPLE_DOMAIN,
  DEFAULT_SAMPLE_REFERENCE,
  readThresholds,
  runSimilarity,
  type SimilarityOptions,
  type SimilarityResult,
} from "../pipelines/adapt/similarity.js";
import { runTokens, type TokensResult } from "../pipelines/adapt/tokens.js";
import { runSweep, type SweepResult } from "../pipelines/adapt/sweep.js";

interface SimilarityFlags {
  domain?: string[];
  reference?: string[];
  embedder?: string;
  vectorField?: string;
  sampleDomain: number;
  sampleReference: number;
  bandwidth?: number;
  seed: number;
  mmdSample: number;
  permutations: number;
  permutationSample: number;
  frechetEps?: number;
  threads?: number;
  textField?: string;
  idField?: string;
  cacheDir?: string;
  strict?: boolean;
  json?: boolean;
  report?: string;
}

function addSimilarityOptions(cmd: Command, withSamples = true): Command {
  if (withSamples) {
    cmd
      .option("--sample-domain <n>", "domain documents sampled", countOption("--sample-domain", 2), DEFAULT_SAMPLE_DOMAIN)
      .option("--sample-reference <n>", "reference documents sampled", countOption("--sample-reference", 2), DEFAULT_SAMPLE_REFERENCE);
  }
  return cmd
    .option("--embedder <spec>", `embedder: ${EMBEDDER_SPECS} (default: the built-in lsa:128, fitted on both samples)`)
    .option("--vector-field <field>", "use each document's precomputed vector from this field (JSONL array, Parquet list column) instead of an embedder")
    .option("--bandwidth <sigma>", "Gaussian kernel bandwidth (default: median pairwise distance of the pooled sample)", numberOption("--bandwidth", { gt: 0 }))
    .option("--seed <n>", "random seed (same seed, same samples, same numbers)", seedOption("--seed"), 0)
    .option("--mmd-sample <n>", "MMD² and coverage visit every pair: at most this many vectors per side (seeded subsample)", countOption("--mmd-sample", 2), DEFAULT_MMD_SAMPLE)
    .option("--permutations <n>", "permutations for the MMD² p-value", countOption("--permutations", 1), DEFAULT_PERMUTATIONS)
    .option("--permutation-sample <n>", "vectors per side in the permutation test", countOption("--permutation-sample", 2), DEFAULT_PERMUTATION_SAMPLE)
    .option("--frechet-eps <eps>", "offset added to both covariance diagonals (default: 1e-6 only when a sample has no more vectors than dimensions)", numberOption("--frechet-eps", { min: 0 }))
    .option("--threads <n>", "threads for the all-pairs passes (default: one per core; results do not depend on it)", countOption("--threads", 1))
    .option("--text-field <name>", "field holding the text (default text)")
    .option("--id-field <name>", "field holding the id (default id)")
    .option("--cache-dir <dir>", "cache embeddings on disk here")
    .option("--strict", "fail (exit 3) on the first bad input line instead of counting it");
}

function similarityOptions(f: SimilarityFlags): Omit<SimilarityOptions, "domain" | "reference"> {
  if (f.embedder && f.vectorField) throw usageError("use either --embedder or --vector-field, not both");
  return {
    embedder: f.embedder,
    vectorField: f.vectorField,
    sampleDomain: f.sampleDomain,
    sampleReference: f.sampleReference,
    bandwidth: f.bandwidth,
    seed: f.seed,
    mmdSample: f.mmdSample,
    permutations: f.permutations,
    permutationSample: f.permutationSample,
    frechetEps: f.frechetEps ?? "auto",
    threads: f.threads,
    textField: f.textField,
    idField: f.idField,
    cacheDir: f.cacheDir,
    strict: f.strict,
    report: f.report,
    log,
    progress: !f.json || process.stderr.isTTY === true,
  };
}

function fmt(v: number | undefined, d = 4): string {
  return v === undefined || !Number.isFinite(v) ? "-" : Math.abs(v) !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5) ? v.toExponential(3) : String(+v.toPrecision(d));
}
const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "-" : `${(v * 100).toFixed(1)}%`);

function printSimilarity(s: SimilarityResult): void {
  const d = s.details;
  const lines = [
    `risk: ${s.risk.toUpperCase()} (${s.thresholds.source} thresholds on ${s.thresholds.metric})`,
    `MMD²        ${fmt(s.mmd2)}  (p = ${fmt(s.pValue)}, ${s.permutations} permutations; bandwidth ${fmt(s.bandwidth)}, ${s.bandwidthSource})`,
    `Fréchet     ${fmt(s.frechet)}${d.frechetRegulariser ? `  (${d.frechetRegulariser}·I added: singular covariances)` : ""}`,
    `coverage    ${pct(s.coverage)}  (domain docs within the reference's median NN distance ${fmt(s.coverageRadius)})`,
    `KL(d‖r)     ${fmt(s.klDomainToReference)}   KL(r‖d) ${fmt(s.klReferenceToDomain)}  (hashed uni+bigrams)`,
    `vocabulary  overlap ${pct(s.vocabOverlap)}, OOV rate ${pct(s.oovRate)}`,
    `embedder ${d.embedder} (${d.dim} dims); ${d.samples.domain} domain and ${d.samples.reference} reference docs; MMD on ${d.mmdSample.domain}+${d.mmdSample.reference}; ${d.seconds.toFixed(1)} s`,
  ];
  process.stdout.write(lines.join("\n") + "\n");
}

function printTokens(t: TokensResult): void {
  const out: string[] = [];
  out.push(`${t.texts} ${t.unit === "line" ? "lines" : "documents"}, ${t.bytes} bytes; comparison by ${t.comparison}`);
  if (t.note) out.push(`note: ${t.note}`);
  for (const [name, m] of [["base", t.base], ["adapted", t.adapted]] as const) {
    out.push(`${name.padEnd(8)} ${m.id}: perplexity ${fmt(m.perplexity)}, without eol/whitespace/punctuation ${fmt(m.perplexityInformative)}, ${fmt(m.bitsPerByte)} bits/byte, ${m.tokens} tokens`);
  }
  out.push(`change: ${pct(t.relativeChange)}`);
  const a = t;
  if (a.classes && a.concentration && a.worst) {
    out.push(`by class (total delta, share of the total change ${fmt(a.totalDelta)}):`);
    for (const c of a.classes) out.push(`  ${c.class.padEnd(12)} ${String(c.count).padStart(8)}  ${fmt(c.delta).padStart(10)}  ${pct(c.share)}`);
    out.push(`concentration: the top ${a.concentration.topTypes} of ${a.concentration.types} token types carry ${pct(a.concentration.share)} of the absolute change`);
    out.push("most degraded tokens:");
    for (const w of a.worst.slice(0, 10)) out.push(`  ${JSON.stringify(w.token).padEnd(16)} ${w.class.padEnd(12)} n=${w.count} delta ${fmt(w.delta)}  e.g. ${w.examples[0]?.context ?? ""}`);
  }
  for (const a2 of t.advice) out.push(`advice: ${a2}`);
  process.stdout.write(out.join("\n") + "\n");
}

function printSweep(s: SweepResult): void {
  const out: string[] = [`thresholds: ${s.thresholds.note}`];
  for (const c of s.correlations) out.push(`${c.metric.padEnd(20)} vs Δperplexity: Pearson ${fmt(c.pearson, 3)}, Spearman ${fmt(c.spearman, 3)} (${c.n} domains; Δ = ${fmt(c.intercept)} + ${fmt(c.slope)}·x)`);
  out.push("domain               risk     coverage   MMD²        Fréchet     Δperplexity");
  for (const d of s.domains) {
    out.push(`${d.domain.padEnd(20)} ${d.risk.padEnd(8)} ${pct(d.similarity.coverage).padStart(8)}   ${fmt(d.similarity.mmd2).padEnd(10)}  ${fmt(d.similarity.frechet).padEnd(10)}  ${d.deltaPerplexity === undefined ? "-" : pct(d.deltaPerplexity)}`);
  }
  process.stdout.write(out.join("\n") + "\n");
}

export function registerAdapt(program: Command): void {
  const adapt = program
    .command("adapt")
    .description("Will continued pretraining on a domain help or hurt? Distances before the run, token attribution after a pilot, a verdict (Adaptation Odyssey)");

  addSimilarityOptions(
    adapt
      .command("similarity")
      .description("Distance of a domain to the reference (pretraining) data: MMD², Fréchet, NN coverage, n-gram KL, vocabulary overlap")
      .option("--domain <paths...>", "the domain's documents: files, directories or globs (.jsonl[.gz|.zst], .parquet)")
      .option("--reference <paths...>", "the reference (pretraining-like) documents"),
  )
    .option("--thresholds <sweep.json>", "risk thresholds calibrated by an earlier `adapt sweep --json` (default: the documented defaults)")
    .option("--json", "one JSON document on stdout (logs go to stderr)")
    .option("--report <file.html>", "write an HTML report")
    .action(
      action(async (f: SimilarityFlags & { thresholds?: string }) => {
        if (!f.domain?.length || !f.reference?.length) throw usageError("give --domain <data> and --reference <data>");
        const thresholds = f.thresholds ? await readThresholds(f.thresholds) : undefined;
        const s = await runSimilarity({ ...similarityOptions(f), domain: f.domain, reference: f.reference, thresholds });
        if (f.json) printJson(s);
        else printSimilarity(s);
      }),
    );

  adapt
    .command("tokens")
    .description("Token-level attribution of the perplexity change between a base and an adapted model on the domain's test text")
    .option("--base <spec>", "the model before continued pretraining: ngram:<model.arpa|.bin>, gguf:<file>, openai:<url>#<model>")
    .option("--adapted <spec>", "the model after continued pretraining (same spec forms)")
    .option("--data <paths...>", "the domain's test text (.jsonl[.gz|.zst], .parquet)")
    .option("--top <k>", "list only the k most degraded token types (default: every type)", countOption("--top", 1))
    .option("--unit <unit>", "what one scored text is: line (a sentence, <s> … </s>), doc, or auto (line for n-gram models)", "auto")
    .option("--limit <n>", "score at most this many texts (the first ones)", countOption("--limit", 1))
    .option("--worst <n>", "degraded token types shown with contexts", countOption("--worst", 0), 20)
    .option("--text-field <name>", "field holding the text (default text)")
    .option("--strict", "fail (exit 3) on the first bad input line instead of counting it")
    .option("--json", "one JSON document on stdout (logs go to stderr)")
    .option("--report <file.html>", "write an HTML report")
    .action(
      action(async (f: { base?: string; adapted?: string; data?: string[]; top?: number; unit: string; limit?: number; worst: number; textField?: string; strict?: boolean; json?: boolean; report?: string }) => {
        if (!f.base || !f.adapted || !f.data?.length) throw usageError("give --base <lm spec>, --adapted <lm spec> and --data <test data>");
        const unit = choiceValue("--unit", f.unit, ["auto", "line", "doc"] as const);
        const t = await runTokens({ base: f.base, adapted: f.adapted, data: f.data, top: f.top, unit, limit: f.limit, worst: f.worst, textField: f.textField, strict: f.strict, report: f.report, log, progress: !f.json || process.stderr.isTTY === true });
        if (f.json) printJson(t);
        else printTokens(t);
      }),
    );

  addSimilarityOptions(
    adapt
      .command("sweep")
      .description("Similarity and Δperplexity over many domains: correlations, a fitted line, calibrated per-domain verdicts")
      .option("--manifest <file>", "CSV/TSV/JSONL with one row per domain: domain, data, test, [base, adapted, reference]")
      .option("--reference <paths...>", "the reference data (unless the manifest has a reference column)"),
  )
    .option("--unit <unit>", "scoring unit for the models: line, doc or auto", "auto")
    .option("--limit <n>", "score at most this many test texts per domain", countOption("--limit", 1))
    .option("--json", "one JSON document on stdout (logs go to stderr)")
    .option("--report <file.html>", "write an HTML report")
    .action(
      action(async (f: SimilarityFlags & { manifest?: string; unit: string; limit?: number }) => {
        if (!f.manifest) throw usageError("give --manifest <domains.csv>");
        const unit = choiceValue("--unit", f.unit, ["auto", "line", "doc"] as const);
        const s = await runSweep({ ...similarityOptions(f), manifest: f.manifest, reference: f.reference, tokens: { unit, limit: f.limit } });
        if (f.json) printJson(s);
        else printSweep(s);
      }),
    );
}
