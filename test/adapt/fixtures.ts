/**
 * Small corpora for the adapt tests, cut from the workplace's shared data: WikiText-2 paragraphs
 * (the "reference" and a same-distribution domain drawn from disjoint paragraphs), US presidential
 * speeches (a distinct corpus), and mixtures of the two (a planted shift).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SHARED_DATA } from "../helpers/cli.js";

export function tmpDir(prefix = "dt-adapt-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function wikiParagraphs(): string[] {
  const text = readFileSync(path.join(SHARED_DATA, "corpora/wikitext-2/valid.txt"), "utf8");
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 300 && !l.startsWith("="));
}

export function speechChunks(size = 1200): string[] {
  const out: string[] = [];
  for (const line of readFileSync(path.join(SHARED_DATA, "corpora/nltk-corpora/us_speeches.jsonl"), "utf8").split("\n")) {
    if (!line.trim()) continue;
    const t = (JSON.parse(line) as { text: string }).text.replace(/\s+/g, " ");
    for (let i = 0; i + size <= t.length; i += size) out.push(t.slice(i, i + size));
  }
  return out;
}

export function writeJsonl(file: string, rows: Array<Record<string, unknown>>): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return file;
}

export const texts = (xs: string[]) => xs.map((text) => ({ text }));

/** reference, same-distribution domain, half-shifted domain, fully shifted domain (JSONL files in dir). */
export function plantedShift(dir: string, n = 240) {
  const wiki = wikiParagraphs();
  const speech = speechChunks();
  if (wiki.length < 3 * n || speech.length < n) throw new Error(`shared data too small: ${wiki.length} wiki paragraphs, ${speech.length} speech chunks`);
  const reference = wiki.filter((_, i) => i % 3 === 0).slice(0, n);
  const same = wiki.filter((_, i) => i % 3 === 1).slice(0, n);
  const half = [...wiki.filter((_, i) => i % 3 === 2).slice(0, n / 2), ...speech.slice(0, n / 2)];
  const far = speech.slice(n / 2, n / 2 + n);
  return {
    reference: writeJsonl(path.join(dir, "reference.jsonl"), texts(reference)),
    same: writeJsonl(path.join(dir, "same.jsonl"), texts(same)),
    half: writeJsonl(path.join(dir, "half.jsonl"), texts(half)),
    far: writeJsonl(path.join(dir, "far.jsonl"), texts(far)),
  };
}
