/**
 * Rebuilds the bundled demo sample from ../shared/data (the project's read-only data folder):
 *   npx tsx data/demo/build-sample.ts [../shared/data]
 * Only permissively licensed sources are used; NOTICE at the repository root names each one.
 * Selection is seeded, so the output is the same on every run.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compress } from "zstd-napi";
import { chunk, readJsonl, take } from "../../scripts/lib/sample-text.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SRC = path.resolve(process.argv[2] ?? path.join(HERE, "../../../shared/data"));

interface Doc {
  id: string;
  text: string;
  metadata: { domain: string; source: string; license: string };
}

function write(rel: string, docs: Array<Doc | string>): void {
  const file = path.join(HERE, "corpus", rel);
  mkdirSync(path.dirname(file), { recursive: true });
  const body = Buffer.from(docs.map((d) => (typeof d === "string" ? d : JSON.stringify(d))).join("\n") + "\n");
  const data = rel.endsWith(".zst") ? compress(body, { compressionLevel: 19 }) : rel.endsWith(".gz") ? gzipSync(body, { level: 9 }) : body;
  writeFileSync(file, data);
  process.stderr.write(`${rel}: ${docs.length} lines, ${(body.length / 1024).toFixed(0)} KiB raw, ${(data.length / 1024).toFixed(0)} KiB on disk\n`);
}

function writeTargets(name: string, rows: Record<string, unknown>[]): void {
  const file = path.join(HERE, "targets", name + ".jsonl");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  process.stderr.write(`targets/${name}.jsonl: ${rows.length} examples\n`);
}

const docs = (domain: string, source: string, license: string, texts: string[]): Doc[] =>
  texts.map((text, i) => ({ id: `${domain}-${String(i).padStart(5, "0")}`, text, metadata: { domain, source, license } }));

/** Undoes WikiText / NLTK tokenisation (" @-@ ", spaces before punctuation); <unk> is left as in the source. */
function detokWiki(s: string): string {
  return s
    .replace(/ @(.)@ /g, "$1")
    .replace(/ ([,.;:!?)\]'’]|n't|'s)/g, "$1")
    .replace(/([([]) /g, "$1")
    .replace(/" (.*?) "/g, '"$1"');
}

function wikiArticles(file: string): string[] {
  const lines = readFileSync(path.join(SRC, file), "utf8").split("\n");
  const out: string[] = [];
  let cur: string[] = [];
  for (const line of lines) {
    if (/^ = [^=].* = $/.test(line)) {
      if (cur.length) out.push(cur.join("\n"));
      cur = [line.trim().replace(/^= | =$/g, "")];
    } else if (/^ (= )+.* (= )+$/.test(line)) {
      cur.push("\n" + line.trim().replace(/^(= )+|( =)+$/g, ""));
    } else if (line.trim()) {
      cur.push(detokWiki(line.trim()));
    }
  }
  if (cur.length) out.push(cur.join("\n"));
  return out;
}

function main(): void {
  rmSync(path.join(HERE, "corpus"), { recursive: true, force: true });
  rmSync(path.join(HERE, "targets"), { recursive: true, force: true });

  // Targets: 100 examples each from four permissively licensed benchmarks, in their own shapes.
  writeTargets("openbookqa", take(readJsonl(SRC, "benchmarks/openbookqa.validation.jsonl"), 100, 1));
  writeTargets("mmlu", take(readJsonl(SRC, "benchmarks/mmlu.dev.jsonl"), 100, 2));
  writeTargets("gsm8k", take(readJsonl(SRC, "benchmarks/gsm8k.train.jsonl"), 100, 3));
  writeTargets("commonsense_qa", take(readJsonl(SRC, "benchmarks/commonsense_qa.validation.jsonl"), 100, 4));

  // Books: public-domain Project Gutenberg texts (NLTK's copy: one paragraph per line, tokenised), ~2,000-character passages.
  const books = ["carroll-alice", "austen-emma", "melville-moby_dick", "chesterton-brown", "bryant-stories", "shakespeare-hamlet", "whitman-leaves", "edgeworth-parents"];
  const passages = books.flatMap((b) => chunk(readFileSync(path.join(SRC, `corpora/gutenberg-small/${b}.txt`), "utf8"), 2000, /\n/).map((t) => ({ b, t: detokWiki(t) })));
  const bookDocs = take(passages, 700, 5).map(({ b, t }, i) => ({ id: `books-${String(i).padStart(5, "0")}`, text: t, metadata: { domain: "books", source: `gutenberg/${b}`, license: "public domain" } }));
  write("books/gutenberg.00000.jsonl.zst", bookDocs.slice(0, 350));
  write("books/gutenberg.00001.jsonl.zst", bookDocs.slice(350));

  // Encyclopedia: WikiText-2 (valid+test) article sections, CC BY-SA 3.0 (see NOTICE).
  const wiki = [...wikiArticles("corpora/wikitext-2/valid.txt"), ...wikiArticles("corpora/wikitext-2/test.txt")].flatMap((a) => chunk(a, 2500, /\n\n/));
  write("encyclopedia/wikitext.00000.jsonl.zst", docs("encyclopedia", "wikitext-2", "CC BY-SA 3.0", take(wiki, 600, 6)));

  // Math: MATH problems with worked solutions and SVAMP word problems (MIT).
  const math = take(readJsonl(SRC, "benchmarks/llm-foundry/math.jsonl"), 600, 7).map((r) => `Problem: ${r.context}\n\nSolution: ${r.chain_of_thought}`);
  write("math/math.00000.jsonl.gz", docs("math", "MATH (Hendrycks et al.)", "MIT", math));
  const svamp = readJsonl(SRC, "benchmarks/llm-foundry/svamp.jsonl").map((r) => `${r.context}\nAnswer: ${r.answer}`);
  write("math/svamp.00000.jsonl.gz", docs("math-word", "SVAMP", "MIT", svamp));

  // Trivia Q&A pages: TriviaQA questions with answers (Apache-2.0).
  const trivia = take(readJsonl(SRC, "benchmarks/llm-foundry/triviaqa_sm_sub.jsonl"), 300, 8).map((r) => `${String(r.context).trim()} ${r.answer}`);
  write("trivia/triviaqa.00000.jsonl.gz", docs("trivia", "TriviaQA", "Apache-2.0", trivia));

  // Speeches: US State of the Union and inaugural addresses (public domain), ~2,500-character passages.
  const speeches = readJsonl(SRC, "corpora/nltk-corpora/us_speeches.jsonl").flatMap((r) => chunk(String(r.text), 2500, /\n/));
  write("speeches/us-speeches.00000.jsonl.zst", docs("speeches", "NLTK state_union + inaugural", "public domain", take(speeches, 350, 9)));

  // Reviews: Pang & Lee movie reviews (CC BY 4.0).
  const reviews = take(readJsonl(SRC, "corpora/nltk-corpora/movie_reviews.jsonl"), 300, 10).map((r) => String(r.text));
  write("reviews/movie-reviews.00000.jsonl.zst", docs("reviews", "NLTK movie_reviews (Pang & Lee 2004)", "CC BY 4.0", reviews));

  // Web: C4 samples (ODC-BY), plus two deliberately broken lines so the demo shows bad-input accounting.
  const c4 = ["c4-sample.01", "c4-sample.02", "c4-sample.03", "paloma_c4_100_domains_theguardian.val"].flatMap((f) =>
    readJsonl(SRC, `corpora/c4-olmo-fixtures/${f}.jsonl`).map((r) => String(r.text)),
  );
  const web: Array<Doc | string> = docs("web", "C4 (AllenAI)", "ODC-BY", c4);
  web.splice(17, 0, `{"id": "web-broken-1", "text": "this line was cut off mid-wri`);
  web.splice(29, 0, `{"id": "web-broken-2", "metadata": {"note": "a record without a text field"}}`);
  write("web/c4.00000.jsonl.gz", web);
}

main();
