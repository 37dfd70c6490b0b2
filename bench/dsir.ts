/**
 * `npm run bench -- dsir [maxDocs]`: DSIR's hashed n-gram featurizer (tokenize + hash unigrams
 * and bigrams into 10,000 buckets, summed per corpus) in datatailor's two modes against the
 * reference implementation's algorithm in Python (Debian python3: `re.findall(r'\w+|[^\w\s]+',
 * text.lower())` — what NLTK's WordPunctTokenizer runs — and sha256 per n-gram, as DSIR's
 * get_ngram_counts), on the same documents in one run. Also checks that dsir-compatible
 * buckets equal the reference counts exactly. Single thread on each side.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NgramHasher } from "../src/text/ngram-hash.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DATA = path.resolve(ROOT, "../shared/data/corpora");
const maxDocs = Number(process.argv[2] ?? 6000);

const texts: string[] = [];
for (const l of readFileSync(path.join(DATA, "pile-toy-dsir/toy_pile_data.jsonl"), "utf8").split("\n")) if (l) texts.push((JSON.parse(l) as { contents: string }).contents);
for (const f of ["nltk-corpora/abc_news_blocks.jsonl", "nltk-corpora/brown.jsonl", "nltk-corpora/movie_reviews.jsonl"])
  for (const l of readFileSync(path.join(DATA, f), "utf8").split("\n")) if (l && texts.length < maxDocs) texts.push((JSON.parse(l) as { text: string }).text);
const chars = texts.reduce((a, t) => a + t.length, 0);
console.log(`dsir featurizer bench: ${texts.length} docs, ${(chars / 1e6).toFixed(2)} M chars (toy Pile + NLTK ABC news, Brown, movie reviews)`);

function ours(mode: "fast" | "dsir-compatible"): { seconds: number; counts: Float64Array } {
  const h = new NgramHasher({ buckets: 10000, mode });
  const counts = new Float64Array(10000);
  const t0 = performance.now();
  for (const t of texts) h.addCounts(t, counts);
  return { seconds: (performance.now() - t0) / 1000, counts };
}

const PY = `
import sys, json, re, hashlib, time
import numpy as np
texts = json.load(sys.stdin)
pat = re.compile(r'\\w+|[^\\w\\s]+')
def hb(s): return int(hashlib.sha256(s.encode('utf-8')).hexdigest(), 16) % 10000
t0 = time.perf_counter()
total = np.zeros(10000, dtype=np.int64)
for t in texts:
    w = pat.findall(t.lower())
    c = np.zeros(10000, dtype=int)
    for x in w: c[hb(x)] += 1
    for a, b in zip(w, w[1:]): c[hb(a + ' ' + b)] += 1
    total += c
dt = time.perf_counter() - t0
print(json.dumps({"seconds": dt, "counts": total.tolist()}))
`;

ours("fast"); // warm-up (JIT, char-class table)
const fast = ours("fast");
const compat = ours("dsir-compatible");
let peer: { seconds: number; counts: number[] } | undefined;
try {
  peer = JSON.parse(execFileSync("/usr/bin/python3", ["-c", PY], { input: JSON.stringify(texts), maxBuffer: 1 << 28 }).toString()) as { seconds: number; counts: number[] };
} catch (err) {
  console.log(`peer skipped: /usr/bin/python3 with numpy not available (${(err as Error).message.split("\n")[0]})`);
}
const rate = (s: number) => (texts.length / s).toFixed(0);
console.log(`datatailor fast hashing:            ${fast.seconds.toFixed(3)} s  ${rate(fast.seconds)} docs/s`);
console.log(`datatailor dsir-compatible hashing: ${compat.seconds.toFixed(3)} s  ${rate(compat.seconds)} docs/s`);
if (peer) {
  console.log(`reference (Python re + sha256):     ${peer.seconds.toFixed(3)} s  ${rate(peer.seconds)} docs/s`);
  console.log(`ratio fast / reference:             ${(peer.seconds / fast.seconds).toFixed(1)}x`);
  console.log(`ratio dsir-compatible / reference:  ${(peer.seconds / compat.seconds).toFixed(1)}x`);
  let same = true;
  for (let i = 0; i < 10000; i++) if (peer.counts[i] !== compat.counts[i]) same = false;
  console.log(`dsir-compatible bucket counts equal the reference: ${same}`);
}
