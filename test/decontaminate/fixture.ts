/**
 * Test data for decontamination: small benchmark files cut from the shared benchmarks (an
 * HF-ARC file, NQ-open with items shorter than 13 words, BoolQ with passages), and corpus
 * documents of toy-Pile filler with items planted in them verbatim, lightly edited (case,
 * punctuation, whitespace, line breaks), cut to 12 words (must not match at n = 13), or not at all.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SHARED_DATA } from "../helpers/cli.js";
import { loadEvalItems } from "../../src/pipelines/decontaminate/items.js";

export const BENCH_FILES = [
  { file: "arc-challenge.validation.jsonl", take: 60 },
  { file: "nq_open.validation.jsonl", take: 60 },
  { file: "boolq.validation.jsonl", take: 30 },
];

/** Writes the cut benchmark files into `dir`; returns their paths. */
export function writeBenchmarks(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return BENCH_FILES.map(({ file, take }) => {
    const lines = readFileSync(path.join(SHARED_DATA, "benchmarks", file), "utf8").split("\n").filter(Boolean).slice(0, take);
    const out = path.join(dir, file);
    writeFileSync(out, lines.join("\n") + "\n");
    return out;
  });
}

/** Item texts in item-number order (as the pipeline numbers them). */
export async function itemTexts(files: string[]): Promise<string[]> {
  return (await loadEvalItems(files)).items.map((i) => i.text);
}

export type Plant = "verbatim" | "upper" | "punct" | "spaces" | "partial12" | "none";
export const EDITS: Plant[] = ["verbatim", "upper", "punct", "spaces", "partial12", "none"];

export function edit(text: string, how: Plant): string {
  switch (how) {
    case "verbatim":
    case "none":
      return text;
    case "upper":
      return text.toUpperCase();
    case "punct":
      // punctuation removed where it was, added between words: deleted again by the rule
      return text.replace(/[?.,!:;]/g, "").replace(/ /g, ", ");
    case "spaces":
      return text.replace(/ /g, "  \n\t ").replace(/\n/g, "\r\n\n");
    case "partial12":
      return text.split(/\s+/).filter(Boolean).slice(0, 12).join(" ");
  }
}

export function filler(): string[] {
  return readFileSync(path.join(SHARED_DATA, "corpora/pile-toy-dsir/toy_pile_data.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { contents: string }).contents);
}

export interface PlantedDoc {
  text: string;
  item: number;
  how: Plant;
}

/** Deterministic documents: item i planted with edit EDITS[k] between two filler texts (`before` just ahead of it). */
export function plantedDocs(items: string[], count: number, seed = 1, before = ""): PlantedDoc[] {
  const fill = filler();
  let s = seed >>> 0;
  const rnd = (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
  const docs: PlantedDoc[] = [];
  for (let d = 0; d < count; d++) {
    const item = rnd(items.length);
    const how = EDITS[d % EDITS.length]!;
    const head = fill[rnd(fill.length)]!.slice(0, 300);
    const tail = fill[rnd(fill.length)]!.slice(0, 300);
    const middle = how === "none" ? "" : edit(items[item]!, how);
    docs.push({ text: `${head} ${before}${middle} ${tail}`, item, how });
  }
  return docs;
}
