/**
 * Leakage check: which demos and training examples also appear in a test set. Compared on the
 * prompt's content (the template's fields joined by newlines; not the output), three ways:
 *   exact       byte-identical fields;
 *   normalized  identical after normalizeText (NFKC, lowercase, non-letters/digits → space);
 *   ngram13     at least one shared 13-word window of the normalised text (GPT-3 / OLMo style);
 *               texts under 13 words can only match the first two ways.
 * Each (test item, source item) pair is listed once, with the strongest kind.
 */
import { NgramIndex, normalizeText, normalizedWords } from "./ngram-index.js";
import type { TuneItem, TuneSet } from "./read.js";

export type LeakKind = "exact" | "normalized" | "ngram13";

export interface Leak {
  test: string;
  testIndex: number;
  source: "demo" | "train";
  sourceIndex: number;
  kind: LeakKind;
  /** For ngram13: how many of the source item's 13-word windows occur in the test item, and how many windows the test item has. */
  sharedNgrams?: number;
  testNgrams?: number;
}

export interface LeakOptions {
  /** The template's fields, compared in this order. */
  fields: readonly string[];
  /** n of the n-gram overlap (13). */
  n?: number;
  /** Only the first `limit` items of each test set (the evaluated slice). */
  limit?: number;
}

function content(item: TuneItem, fields: readonly string[]): string {
  return fields.map((f) => item.fields[f] ?? "").join("\n");
}

export function findLeaks(
  tests: readonly TuneSet[],
  sources: { demo: readonly TuneItem[]; train: readonly TuneItem[] },
  opts: LeakOptions,
): Leak[] {
  const n = opts.n ?? 13;
  const index = new NgramIndex(n);
  const exact = new Map<string, number[]>();
  const norm = new Map<string, number[]>();
  const refs: Array<{ set: number; item: TuneItem; grams: number }> = [];
  tests.forEach((set, s) => {
    const items = opts.limit === undefined ? set.items : set.items.slice(0, opts.limit);
    for (const item of items) {
      const id = refs.length;
      const text = content(item, opts.fields);
      const words = normalizedWords(text);
      refs.push({ set: s, item, grams: Math.max(0, words.length - n + 1) });
      push(exact, text, id);
      push(norm, words.join(" "), id);
      index.add(id, words);
    }
  });
  const leaks: Leak[] = [];
  for (const source of ["demo", "train"] as const) {
    for (const item of sources[source]) {
      const text = content(item, opts.fields);
      const normalized = normalizeText(text);
      const seen = new Set<number>();
      const emit = (id: number, kind: LeakKind, shared?: number) => {
        if (seen.has(id)) return;
        seen.add(id);
        const r = refs[id];
        const leak: Leak = { test: tests[r.set].name, testIndex: r.item.index, source, sourceIndex: item.index, kind };
        if (shared !== undefined) Object.assign(leak, { sharedNgrams: shared, testNgrams: r.grams });
        leaks.push(leak);
      };
      for (const id of exact.get(text) ?? []) emit(id, "exact");
      if (normalized !== "") for (const id of norm.get(normalized) ?? []) emit(id, "normalized");
      const hits = index.query(normalized === "" ? [] : normalized.split(" "));
      for (const id of [...hits.keys()].sort((a, b) => a - b)) emit(id, "ngram13", hits.get(id));
    }
  }
  leaks.sort((a, b) => a.test.localeCompare(b.test) || a.testIndex - b.testIndex || a.source.localeCompare(b.source) || a.sourceIndex - b.sourceIndex);
  return leaks;
}

function push(map: Map<string, number[]>, key: string, id: number): void {
  const l = map.get(key);
  if (l) l.push(id);
  else map.set(key, [id]);
}
