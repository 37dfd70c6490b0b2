/**
 * Token counts for length checks. Whitespace words by default (no model needed); with
 * --tokenizer, a Hugging Face tokenizer.json (or a directory holding one) through the pure-JS
 * @huggingface/tokenizers that ships with the optional @huggingface/transformers dependency.
 * GGUF files are refused with a clear error: their vocabularies are not read here.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { UserError } from "../../util/errors.js";

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
  if (abs.toLowerCase().endsWith(".gguf")) {
    throw new UserError(
      `--tokenizer ${spec}: reading a tokenizer from a GGUF file is not supported; pass the model's Hugging Face tokenizer.json (or leave --tokenizer out to count whitespace words)`,
    );
  }
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
