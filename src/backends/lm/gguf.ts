/**
 * `gguf:<file>`: a local GGUF model run in-process by llama.cpp through node-llama-cpp (an
 * optional backend installed on demand: `datatailor backends install gguf`), CPU only.
 *
 * Scoring: the text's tokens are evaluated after one prefix token and, for each position,
 * node-llama-cpp's `controlledEvaluate` returns the probability map of the next token; the
 * target token's probability is read from it (ln p). The prefix is the model's BOS token, or its
 * EOS token when it has no BOS (lm-evaluation-harness's `prefix_token_id` rule), so the first
 * token of every text is scored too. Texts longer than the context are scored in windows that
 * overlap by half a context, each token predicted once with at least half a context before it.
 *
 * Tokens carry byte offsets into the text: their bytes come from the GGUF vocabulary (GPT-2
 * byte-level symbols, SentencePiece `▁` and `<0xNN>` pieces) and are aligned to the text's
 * bytes, allowing for SentencePiece's added leading space.
 *
 * llama.cpp spreads each evaluation over its own threads, so no worker threads here.
 */
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { UserError } from "../../util/errors.js";
import { loadOptional } from "../../util/optional.js";
import type { GenerateOptions, LanguageModel, ScoredText, ScoredToken, ScoreOptions, TokenizerIdentity } from "./types.js";

/** The slice of node-llama-cpp 3.21's API used here (the package is not a compile-time dependency). */
type Token = number;
interface NlcModule {
  getLlama(o: { gpu: false; build: "never"; logLevel?: string; logger?: (level: string, message: string) => void }): Promise<NlcLlama>;
}
interface NlcLlama {
  loadModel(o: { modelPath: string; gpuLayers?: number }): Promise<NlcModel>;
  dispose(): Promise<void>;
}
interface NlcModel {
  tokenize(text: string, specialTokens?: boolean): Token[];
  detokenize(tokens: readonly Token[], specialTokens?: boolean): string;
  isEogToken(token: Token | undefined): boolean;
  readonly tokens: { bos: Token | null; eos: Token | null };
  readonly trainContextSize: number;
  readonly fileInfo: { metadata: { tokenizer?: { ggml?: GgufTokenizerMeta } } };
  createContext(o: { contextSize?: number; sequences?: number; threads?: number }): Promise<NlcContext>;
  dispose(): Promise<void>;
}
interface GgufTokenizerMeta {
  model?: string;
  pre?: string;
  tokens?: string[];
  merges?: string[];
  token_type?: number[];
  bos_token_id?: number;
  eos_token_id?: number;
  add_bos_token?: boolean;
}
interface NlcContext {
  getSequence(): NlcSequence;
  dispose(): Promise<void>;
}
type ControlledInput = Token | [Token, { generateNext?: { probabilities?: boolean; token?: boolean; options?: { temperature?: number } } }];
interface NlcSequence {
  clearHistory(): Promise<void>;
  controlledEvaluate(input: ControlledInput[]): Promise<Array<undefined | { next: { token?: Token | null; probabilities?: Map<Token, number> } }>>;
  evaluate(tokens: Token[], o?: { temperature?: number }): AsyncGenerator<Token, void, void | Token | Token[]>;
  dispose(): void;
}

export interface GgufOptions {
  /** Context window in tokens (default: the model's training context, at most 4096). */
  contextSize?: number;
  /** Parallel sequences in one context (llama.cpp batches them); default 1. */
  sequences?: number;
  /** CPU threads for llama.cpp (default: its own choice). */
  threads?: number;
  log?: (m: string) => void;
}

/**
 * One llama.cpp instance per process, never disposed: its native log callback is bound once, and
 * a second instance after a disposed one let llama.cpp's warnings reach stdout (breaking --json).
 * Its chatter (load info, tokenizer self-checks) goes to the newest opener's log, errors only.
 */
let llamaOnce: Promise<NlcLlama> | undefined;
let llamaLog: (m: string) => void = () => {};
function sharedLlama(lib: NlcModule, log: (m: string) => void): Promise<NlcLlama> {
  llamaLog = log;
  llamaOnce ??= lib.getLlama({ gpu: false, build: "never", logLevel: "warn", logger: (level, message) => (level === "error" || level === "fatal" ? llamaLog(`llama.cpp: ${message}`) : undefined) });
  llamaOnce.catch(() => (llamaOnce = undefined));
  return llamaOnce;
}

export async function openGguf(file: string, opts: GgufOptions = {}): Promise<LanguageModel> {
  const abs = path.resolve(file);
  if (!existsSync(abs) || !statSync(abs).isFile()) throw new UserError(`lm gguf:${file}: no such file`);
  const lib = await loadOptional<NlcModule>("gguf");
  const log = opts.log ?? (() => {});
  let llama: NlcLlama;
  try {
    llama = await sharedLlama(lib, log);
  } catch (e) {
    throw new UserError(`lm gguf: node-llama-cpp could not start its prebuilt CPU binary (${firstLine(e)}); reinstall with: datatailor backends install gguf`);
  }
  let model: NlcModel;
  try {
    model = await llama.loadModel({ modelPath: abs, gpuLayers: 0 });
  } catch (e) {
    throw new UserError(`lm gguf:${file}: llama.cpp could not load the model (${firstLine(e)})`);
  }
  const contextSize = Math.max(8, Math.min(opts.contextSize ?? 4096, model.trainContextSize || 4096));
  const sequences = Math.max(1, opts.sequences ?? 1);
  let context: NlcContext;
  try {
    context = await model.createContext({ contextSize, sequences, ...(opts.threads ? { threads: opts.threads } : {}) });
  } catch (e) {
    await model.dispose();
    throw new UserError(`lm gguf:${file}: could not create a ${contextSize}-token context (${firstLine(e)})`);
  }
  const lm = new GgufModel(`gguf:${abs}`, llama, model, context, contextSize, sequences);
  log(`loaded ${lm.id}: ${lm.tokenizer.vocabSize} tokens (${lm.tokenizer.kind}), context ${contextSize}, prefix token ${lm.prefix}`);
  return lm;
}

class GgufModel implements LanguageModel {
  readonly tokenizer: TokenizerIdentity;
  /** The token every text is scored after (BOS, else EOS). */
  readonly prefix: Token;
  private readonly pieces: Array<Uint8Array | null>;
  private readonly free: NlcSequence[] = [];
  private waiting: Array<(s: NlcSequence) => void> = [];

  constructor(
    readonly id: string,
    private readonly llama: NlcLlama,
    private readonly model: NlcModel,
    private readonly context: NlcContext,
    private readonly contextSize: number,
    private readonly sequences: number,
  ) {
    const meta = model.fileInfo.metadata.tokenizer?.ggml ?? {};
    const tokens = meta.tokens ?? [];
    this.tokenizer = tokenizerIdentity(meta);
    this.pieces = tokenPieces(meta);
    const prefix = model.tokens.bos ?? model.tokens.eos;
    if (prefix === null || prefix === undefined) throw new UserError(`lm ${id}: the model has neither a BOS nor an EOS token to condition the first token on`);
    this.prefix = prefix;
    if (tokens.length === 0) throw new UserError(`lm ${id}: the GGUF file has no tokenizer.ggml.tokens`);
    for (let i = 0; i < sequences; i++) this.free.push(context.getSequence());
  }

  private async acquire(): Promise<NlcSequence> {
    const s = this.free.pop();
    if (s) return s;
    return new Promise((r) => this.waiting.push(r));
  }

  private release(s: NlcSequence): void {
    const w = this.waiting.shift();
    if (w) w(s);
    else this.free.push(s);
  }

  async score(texts: string[], opts: ScoreOptions = {}): Promise<ScoredText[]> {
    const out: ScoredText[] = new Array(texts.length);
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < texts.length) {
        opts.signal?.throwIfAborted();
        const i = next++;
        const seq = await this.acquire();
        try {
          out[i] = await this.scoreOne(seq, texts[i]!, opts.signal);
        } finally {
          this.release(seq);
        }
        opts.onProgress?.(++done);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.sequences, texts.length) }, worker));
    return out;
  }

  private async scoreOne(seq: NlcSequence, text: string, signal?: AbortSignal): Promise<ScoredText> {
    const ids = this.model.tokenize(text, false);
    const logprobs = new Float64Array(ids.length);
    // windows over [prefix, ...ids]; after the first, each keeps half a context of earlier tokens
    const all = [this.prefix, ...ids];
    const win = this.contextSize;
    const stride = Math.max(1, Math.floor(win / 2));
    let predicted = 0; // tokens of ids scored so far; all[a] predicts all[a + 1] = ids[a]
    while (predicted < ids.length) {
      signal?.throwIfAborted();
      const start = Math.max(0, predicted - (win - stride));
      const end = Math.min(all.length, start + win);
      const first = predicted - start;
      const last = end - start - 2; // the window's last token predicts nothing inside it
      const input: ControlledInput[] = all.slice(start, end).map((t, p) => (p >= first && p <= last ? [t, { generateNext: { probabilities: true } }] : t));
      await seq.clearHistory();
      const res = await seq.controlledEvaluate(input);
      for (let p = first; p <= last; p++) {
        const target = all[start + p + 1]!;
        const prob = res[p]?.next.probabilities?.get(target);
        if (prob === undefined) throw new UserError(`lm ${this.id}: llama.cpp returned no probability for token ${target}`);
        logprobs[start + p] = Math.log(prob);
      }
      predicted = end - 1;
    }
    return { tokens: this.align(text, ids, logprobs) };
  }

  /** Attaches byte offsets to the tokens by matching their bytes against the text's. */
  private align(text: string, ids: Token[], logprobs: Float64Array): ScoredToken[] {
    const bytes = Buffer.from(text, "utf8");
    const out: ScoredToken[] = new Array(ids.length);
    let pos = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const piece = this.pieces[id] ?? Buffer.from(this.model.detokenize([id], false), "utf8");
      let start = pos;
      let len = piece.length;
      if (!matchAt(bytes, pos, piece, 0)) {
        // SentencePiece adds a space before the first word that the text does not have
        if (piece[0] === 0x20 && matchAt(bytes, pos, piece, 1)) len = piece.length - 1;
        else len = 0; // a normalised or unknown piece: zero-width at the current position
      }
      const end = Math.min(bytes.length, start + len);
      start = Math.min(start, end);
      out[i] = { token: piece.length ? Buffer.from(piece).toString("utf8") : "", start, end, logprob: logprobs[i]! };
      pos = end;
    }
    return out;
  }

  async generate(prompts: string[], opts: GenerateOptions): Promise<string[]> {
    const out: string[] = new Array(prompts.length);
    for (let i = 0; i < prompts.length; i++) {
      opts.signal?.throwIfAborted();
      const seq = await this.acquire();
      try {
        out[i] = await this.generateOne(seq, prompts[i]!, opts);
      } finally {
        this.release(seq);
      }
      opts.onProgress?.(i + 1);
    }
    return out;
  }

  private async generateOne(seq: NlcSequence, prompt: string, opts: GenerateOptions): Promise<string> {
    const input = [this.prefix, ...this.model.tokenize(prompt, false)];
    if (input.length + opts.maxTokens > this.contextSize) throw new UserError(`lm ${this.id}: prompt (${input.length} tokens) + ${opts.maxTokens} new tokens exceed the ${this.contextSize}-token context`);
    await seq.clearHistory();
    const generated: Token[] = [];
    let text = "";
    if (opts.maxTokens <= 0) return "";
    for await (const t of seq.evaluate(input, { temperature: opts.temperature ?? 0 })) {
      if (this.model.isEogToken(t)) break;
      generated.push(t);
      text = this.model.detokenize(generated, false);
      const cut = firstStop(text, opts.stop);
      if (cut >= 0) return text.slice(0, cut);
      if (generated.length >= opts.maxTokens) break;
      opts.signal?.throwIfAborted();
    }
    return text;
  }

  async close(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
    // the llama.cpp instance is the process's (sharedLlama), not this model's
  }
}

function firstStop(text: string, stop: string[] | undefined): number {
  let cut = -1;
  for (const s of stop ?? []) {
    if (!s) continue;
    const at = text.indexOf(s);
    if (at >= 0 && (cut < 0 || at < cut)) cut = at;
  }
  return cut;
}

function matchAt(hay: Uint8Array, pos: number, piece: Uint8Array, from: number): boolean {
  const n = piece.length - from;
  if (n <= 0 || pos + n > hay.length) return false;
  for (let k = 0; k < n; k++) if (hay[pos + k] !== piece[from + k]) return false;
  return true;
}

/** sha256 over everything that decides how text becomes token ids. */
export function tokenizerIdentity(meta: GgufTokenizerMeta): TokenizerIdentity {
  const h = createHash("sha256");
  const put = (s: string) => h.update(String(Buffer.byteLength(s))).update(":").update(s);
  put(meta.model ?? "");
  put(meta.pre ?? "");
  for (const t of meta.tokens ?? []) put(t);
  h.update("|merges|");
  for (const m of meta.merges ?? []) put(m);
  h.update("|types|").update((meta.token_type ?? []).join(","));
  h.update(`|bos=${meta.bos_token_id ?? ""}|eos=${meta.eos_token_id ?? ""}|add_bos=${meta.add_bos_token ?? ""}`);
  return { kind: `gguf-${meta.model ?? "unknown"}`, hash: h.digest("hex"), vocabSize: meta.tokens?.length ?? 0 };
}

/** GPT-2's byte → printable-unicode table, inverted: byte-level BPE symbols back to bytes. */
let byteDecoder: Map<number, number> | null = null;
function gpt2ByteDecoder(): Map<number, number> {
  if (byteDecoder) return byteDecoder;
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  byteDecoder = new Map(cs.map((c, i) => [c, bs[i]!]));
  return byteDecoder;
}

/** Each token's bytes in the text, from the vocabulary; null where only detokenize can tell (control tokens, other tokenizers). */
function tokenPieces(meta: GgufTokenizerMeta): Array<Uint8Array | null> {
  const tokens = meta.tokens ?? [];
  const types = meta.token_type ?? [];
  const normal = (i: number) => types[i] === undefined || types[i] === 1 || types[i] === 6; // normal, byte
  if (meta.model === "gpt2") {
    const dec = gpt2ByteDecoder();
    return tokens.map((t, i) => {
      if (!normal(i) && types[i] !== 4) return null; // control/unknown: no text
      const out: number[] = [];
      for (const ch of t) {
        const b = dec.get(ch.codePointAt(0)!);
        if (b === undefined) return Buffer.from(t, "utf8"); // user-defined token stored as plain text
        out.push(b);
      }
      return Uint8Array.from(out);
    });
  }
  if (meta.model === "llama") {
    return tokens.map((t, i) => {
      if (types[i] === 6) {
        const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(t);
        if (m) return Uint8Array.of(parseInt(m[1]!, 16));
      }
      if (!normal(i) && types[i] !== 4) return null;
      return Buffer.from(t.replace(/\u2581/g, " "), "utf8");
    });
  }
  return tokens.map(() => null);
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split("\n")[0]!;
}
