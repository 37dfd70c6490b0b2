/**
 * Parsing `tune eval`'s matrix: `--models name=<spec>,…` (specs are the LM layer's gguf:/openai:
 * strings, which may contain commas of their own, so a new pair starts only at `,name=backend:`)
 * and `--tests in:<file>[+<few-shot file>],out:<file>,…`. A test without an explicit few-shot
 * file uses the paper's layout: <dir>/few_shot/<name>_few_shot.json beside <dir>/<name>_test_500.json.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { usageError } from "../../util/errors.js";
import { setName } from "./read.js";

export interface ModelSpec {
  name: string;
  spec: string;
}

export interface TestSpec {
  name: string;
  file: string;
  domain: "in" | "out";
  /** The test set's own few-shot file (ICL demos), when known. */
  shots?: string;
}

const PAIR_START = /,(?=\s*[A-Za-z0-9_.-]+=[A-Za-z][A-Za-z0-9+.-]*:)/;

export function parseModels(arg: string): ModelSpec[] {
  const out: ModelSpec[] = [];
  for (const part of arg.split(PAIR_START)) {
    const m = /^\s*([A-Za-z0-9_.-]+)=(.+?)\s*$/.exec(part);
    if (!m) throw usageError(`--models: '${part.trim()}' is not name=<spec> (e.g. base=gguf:base.gguf,ft=openai:http://localhost:8000/v1#ft)`);
    if (out.some((o) => o.name === m[1])) throw usageError(`--models: '${m[1]}' is named twice`);
    out.push({ name: m[1], spec: m[2] });
  }
  if (out.length === 0) throw usageError("--models: no models given");
  return out;
}

/** The paper's few-shot file for a test file, if it exists. */
export function paperFewShot(file: string): string | undefined {
  const name = setName(file).replace(/_test(_\d+)?$/, "");
  const candidate = path.join(path.dirname(file), "few_shot", `${name}_few_shot.json`);
  return existsSync(candidate) ? candidate : undefined;
}

export function parseTests(arg: string): TestSpec[] {
  const out: TestSpec[] = [];
  for (const raw of arg.split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^(in|out):(.+)$/.exec(raw);
    if (!m) throw usageError(`--tests: '${raw}' must start with in: (in-domain) or out: (out-of-domain)`);
    const [file, shots] = m[2].split("+");
    if (!existsSync(file)) throw usageError(`--tests: ${file}: no such file`);
    if (shots !== undefined && !existsSync(shots)) throw usageError(`--tests: few-shot file ${shots}: no such file`);
    const name = setName(file);
    if (out.some((t) => t.name === name)) throw usageError(`--tests: two test sets named '${name}'`);
    out.push({ name, file, domain: m[1] as "in" | "out", shots: shots ?? paperFewShot(file) });
  }
  if (out.length === 0) throw usageError("--tests: no test sets given");
  return out;
}

export function parseShots(arg: string): number[] {
  const shots = arg.split(",").map((s) => s.trim());
  const out: number[] = [];
  for (const s of shots) {
    if (!/^\d+$/.test(s)) throw usageError(`--shots: '${s}' is not a non-negative integer`);
    const n = Number(s);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}
