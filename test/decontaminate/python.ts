/** Runs the plain Python reference (reference.py, Debian python3) for the tests. */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEBIAN_PYTHON, hasTool, requireTool } from "../helpers/system.js";

export const REFERENCE = path.join(path.dirname(fileURLToPath(import.meta.url)), "reference.py");
export const havePython = requireTool("python3", hasTool(DEBIAN_PYTHON));

/** reference.py's `words()` (datatrove simplify_text + split) of each text. */
export function pythonWords(texts: string[]): string[][] {
  const code = `import sys, json; sys.path.insert(0, ${JSON.stringify(path.dirname(REFERENCE))}); from reference import words; print(json.dumps([words(t) for t in json.load(sys.stdin)]))`;
  return JSON.parse(execFileSync(DEBIAN_PYTHON, ["-c", code], { input: JSON.stringify(texts), maxBuffer: 1 << 28 }).toString("utf8")) as string[][];
}

/** reference.py --hits: per document, [item, shared distinct n-grams] pairs sorted by item. */
export function pythonHits(itemsFile: string, docsFile: string, n: number): Array<Array<[number, number]>> {
  const out = execFileSync(DEBIAN_PYTHON, [REFERENCE, itemsFile, docsFile, String(n), "--hits"], { maxBuffer: 1 << 28 }).toString("utf8");
  return out
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Array<[number, number]>);
}
