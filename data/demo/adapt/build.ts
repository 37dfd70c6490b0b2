/**
 * Rebuilds the `datatailor demo adapt` sample from ../shared/data (public-domain sources only):
 *   npx tsx data/demo/adapt/build.ts [../shared/data]
 * reference/  prose from Project Gutenberg books (NLTK's gutenberg corpus), the "pretraining" stand-in
 * domains/novels    held-out Gutenberg books by the reference's authors (close to the reference)
 * domains/speeches  US presidential addresses (NLTK state_union + inaugural; US government works)
 * domains/plays     Tiny Shakespeare (speaker lines, many short lines: format-heavy)
 * Documents hold one sentence (or verse line) per line, so n-gram models see sentences; each
 * domain's test.txt is held-out sentences, one per line. Seeded: the same output on every run.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compress } from "zstd-napi";
import { readJsonl, shuffle } from "../../../scripts/lib/sample-text.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SRC = path.resolve(process.argv[2] ?? path.join(HERE, "../../../../shared/data"));

/** Undoes NLTK's tokenisation (spaces before punctuation, split contractions). */
function detok(s: string): string {
  return s
    .replace(/ ([,.;:!?)\]]|n't|'s|'ll|'d|'re|'ve|'m)/g, "$1")
    .replace(/([([]) /g, "$1")
    .replace(/(\w)' (m|ve|ll|d|re|s|t)\b/g, "$1'$2")
    .replace(/" (.*?) "/g, '"$1"')
    .replace(/\s+/g, " ")
    .trim();
}

/** Sentences of a Gutenberg text (NLTK's copy has one sentence per line), de-tokenised, in one run. */
function gutenbergSentences(file: string): string[][] {
  const text = readFileSync(path.join(SRC, "corpora/gutenberg-small", file), "utf8");
  const lines = text
    .split("\n")
    .map((l) => detok(l.replace(/``|''/g, '"')))
    .filter((l) => l.length > 1 && !SLURS.test(l) && !/^\[.*\]$|^chapter\b|^(book|volume)\s+\w+\.?$/i.test(l));
  return [lines];
}

/** Sentences with racial slurs (present in some of these 19th/early-20th-century texts) are left out of the demo. */
const SLURS = /\bnigger/i;

function sentences(p: string): string[] {
  return p
    .split(/(?<=[.!?]["')]?)\s+(?=["'(]?[A-Z])/)
    .map((s) => s.trim())
    .filter((s) => s.length > 1 && !SLURS.test(s));
}

/** Groups consecutive sentences into ~size-char documents, one sentence per line. */
function docs(paragraphs: string[][], size: number): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  let len = 0;
  for (const p of paragraphs) {
    for (const s of p) {
      cur.push(s);
      len += s.length + 1;
      if (len >= size) {
        out.push(cur.join("\n"));
        cur = [];
        len = 0;
      }
    }
  }
  if (len >= 200) out.push(cur.join("\n"));
  return out;
}

function writeZst(rel: string, texts: string[], domain: string): void {
  const file = path.join(HERE, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  const body = Buffer.from(texts.map((text, i) => JSON.stringify({ id: `${domain}-${String(i).padStart(4, "0")}`, text, metadata: { domain } })).join("\n") + "\n");
  writeFileSync(file, compress(body, { compressionLevel: 19 }));
  process.stderr.write(`${rel}: ${texts.length} docs, ${(body.length / 1024).toFixed(0)} KiB raw\n`);
}

function writeTest(rel: string, lines: string[]): void {
  const file = path.join(HERE, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, lines.join("\n") + "\n");
  process.stderr.write(`${rel}: ${lines.length} lines\n`);
}

/** Train docs and held-out test sentences from one pool of documents (test = every line of the last docs). */
function split(all: string[], nTrain: number, nTestLines: number, seed: number): { train: string[]; test: string[] } {
  const shuffled = shuffle(all, seed);
  const train = shuffled.slice(0, nTrain);
  const test: string[] = [];
  for (const d of shuffled.slice(nTrain)) {
    for (const l of d.split("\n")) if (test.length < nTestLines && l.trim()) test.push(l);
    if (test.length >= nTestLines) break;
  }
  return { train, test };
}

// reference: prose by eight authors
const refBooks = ["austen-emma.txt", "austen-sense.txt", "chesterton-ball.txt", "chesterton-thursday.txt", "melville-moby_dick.txt", "carroll-alice.txt", "edgeworth-parents.txt", "bryant-stories.txt"];
const reference = shuffle(refBooks.flatMap((b) => docs(gutenbergSentences(b), 1200)), 11).slice(0, 480);
writeZst("reference/gutenberg.jsonl.zst", reference, "reference");

// novels: other books by the same authors
const novels = split([...docs(gutenbergSentences("austen-persuasion.txt"), 1200), ...docs(gutenbergSentences("chesterton-brown.txt"), 1200)], 150, 400, 12);
writeZst("domains/novels/train.jsonl.zst", novels.train, "novels");
writeTest("domains/novels/test.txt", novels.test);

// speeches
const speechParas = readJsonl(SRC, "corpora/nltk-corpora/us_speeches.jsonl").map((r) => String(r.text).split(/\n\s*\n/).map((p) => sentences(p.replace(/\s+/g, " ").trim())));
const speeches = split(docs(speechParas.flat(), 1200), 150, 400, 13);
writeZst("domains/speeches/train.jsonl.zst", speeches.train, "speeches");
writeTest("domains/speeches/test.txt", speeches.test);

// plays: Tiny Shakespeare as it is laid out (speaker lines, verse lines, blank lines between speeches dropped)
const lines = readFileSync(path.join(SRC, "corpora/tinyshakespeare/input.txt"), "utf8")
  .split("\n")
  .filter((l) => l.trim() && !SLURS.test(l));
const playDocs: string[] = [];
for (let i = 0; i < lines.length; i += 40) playDocs.push(lines.slice(i, i + 40).join("\n"));
const plays = split(playDocs, 150, 400, 14);
writeZst("domains/plays/train.jsonl.zst", plays.train, "plays");
writeTest("domains/plays/test.txt", plays.test);
