/**
 * `openai:<base-url>[#model][&key_env=VAR]`: per-token log-probabilities from an
 * OpenAI-compatible server through the legacy `/v1/completions` endpoint with
 * `echo: true, logprobs: 1, max_tokens: 1, temperature: 0` (lm-evaluation-harness's
 * `local-completions` convention). vLLM and SGLang honour it; llama.cpp's `llama-server`
 * refuses echo and Ollama returns no prompt log-probabilities, which one probe request at
 * start-up detects and names.
 *
 * Parsing: `choices[i].logprobs.token_logprobs` has a null first entry (nothing to condition on)
 * and one extra entry at the end for the generated token, which is dropped. A null-scored first
 * token that is not part of the text (BOS, e.g. "<s>") is dropped too; vLLM counts its decoded
 * string in `text_offset`, so the offsets after it are shifted back. Where the first token is a
 * real piece of the text (tokenizers without BOS), it has no probability and is left out: the
 * scored tokens then start at the second token. `text_offset` counts characters (code points);
 * they are converted to UTF-8 byte offsets, and checked against the token strings.
 *
 * The key comes from the environment ($DATATAILOR_OPENAI_API_KEY or $OPENAI_API_KEY, or the
 * variable named by `key_env=`) and never appears in an id, log, error or cache file; neither do
 * `user:pass@` credentials in the URL, which are sent as a Basic authorization header instead.
 * Requests are batched, a bounded number are in flight, 429/5xx/network errors are retried with
 * exponential backoff and full jitter, and answers are cached on disk (keyed by endpoint, model,
 * prompt and settings) so reruns do not query again.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { writeFileAtomic } from "../../io/atomic.js";
import { UserError, usageError } from "../../util/errors.js";
import { redactUrl } from "../../util/redact.js";
import { apiKeyFrom, OpenAiHttp, RETRY_DEFAULTS, type OpenAiTuning } from "../openai-http.js";
import type { GenerateOptions, LanguageModel, ScoredText, ScoredToken, ScoreOptions, TokenizerIdentity } from "./types.js";

/** The shared client's tuning (prompts per request: default 8 here; timeout 300 s: long prompts on a busy server), plus a cache and a log. */
export interface OpenAiLmOptions extends OpenAiTuning {
  /** Response cache directory; false disables it. Default $XDG_CACHE_HOME/datatailor/lm-openai. */
  cacheDir?: string | false;
  log?: (m: string) => void;
}

export interface OpenAiSpec {
  /** The base URL without credentials. */
  base: string;
  model?: string;
  keyEnv?: string;
  /** `user:pass` taken out of the URL, sent as Basic auth. */
  basic?: { user: string; pass: string };
}

/** Parses `<base-url>[#model][&key_env=VAR]`. */
export function parseOpenAiSpec(arg: string): OpenAiSpec {
  const hash = arg.indexOf("#");
  const rawBase = hash < 0 ? arg : arg.slice(0, hash);
  let frag = hash < 0 ? "" : arg.slice(hash + 1);
  let keyEnv: string | undefined;
  const m = /&key_env=([A-Za-z_][A-Za-z0-9_]*)$/.exec(frag) ?? /^key_env=([A-Za-z_][A-Za-z0-9_]*)$/.exec(frag);
  if (m) {
    keyEnv = m[1];
    frag = frag.slice(0, m.index);
  }
  let u: URL;
  try {
    u = new URL(rawBase);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("not http");
  } catch {
    throw usageError(`lm openai:${redactUrl(arg)}: "${redactUrl(rawBase)}" is not an http(s) URL`);
  }
  let basic: OpenAiSpec["basic"];
  if (u.username || u.password) {
    basic = { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) };
    u.username = "";
    u.password = "";
  }
  return { base: u.toString().replace(/\/+$/, ""), model: frag || undefined, keyEnv, basic };
}

export function completionsUrl(base: string): string {
  const b = base.replace(/\/+$/, "");
  if (b.endsWith("/completions")) return b;
  if (/\/v\d+$/.test(b)) return `${b}/completions`;
  return `${b}/v1/completions`;
}

function modelsUrl(completions: string): string {
  return completions.replace(/\/completions$/, "/models");
}

interface CompletionChoice {
  index?: number;
  text?: string;
  logprobs?: { tokens?: string[]; token_logprobs?: Array<number | null>; text_offset?: number[]; top_logprobs?: Array<Record<string, number> | null> } | null;
}
interface CompletionResponse {
  choices?: CompletionChoice[];
  system_fingerprint?: string;
  model?: string;
}

/** The given values only, so spreading them over defaults keeps the defaults for the rest. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function defaultLmCacheDir(env: Record<string, string | undefined> = process.env): string {
  const cache = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(homedir(), ".cache");
  return path.join(cache, "datatailor", "lm-openai");
}

export class OpenAiLanguageModel implements LanguageModel {
  readonly id: string;
  readonly tokenizer: TokenizerIdentity;
  readonly url: string;
  private readonly http: OpenAiHttp;
  private readonly t: { batchSize: number; concurrency: number; maxRetries: number };
  private readonly cacheDir: string | null;
  /** answers served from the cache (for logs and tests) */
  cacheHits = 0;

  constructor(
    spec: OpenAiSpec,
    readonly model: string,
    opts: OpenAiLmOptions = {},
  ) {
    const env = opts.env ?? process.env;
    const key = apiKeyFrom(env, spec.keyEnv);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (key) headers.authorization = `Bearer ${key}`;
    else if (spec.basic) headers.authorization = `Basic ${Buffer.from(`${spec.basic.user}:${spec.basic.pass}`).toString("base64")}`;
    const secrets = [key, spec.basic?.pass, spec.basic?.user && spec.basic.user.length >= 8 ? spec.basic.user : undefined].filter((s): s is string => !!s);
    this.url = completionsUrl(spec.base);
    this.id = `openai:${redactUrl(spec.base)}#${model}`;
    this.tokenizer = { kind: "openai-server", hash: createHash("sha256").update(`openai-model:${model}`).digest("hex"), vocabSize: 0 };
    const r = { ...RETRY_DEFAULTS, ...defined({ concurrency: opts.concurrency, maxRetries: opts.maxRetries, baseDelayMs: opts.baseDelayMs, maxDelayMs: opts.maxDelayMs }) };
    this.t = { batchSize: opts.batchSize ?? 8, concurrency: r.concurrency, maxRetries: r.maxRetries };
    this.http = new OpenAiHttp(this.url, {
      label: `lm ${this.id}`,
      headers: { ...headers },
      secrets,
      tuning: { maxRetries: r.maxRetries, baseDelayMs: r.baseDelayMs, maxDelayMs: r.maxDelayMs, timeoutMs: opts.timeoutMs ?? 300_000 },
      env,
      log: opts.log ?? (() => {}),
      // llama.cpp's server answers echo with a 500 ("Only no echo is supported"): a refusal, not an outage
      refusal: (body) =>
        /Only no echo is supported/i.test(body)
          ? new UserError(`lm ${this.id}: the server refuses echo ("Only no echo is supported"): this is llama.cpp's llama-server, which cannot return prompt log-probabilities; score the model file in-process with gguf:<model.gguf>, or serve it with vLLM or SGLang`)
          : undefined,
    });
    this.cacheDir = opts.cacheDir === false ? null : path.join(opts.cacheDir ?? defaultLmCacheDir(env), "v1");
  }

  /** requests sent and retried (for logs and tests) */
  get requests(): number {
    return this.http.requests;
  }
  get retries(): number {
    return this.http.retries;
  }

  /** One short request that shows whether the server returns prompt log-probabilities. */
  async probe(): Promise<void> {
    const probeText = "The quick brown fox jumps over the lazy dog.";
    const res = await this.post({ prompt: [probeText], echo: true, logprobs: 1, max_tokens: 1, temperature: 0 }, undefined, 1);
    const scored = this.parseScores(res, [probeText]);
    if (scored[0]!.tokens.length === 0) throw new UserError(`lm ${this.id}: the probe returned no scored prompt tokens`);
  }

  async score(texts: string[], opts: ScoreOptions = {}): Promise<ScoredText[]> {
    const settings = { kind: "score", echo: true, logprobs: 1, max_tokens: 1, temperature: 0 };
    return this.batched(texts, settings, opts, async (batch) => {
      const res = await this.post({ prompt: batch, echo: true, logprobs: 1, max_tokens: 1, temperature: 0 }, opts.signal);
      return this.parseScores(res, batch);
    });
  }

  async generate(prompts: string[], opts: GenerateOptions): Promise<string[]> {
    const body = { max_tokens: opts.maxTokens, temperature: opts.temperature ?? 0, ...(opts.stop?.length ? { stop: opts.stop } : {}) };
    return this.batched(prompts, { kind: "generate", ...body }, opts, async (batch) => {
      const res = await this.post({ prompt: batch, ...body }, opts.signal);
      const choices = this.choicesFor(res, batch.length);
      return choices.map((c) => {
        if (typeof c.text !== "string") throw new UserError(`lm ${this.id}: a completion without text`);
        return c.text;
      });
    });
  }

  /**
   * The top-`topK` natural-log probabilities of the first token generated after each prompt
   * (`max_tokens: 1, logprobs: topK`, no echo): how Yang et al. read a classification label.
   * Servers that return no log-probabilities for generated tokens get a clear error.
   */
  async firstTokenLogprobs(prompts: string[], opts: { topK: number }): Promise<Array<Array<{ token: string; logprob: number }>>> {
    const body = { max_tokens: 1, temperature: 0, logprobs: opts.topK };
    return this.batched(prompts, { kind: "first-token", ...body }, {}, async (batch) => {
      const res = await this.post({ prompt: batch, ...body });
      return this.choicesFor(res, batch.length).map((c) => {
        const top = c.logprobs?.top_logprobs?.[0];
        if (!top || typeof top !== "object") throw new UserError(`lm ${this.id}: the server returned no top log-probabilities for the generated token`);
        return Object.entries(top)
          .filter(([, lp]) => typeof lp === "number")
          .map(([token, logprob]) => ({ token, logprob }))
          .sort((a, b) => b.logprob - a.logprob);
      });
    });
  }

  /** Splits into batches, answers what the cache holds, runs the rest with bounded concurrency. */
  private async batched<T>(items: string[], settings: object, opts: ScoreOptions, run: (batch: string[]) => Promise<T[]>): Promise<T[]> {
    const out: T[] = new Array(items.length);
    const keys = items.map((p) => this.cacheKey(p, settings));
    const todo: number[] = [];
    let done = 0;
    for (let i = 0; i < items.length; i++) {
      const hit = await this.cacheGet<T>(keys[i]!);
      if (hit !== undefined) {
        out[i] = hit;
        this.cacheHits++;
        done++;
      } else todo.push(i);
    }
    if (done) opts.onProgress?.(done);
    const batches: number[][] = [];
    for (let s = 0; s < todo.length; s += this.t.batchSize) batches.push(todo.slice(s, s + this.t.batchSize));
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        opts.signal?.throwIfAborted();
        const idx = batches[next++]!;
        const res = await run(idx.map((i) => items[i]!));
        for (let k = 0; k < idx.length; k++) {
          out[idx[k]!] = res[k]!;
          await this.cachePut(keys[idx[k]!]!, res[k]!);
        }
        done += idx.length;
        opts.onProgress?.(done);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.t.concurrency, batches.length) }, worker));
    return out;
  }

  /** Cache key: endpoint (no credentials), model, prompt and settings; never the key. */
  private cacheKey(prompt: string, settings: object): string {
    return createHash("sha256").update(JSON.stringify({ url: redactUrl(this.url), model: this.model, settings, prompt })).digest("hex");
  }

  private cachePath(key: string): string {
    return path.join(this.cacheDir!, key.slice(0, 2), `${key}.json`);
  }

  private async cacheGet<T>(key: string): Promise<T | undefined> {
    if (!this.cacheDir) return undefined;
    try {
      const v = JSON.parse(await readFile(this.cachePath(key), "utf8")) as { v?: T };
      return v.v;
    } catch {
      return undefined; // missing or damaged: ask the server again
    }
  }

  private async cachePut(key: string, value: unknown): Promise<void> {
    if (!this.cacheDir) return;
    await writeFileAtomic(this.cachePath(key), JSON.stringify({ v: value }));
  }

  private post(body: object, signal?: AbortSignal, maxRetries?: number): Promise<CompletionResponse> {
    return this.http.post<CompletionResponse>({ model: this.model, ...body }, { signal, maxRetries });
  }

  private choicesFor(res: CompletionResponse, n: number): CompletionChoice[] {
    const choices = res.choices;
    if (!Array.isArray(choices) || choices.length !== n) throw new UserError(`lm ${this.id}: expected ${n} choices, got ${Array.isArray(choices) ? choices.length : "none"}`);
    const out: CompletionChoice[] = new Array(n);
    choices.forEach((c, i) => {
      const idx = typeof c.index === "number" ? c.index : i;
      if (idx < 0 || idx >= n || out[idx]) throw new UserError(`lm ${this.id}: bad or repeated choice index ${idx}`);
      out[idx] = c;
    });
    return out;
  }

  private parseScores(res: CompletionResponse, prompts: string[]): ScoredText[] {
    const choices = this.choicesFor(res, prompts.length);
    // Ollama marks its answers; its OpenAI API ignores echo, so there are never prompt log-probabilities
    const ollama = res.system_fingerprint === "fp_ollama";
    const refuse = () =>
      ollama
        ? new UserError(`lm ${this.id}: Ollama's OpenAI-compatible API returns no prompt log-probabilities (it ignores echo); score the model's GGUF file with gguf:<file> (Ollama keeps it under ~/.ollama/models/blobs), or serve the model with vLLM or SGLang`)
        : new UserError(`lm ${this.id}: the server returned no prompt log-probabilities for echo: true, logprobs: 1 (servers that do: vLLM, SGLang); for a GGUF model use gguf:<file>`);
    return choices.map((c, i) => {
      const lp = c.logprobs;
      if (!lp || !Array.isArray(lp.token_logprobs) || !Array.isArray(lp.tokens) || !Array.isArray(lp.text_offset)) throw refuse();
      try {
        return parseEcho(prompts[i]!, lp.tokens, lp.token_logprobs, lp.text_offset, c.text, this.id);
      } catch (e) {
        throw ollama ? refuse() : e;
      }
    });
  }

  async close(): Promise<void> {}
}

/** Code-point index → UTF-8 byte offset, for every index 0..length. */
function codePointByteOffsets(text: string): { cps: string[]; bytes: Int32Array } {
  const cps = Array.from(text);
  const bytes = new Int32Array(cps.length + 1);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!.codePointAt(0)!;
    bytes[i + 1] = bytes[i]! + (c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4);
  }
  return { cps, bytes };
}

/**
 * Turns one echoed choice into scored prompt tokens (see the header for the rules). Exported for
 * tests of odd server answers.
 */
export function parseEcho(prompt: string, tokens: string[], logprobs: Array<number | null>, offsets: number[], echoed: string | undefined, id: string): ScoredText {
  const n = tokens.length;
  if (logprobs.length !== n || offsets.length !== n) throw new UserError(`lm ${id}: tokens, token_logprobs and text_offset differ in length (${n}, ${logprobs.length}, ${offsets.length})`);
  const { cps, bytes } = codePointByteOffsets(prompt);
  const promptLen = cps.length;
  if (typeof echoed === "string" && !echoed.startsWith(prompt)) throw new UserError(`lm ${id}: the server did not echo the prompt (echo: true was ignored), so it returned no prompt log-probabilities`);
  // drop the generated token: the last entry (max_tokens: 1)
  const m = n - 1;
  if (m < 1 && promptLen > 0) throw new UserError(`lm ${id}: the server returned log-probabilities for the generated token only, none for the prompt (echo: true was ignored)`);
  let first = 0;
  let shift = 0;
  // a null-scored first token that is not text of the prompt (BOS): drop it and remove its length from the offsets
  if (m > 0 && logprobs[0] === null) {
    const t0 = tokens[0]!;
    const isText = t0.length > 0 && prompt.startsWith(t0) && offsets[0] === 0;
    first = 1;
    if (!isText && m > 1) shift = offsets[1]! - offsets[0]!;
  }
  const out: ScoredToken[] = [];
  let prevEnd = 0;
  for (let i = first; i < m; i++) {
    const lp = logprobs[i];
    if (typeof lp !== "number" || !Number.isFinite(lp)) throw new UserError(`lm ${id}: prompt token ${i} has no log-probability`);
    let s = offsets[i]! - shift;
    let e = (i + 1 < m ? offsets[i + 1]! : offsets[m]!) - shift;
    // clamp into the prompt and keep the tokens in order (servers differ on special tokens)
    s = Math.min(Math.max(s, prevEnd), promptLen);
    e = Math.min(Math.max(e, s), promptLen);
    if (i === m - 1) e = promptLen;
    prevEnd = e;
    out.push({ token: cps.slice(s, e).join(""), start: bytes[s]!, end: bytes[e]!, logprob: lp });
  }
  return { tokens: out };
}

export async function openOpenAi(arg: string, opts: OpenAiLmOptions = {}): Promise<LanguageModel> {
  if (!arg) throw usageError("lm openai: give the server's base URL, e.g. openai:http://127.0.0.1:8000/v1#my-model");
  const spec = parseOpenAiSpec(arg);
  let model = spec.model;
  if (!model) model = await discoverModel(spec, opts);
  const lm = new OpenAiLanguageModel(spec, model, opts);
  await lm.probe();
  return lm;
}

/** The served model when the spec names none (vLLM serves one; its name is required in requests). */
async function discoverModel(spec: OpenAiSpec, opts: OpenAiLmOptions): Promise<string> {
  const probe = new OpenAiLanguageModel(spec, "", { ...opts, cacheDir: false });
  const url = modelsUrl(probe.url);
  const headers: Record<string, string> = {};
  const key = apiKeyFrom(opts.env ?? process.env, spec.keyEnv);
  if (key) headers.authorization = `Bearer ${key}`;
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) });
    const json = (await res.json()) as { data?: Array<{ id?: string }> };
    const id = json.data?.[0]?.id;
    if (res.ok && typeof id === "string" && id) {
      opts.log?.(`lm openai: using the server's model '${id}' (name one with #<model>)`);
      return id;
    }
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code;
    if (code) throw new UserError(`lm openai:${redactUrl(spec.base)}: cannot reach the server (${code})`);
  }
  throw usageError(`lm openai:${redactUrl(spec.base)}: name the model, e.g. openai:${redactUrl(spec.base)}#<model> (${redactUrl(url)} did not list one)`);
}
