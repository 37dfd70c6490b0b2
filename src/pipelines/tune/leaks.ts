/**
 * Leakage check: which demos and training examples also appear in a test set. Compared on the
 * prompt's content (the template's fields joined by newlines; not the output), three ways:
 *   exact       byte-identical fields;
 *   normalized  identical after the decontamination rule of src/models/contam (datatrove's
 *               simplify_text: lowercase, punctuation deleted, accents dropped, digit runs → 0);
 *   ngram13     at least one shared 13-word window of those normalised words, found with the
 *               contamination index of src/models/contam (the one `decontaminate` uses).
 * Test items shorter than 13 words can only match the first two ways: the index also finds short
 * items whole inside longer texts, but a few-word test item ("great product") inside a review
 * is no evidence of a leak. Each (test item, source item) pair is listed once, strongest kind.
 */
import { buildContamIndex } from "../../models/contam/build.js";
import { Matcher } from "../../models/contam/match.js";
import { normalizedWords } from "../../models/contam/words.js";
import type { TuneItem, TuneSet } from "./read.js";

export type LeakKind = "exact" | "normalized" | "ngram13";

export interface Leak {
  test: string;
  testIndex: number;
  source: "demo" | "train";
  sourceIndex: number;
  kind: LeakKind;
  /** For ngram13: distinct 13-word windows the two share, and how many windows the test item has. */
  sharedNgrams?: number;
  testNgrams?: number;
}

export interface LeakOptions {
  /** The template's fields, compared in this order. */
  fields: readonly string[];
  /** Only the first `limit` items of each test set (the evaluated slice). */
  limit?: number;
}

const N = 13;

function content(item: TuneItem, fields: readonly string[]): string {
  return fields.map((f) => item.fields[f] ?? "").join("\n");
}

export function findLeaks(
  tests: readonly TuneSet[],
  sources: { demo: readonly TuneItem[]; train: readonly TuneItem[] },
  opts: LeakOptions,
): Leak[] {
  const refs: Array<{ set: number; item: TuneItem; text: string; grams: number }> = [];
  const exact = new Map<string, number[]>();
  const norm = new Map<string, number[]>();
  tests.forEach((set, s) => {
    const items = opts.limit === undefined ? set.items : set.items.slice(0, opts.limit);
    for (const item of items) {
      const id = refs.length;
      const text = content(item, opts.fields);
      const words = normalizedWords(text);
      refs.push({ set: s, item, text, grams: Math.max(0, words.length - N + 1) });
      push(exact, text, id);
      if (words.length > 0) push(norm, words.join(" "), id);
    }
  });
  const { index } = buildContamIndex({ count: refs.length, forEach: (fn) => refs.forEach((r) => fn(r.text, r.set)) }, { n: N, shared: false });
  const matcher = new Matcher(index);
  const leaks: Leak[] = [];
  for (const source of ["demo", "train"] as const) {
    for (const item of sources[source]) {
      const text = content(item, opts.fields);
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
      const words = normalizedWords(text);
      if (words.length > 0) for (const id of norm.get(words.join(" ")) ?? []) emit(id, "normalized");
      if (matcher.match(text) > 0) for (const hit of matcher.hits()) if (!hit.whole) emit(hit.item, "ngram13", hit.ngrams);
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
