/**
 * Seeded sampling and text chunking for the scripts that build data from ../shared/data: the
 * demo sample (data/demo/build-sample.ts) and the select benchmark's pools (bench/select.ts).
 * Kept byte-stable: the bundled demo sample is rebuilt from these functions.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

/** mulberry32: tiny seeded PRNG, reproducible without a dependency. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle of a copy. */
export function shuffle<T>(items: T[], seed: number): T[] {
  const r = prng(seed);
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** n seeded items (all of them if fewer). */
export const take = <T>(items: T[], n: number, seed: number): T[] => shuffle(items, seed).slice(0, n);

/** Non-empty lines of a JSONL file under `root`, parsed. */
export function readJsonl(root: string, rel: string): Record<string, unknown>[] {
  return readFileSync(path.join(root, rel), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * Splits long text into ~`size`-character chunks on `sep` boundaries (paragraphs by default),
 * re-joined with `joiner`; chunks under 200 characters are dropped.
 */
export function chunk(text: string, size: number, sep = /\n\s*\n/, joiner = "\n\n"): string[] {
  const out: string[] = [];
  let cur = "";
  for (const p of text.split(sep).map((s) => s.trim()).filter(Boolean)) {
    if (cur && cur.length + p.length > size) {
      out.push(cur);
      cur = "";
    }
    cur = cur ? cur + joiner + p : p;
  }
  if (cur) out.push(cur);
  return out.filter((c) => c.length >= 200);
}
