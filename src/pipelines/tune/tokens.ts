/**
 * Token counts for length checks. Whitespace words by default (no model needed); with
 * --tokenizer, either a Hugging Face tokenizer.json (or a directory holding one) through the
 * pure-JS @huggingface/tokenizers that ships with the optional @huggingface/transformers, or a
 * .gguf model file whose vocabulary llama.cpp loads alone (node-llama-cpp's vocabOnly, the
 * optional gguf backend: no weights read), tokenising exactly as llama.cpp does for that model.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { UserError } from "../../util/errors.js";
import { loadOptional } from "../../util/optional.js";

export interface TokenCounter {
  /** "whitespace" or "hf:<path>". */
  readonly name: string;
  count(text: string): number;
}

export const whitespaceCounter: TokenCounter = {
  name: "whitespace",
  count(text: string): number {
    let n = 0;
    let inWord = false;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const space = c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0x3000 || c === 0x85 || (c >= 0x2000 && c <= 0x200a);
      if (!space && !inWord) n++;
      inWord = !space;
    }
    return n;
  },
};

interface HfTokenizer {
  encode(text: string, opts?: { add_special_tokens?: boolean }): { ids: number[] };
}

/** Opens --tokenizer: tokenizer.json (or its directory); tokenizer_config.json beside it is used when present. */
export async function openTokenCounter(spec: string | undefined): Promise<TokenCounter> {
  if (spec === undefined) return whitespaceCounter;
  const abs = path.resolve(spec);
  if (!existsSync(abs)) throw new UserError(`--tokenizer ${spec}: no such file or directory`);
  if (abs.toLowerCase().endsWith(".gguf")) return openGgufCounter(spec, abs);
  const file = statSync(abs).isDirectory() ? path.join(abs, "tokenizer.json") : abs;
  if (!existsSync(file)) throw new UserError(`--tokenizer ${spec}: ${file} is missing (a Hugging Face tokenizer directory holds tokenizer.json)`);
  let json: object;
  try {
    json = JSON.parse(readFileSync(file, "utf8")) as object;
  } catch (e) {
    throw new UserError(`--tokenizer ${spec}: ${file} is not valid JSON (${(e as Error).message})`);
  }
  if (!("model" in json)) throw new UserError(`--tokenizer ${spec}: ${file} is not a Hugging Face tokenizer.json (no "model" section)`);
  const cfgFile = path.join(path.dirname(file), "tokenizer_config.json");
  const config = existsSync(cfgFile) ? (JSON.parse(readFileSync(cfgFile, "utf8")) as object) : {};
  // A variable module name keeps the optional package out of type checking and bundling.
  const mod = "@huggingface/tokenizers";
  let lib: { Tokenizer: new (json: object, config: object) => HfTokenizer };
  try {
    lib = (await import(mod)) as typeof lib;
  } catch (e) {
    throw new UserError(`--tokenizer: @huggingface/tokenizers could not be loaded (${(e as Error).message}); install the optional dependency @huggingface/transformers`);
  }
  let tok: HfTokenizer;
  try {
    tok = new lib.Tokenizer(json, config);
  } catch (e) {
    throw new UserError(`--tokenizer ${spec}: could not build the tokenizer (${(e as Error).message.split("\n")[0]})`);
  }
  return { name: `hf:${file}`, count: (text: string) => tok.encode(text, { add_special_tokens: false }).ids.length };
}

/** The slice of node-llama-cpp used here (not a compile-time dependency). */
interface NlcVocab {
  getLlama(o: { gpu: false; build: "never"; logLevel?: string; logger?: (level: string, message: string) => void }): Promise<{
    loadModel(o: { modelPath: string; gpuLayers?: number; vocabOnly?: boolean }): Promise<{ tokenize(text: string, specialTokens?: boolean): number[] }>;
  }>;
}

async function openGgufCounter(spec: string, abs: string): Promise<TokenCounter> {
  let lib: NlcVocab;
  try {
    lib = await loadOptional<NlcVocab>("gguf");
  } catch (e) {
    throw new UserError(`--tokenizer ${spec}: a GGUF tokenizer needs the optional gguf backend (${(e as Error).message.split("\n")[0]}); or pass the model's tokenizer.json`);
  }
  try {
    const llama = await lib.getLlama({ gpu: false, build: "never", logLevel: "error", logger: () => {} });
    const model = await llama.loadModel({ modelPath: abs, gpuLayers: 0, vocabOnly: true });
    // no BOS/EOS: the trainer adds those, as it adds them to whitespace counts
    return { name: `gguf:${abs}`, count: (text: string) => model.tokenize(text, false).length };
  } catch (e) {
    throw new UserError(`--tokenizer ${spec}: llama.cpp could not read the vocabulary (${(e as Error).message.split("\n")[0]})`);
  }
}
