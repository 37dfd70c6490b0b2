/**
 * Matching semantics: planted items are found verbatim and lightly edited, 12-word fragments
 * are not (n = 13), items shorter than n words match only whole; and on a few hundred planted
 * documents every (document, item, shared distinct n-grams) triple equals the plain Python
 * reference's (a set of n-gram tuples).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildContamIndex } from "../../src/models/contam/build.js";
import { Matcher } from "../../src/models/contam/match.js";
import { normalizedWords } from "../../src/models/contam/words.js";
import { itemTexts, plantedDocs, writeBenchmarks } from "./fixture.js";
import { havePython, pythonHits } from "./python.js";

let dir: string;
let items: string[];
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "dt-match-"));
  items = await itemTexts(writeBenchmarks(path.join(dir, "bench")));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function matcherFor(texts: string[], n = 13): Matcher {
  const { index } = buildContamIndex({ count: texts.length, forEach: (fn) => texts.forEach((t) => fn(t, 0)) }, { n });
  return new Matcher(index);
}

describe("matching", () => {
  it("finds planted items verbatim and edited (case, punctuation, whitespace, line breaks); not 12-word fragments", () => {
    const m = matcherFor(items);
    const long = items.map((t, i) => ({ t, i, w: normalizedWords(t).length })).filter((x) => x.w >= 20);
    expect(long.length).toBeGreaterThan(50);
    for (const { t, i, w } of long.slice(0, 40)) {
      for (const doc of [t, t.toUpperCase(), t.replace(/[?.,!]/g, "").replace(/ /g, " ; "), t.replace(/ /g, "\n\n  \t")]) {
        expect(m.match(`Some unrelated prefix words here. ${doc} And a tail.`), doc.slice(0, 60)).toBeGreaterThan(0);
        const hit = m.hits().find((h) => h.item === i);
        expect(hit?.ngrams).toBe(w - 12);
      }
      const fragment = normalizedWords(t).slice(3, 15).join(" ");
      m.match(`prefix ${fragment} suffix`);
      expect(m.hits().some((h) => h.item === i)).toBe(false);
    }
  });

  it("a document sharing only short phrases with an item is clean", () => {
    const item = "the quick brown fox jumps over the lazy dog while the farmer watches from the old wooden gate";
    const m = matcherFor([item]);
    expect(m.match("the quick brown fox jumps over the lazy dog. Later the farmer watches from the old wooden gate.")).toBe(0);
    expect(m.match("the quick brown fox jumps over the lazy dog while the farmer watches from")).toBe(2); // 14 words: two 13-grams
  });

  it("items shorter than n words match as a whole contiguous word sequence", () => {
    const m = matcherFor(["Who wrote Hamlet? Shakespeare", "capital of France: Paris", "a long enough item with thirteen words in it to be an ordinary one"]);
    expect(m.match("Quiz: who wrote HAMLET -- shakespeare, of course.")).toBe(1);
    expect(m.hits()).toMatchObject([{ item: 0, ngrams: 1, whole: true }]);
    expect(m.match("who wrote hamlet, asked the teacher. shakespeare")).toBe(0);
    expect(m.match("The capital of France, Paris, and who wrote Hamlet Shakespeare")).toBe(2);
    expect(m.hits().map((h) => h.item)).toEqual([0, 1]);
    expect(m.match("Paris")).toBe(0);
  });

  it("an n-gram held by several items reports each of them", () => {
    const shared = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen";
    const m = matcherFor([`${shared} alpha`, `beta ${shared}`, "unrelated words only here and there to fill it up to thirteen words ok"]);
    m.match(`x ${shared} y`);
    expect(m.hits().map((h) => [h.item, h.ngrams])).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });

  it.skipIf(!havePython)("equals the Python reference on 360 planted documents (n = 13 and n = 8)", () => {
    const docs = plantedDocs(items, 360);
    const itemsFile = path.join(dir, "items.jsonl");
    const docsFile = path.join(dir, "docs.jsonl");
    writeFileSync(itemsFile, items.map((t) => JSON.stringify({ text: t })).join("\n") + "\n");
    writeFileSync(docsFile, docs.map((d) => JSON.stringify({ text: d.text })).join("\n") + "\n");
    for (const n of [13, 8]) {
      const py = pythonHits(itemsFile, docsFile, n);
      const m = matcherFor(items, n);
      const mine = docs.map((d) => (m.match(d.text), m.hits().map((h) => [h.item, h.ngrams])));
      expect(mine).toEqual(py);
      const found = (how: string) => docs.filter((d, i) => d.how === how && mine[i]!.some(([it]) => it === d.item)).length;
      for (const how of ["verbatim", "upper", "punct", "spaces"]) expect(found(how), how).toBe(docs.filter((d) => d.how === how).length);
      if (n === 13) expect(mine.filter((h) => h.length > 0).length).toBeGreaterThan(200);
    }
  });
});
