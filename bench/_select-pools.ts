/**
 * Labelled pools for select's quality benchmark, built from ../shared/data. Each pool mixes
 * documents of several known domains; each target is a set of benchmark-style items (a short
 * question and its answer) whose subject matches one or more of those domains. The pools are
 * split once, before any tuning, into a tuning group and a confirmation group: methods and
 * parameters are chosen on the tuning pools only, and the confirmation pools are read to
 * confirm (docs/select.md records which is which and why the split never moves).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { chunk as chunkText, readJsonl, shuffle, take } from "../scripts/lib/sample-text.js";

export interface PoolDoc {
  id: string;
  text: string;
  domain: string;
}
export interface PoolTarget {
  name: string;
  /** Benchmark-style items: question + "\n" + correct answer. */
  texts: string[];
  /** Domains whose documents count as matching. */
  match: string[];
}
export interface Pool {
  name: string;
  group: "tuning" | "confirmation";
  docs: PoolDoc[];
  targets: PoolTarget[];
}

type Rec = Record<string, unknown>;

function mmluItems(shared: string): Rec[] {
  return [...readJsonl(shared, "benchmarks/mmlu.dev.jsonl"), ...readJsonl(shared, "benchmarks/mmlu.validation.jsonl")];
}

/** MMLU items of the given subjects as "question\nanswer". */
function mmlu(shared: string, subjects: string[]): string[] {
  return mmluItems(shared)
    .filter((r) => subjects.includes(String(r.subject)))
    .map((r) => `${r.question}\n${(r.choices as string[])[r.answer as number]}`);
}

function piqa(shared: string, n: number, seed: number): string[] {
  return take(readJsonl(shared, "benchmarks/piqa.train.oe_eval_docs.jsonl"), n, seed).map((r) => `${r.goal}\n${r.label === 0 ? r.sol1 : r.sol2}`);
}

const MEDICINE = ["anatomy", "clinical_knowledge", "college_medicine", "professional_medicine", "medical_genetics", "virology", "nutrition", "human_aging"];
const LAW = ["professional_law", "jurisprudence", "international_law"];
const MATH = ["abstract_algebra", "college_mathematics", "elementary_mathematics", "high_school_mathematics", "high_school_statistics"];
const COMPUTING = ["college_computer_science", "high_school_computer_science", "computer_security", "machine_learning"];
const ECONOMICS = ["high_school_macroeconomics", "high_school_microeconomics", "econometrics"];
const BUSINESS = ["marketing", "management", "business_ethics", "professional_accounting", "public_relations"];
const POLITICS = ["high_school_government_and_politics", "us_foreign_policy", "security_studies"];
const PSYCHOLOGY = ["high_school_psychology", "professional_psychology"];
const RELIGION = ["world_religions", "philosophy", "moral_disputes"];
const PHYSICS = ["astronomy", "college_physics", "conceptual_physics", "high_school_physics", "electrical_engineering"];

const chunkLines = (text: string, size: number) => chunkText(text, size, /\n/, "\n");

function docsOf(domain: string, texts: string[], prefix: string): PoolDoc[] {
  return texts.map((text, i) => ({ id: `${prefix}-${domain.replace(/\W+/g, "_")}-${i}`, text, domain }));
}

/** Tuning 1: public corpora of 7 kinds (books, encyclopedia, math, news, reviews, speeches, Brown). */
function mixedPool(shared: string, seed: number): Pool {
  const books = ["austen-emma", "austen-sense", "melville-moby_dick", "chesterton-ball", "chesterton-thursday", "edgeworth-parents", "whitman-leaves", "milton-paradise", "bryant-stories", "carroll-alice"];
  const docs = [
    ...docsOf("books", take(books.flatMap((b) => chunkLines(readFileSync(path.join(shared, `corpora/gutenberg-small/${b}.txt`), "utf8"), 1500)), 1500, seed), "mx"),
    ...docsOf("encyclopedia", take(["valid", "test"].flatMap((s) => chunkLines(readFileSync(path.join(shared, `corpora/wikitext-2/${s}.txt`), "utf8"), 1500)), 1200, seed + 1), "mx"),
    ...docsOf("math", take(readJsonl(shared, "benchmarks/llm-foundry/math.jsonl"), 500, seed + 2).map((r) => `Problem: ${r.context}\nSolution: ${r.chain_of_thought}`), "mx"),
    ...docsOf("news", take(readJsonl(shared, "corpora/nltk-corpora/abc_news_blocks.jsonl"), 1500, seed + 3).map((r) => String(r.text)), "mx"),
    ...docsOf("reviews", take(readJsonl(shared, "corpora/nltk-corpora/movie_reviews.jsonl"), 1200, seed + 4).map((r) => String(r.text)), "mx"),
    ...docsOf("speeches", take(readJsonl(shared, "corpora/nltk-corpora/us_speeches.jsonl").flatMap((r) => chunkLines(String(r.text), 1500)), 600, seed + 5), "mx"),
    ...docsOf("brown", readJsonl(shared, "corpora/nltk-corpora/brown.jsonl").map((r) => String(r.text)), "mx"),
  ];
  return {
    name: "mixed",
    group: "tuning",
    docs: shuffle(docs, seed + 6),
    targets: [
      { name: "gsm8k→math", texts: take(readJsonl(shared, "benchmarks/gsm8k.train.jsonl"), 200, seed).map((r) => `${r.question}\n${r.answer}`), match: ["math"] },
      { name: "mmlu-politics→speeches", texts: mmlu(shared, [...POLITICS, "high_school_us_history"]), match: ["speeches"] },
    ],
  };
}

/** Tuning 2: the Pile toy set (DSIR's test data), 14 domains. */
function pilePool(shared: string): Pool {
  const docs = readJsonl(shared, "corpora/pile-toy-dsir/toy_pile_data.jsonl").map((r, i) => ({
    id: `pile-${i}`,
    text: String(r.contents),
    domain: String((r.metadata as { pile_set_name: string }).pile_set_name),
  }));
  return {
    name: "pile",
    group: "tuning",
    docs,
    targets: [
      { name: "mmlu-law→FreeLaw", texts: mmlu(shared, LAW), match: ["FreeLaw"] },
      { name: "mmlu-medicine→PubMed", texts: mmlu(shared, MEDICINE), match: ["PubMed Central", "PubMed Abstracts", "NIH ExPorter"] },
      { name: "mmlu-math→DM Mathematics", texts: mmlu(shared, MATH), match: ["DM Mathematics"] },
    ],
  };
}

/** Tuning 3: AG News (test split), 4 topics; the world and business topics have MMLU counterparts. */
function agNewsPool(shared: string, seed: number): Pool {
  const topics = ["World", "Sports", "Business", "Sci/Tech"];
  const rows = readFileSync(path.join(shared, "classification/ag_news/test.csv"), "utf8").split("\n").filter(Boolean);
  const docs: PoolDoc[] = [];
  const perTopic = new Map<string, number>();
  for (const line of shuffle(rows, seed + 7)) {
    const m = /^"(\d)","((?:[^"]|"")*)","((?:[^"]|"")*)"$/.exec(line);
    if (!m) continue;
    const domain = topics[Number(m[1]) - 1]!;
    // World and Business are the matching domains: keep them a minority, as in a real pool.
    const cap = domain === "World" || domain === "Business" ? 450 : 2500;
    const n = perTopic.get(domain) ?? 0;
    if (n >= cap) continue;
    perTopic.set(domain, n + 1);
    docs.push({ id: `ag-${docs.length}`, text: `${m[2]!.replace(/""/g, '"')}\n${m[3]!.replace(/""/g, '"').replace(/\\/g, " ")}`, domain });
  }
  return {
    name: "ag-news",
    group: "tuning",
    docs,
    targets: [
      { name: "mmlu-business→Business", texts: mmlu(shared, [...BUSINESS, ...ECONOMICS]), match: ["Business"] },
      { name: "mmlu-politics→World", texts: mmlu(shared, [...POLITICS, "high_school_world_history"]), match: ["World"] },
    ],
  };
}

/** Confirmation 1: paper titles of 7 fields (SciBERT's MAG set). */
function magPool(shared: string, seed: number): Pool {
  const rows = readJsonl(shared, "classification/scibert-text-classification/mag.test.jsonl").filter((r) => r.label !== "category");
  const byField = new Map<string, string[]>();
  for (const r of shuffle(rows, seed + 8)) {
    const f = String(r.label);
    const list = byField.get(f) ?? [];
    if (list.length < 1100) list.push(String(r.text));
    byField.set(f, list);
  }
  const docs = shuffle([...byField].flatMap(([f, texts]) => docsOf(f, texts, "mag")), seed + 9);
  return {
    name: "mag-titles",
    group: "confirmation",
    docs,
    targets: [
      { name: "mmlu-medicine→medicine", texts: mmlu(shared, MEDICINE), match: ["medicine"] },
      { name: "mmlu-psychology→psychology", texts: mmlu(shared, PSYCHOLOGY), match: ["psychology"] },
      { name: "mmlu-economics→economics", texts: mmlu(shared, ECONOMICS), match: ["economics"] },
      { name: "mmlu-politics→politics", texts: mmlu(shared, POLITICS), match: ["politics"] },
    ],
  };
}

/** Confirmation 2: the Brown corpus' 15 genres, each text cut into ~1,200-character passages. */
function brownPool(shared: string): Pool {
  const docs: PoolDoc[] = [];
  for (const r of readJsonl(shared, "corpora/nltk-corpora/brown.jsonl")) {
    const words = String(r.text).split(/\s+/).filter(Boolean);
    for (let i = 0, k = 0; i + 60 <= words.length; i += 200, k++) docs.push({ id: `brown-${r.id}-${k}`, text: words.slice(i, i + 200).join(" "), domain: String(r.category) });
  }
  return {
    name: "brown-genres",
    group: "confirmation",
    docs,
    targets: [
      { name: "mmlu-religion→religion", texts: mmlu(shared, RELIGION), match: ["religion"] },
      { name: "sciq→learned", texts: take(readJsonl(shared, "benchmarks/sciq.validation.jsonl"), 500, 11).map((r) => `${r.question}\n${r.correct_answer}`), match: ["learned"] },
      { name: "mmlu-politics→government", texts: mmlu(shared, POLITICS), match: ["government"] },
    ],
  };
}

/** Confirmation 3: science papers, cooking questions, encyclopedia, news and web text. */
function sciencePool(shared: string, seed: number): Pool {
  const arxiv = readJsonl(shared, "corpora/arxiv-fulltext/arxiv_fulltext_20docs.jsonl").flatMap((r) => chunkLines(String(r.text), 1500));
  const cooking = readFileSync(path.join(shared, "classification/cooking-stackexchange/cooking.stackexchange.txt"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => l.replace(/__label__\S+\s*/g, "").trim())
    .filter((t) => t.length > 40);
  const docs = [
    ...docsOf("arxiv", arxiv, "sci"),
    ...docsOf("cooking", take(cooking, 600, seed + 10), "sci"),
    ...docsOf("encyclopedia", take(["valid", "test"].flatMap((s) => chunkLines(readFileSync(path.join(shared, `corpora/wikitext-2/${s}.txt`), "utf8"), 1200)), 2500, seed + 11), "sci"),
    ...docsOf("news", take(readJsonl(shared, "corpora/nltk-corpora/abc_news_blocks.jsonl"), 1500, seed + 12).map((r) => String(r.text)), "sci"),
    ...docsOf("reviews", take(readJsonl(shared, "corpora/nltk-corpora/movie_reviews.jsonl"), 800, seed + 13).map((r) => String(r.text)), "sci"),
    ...docsOf("web", ["c4-sample.01", "c4-sample.02", "c4-sample.03", "paloma_c4_100_domains_theguardian.val"].flatMap((f) => readJsonl(shared, `corpora/c4-olmo-fixtures/${f}.jsonl`).map((r) => String(r.text))), "sci"),
  ];
  return {
    name: "science-web",
    group: "confirmation",
    docs: shuffle(docs, seed + 14),
    targets: [
      { name: "mmlu-physics→arxiv", texts: mmlu(shared, [...PHYSICS, ...MATH, ...COMPUTING]), match: ["arxiv"] },
      { name: "piqa→cooking", texts: piqa(shared, 400, seed), match: ["cooking"] },
    ],
  };
}

export const TUNING_POOLS = ["mixed", "pile", "ag-news"];
export const CONFIRMATION_POOLS = ["mag-titles", "brown-genres", "science-web"];

export function buildPools(shared: string, seed: number): Pool[] {
  return [mixedPool(shared, seed), pilePool(shared), agNewsPool(shared, seed), magPool(shared, seed), brownPool(shared), sciencePool(shared, seed)];
}
