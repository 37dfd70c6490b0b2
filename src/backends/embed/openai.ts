/**
 * Embeddings from any OpenAI-compatible `/v1/embeddings` server (OpenAI, TEI, vLLM, Ollama,
 * llama.cpp): batched requests, a bounded number in flight, retries with exponential backoff
 * and full jitter on 429, 5xx and network errors (honouring Retry-After). The API key comes from
 * DATATAILOR_OPENAI_API_KEY or OPENAI_API_KEY and is never logged or put in an error message:
 * server bodies are redacted (raw, URL-encoded and JSON-escaped spellings) before they are cut
 * short, and the embedder's id (logs, report, selection.json, cache) carries the URL without
 * credentials. A URL with `user:pass@` is refused up front: fetch cannot send it, and it is not a
 * network error worth retrying.
 */
import { EXIT, UserError } from "../../util/errors.js";
import { redact, redactAndTruncate, redactUrl } from "../../util/redact.js";
import type { Embedder, EmbedderOptions } from "./types.js";

export interface OpenAiTuning {
  batchSize?: number;
  concurrency?: number;
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  env?: Record<string, string | undefined>;
}

export const DEFAULT_OPENAI_MODEL = "text-embedding-3-small";

export function embeddingsUrl(base: string): string {
  const b = base.replace(/\/+$/, "");
  if (b.endsWith("/embeddings")) return b;
  if (/\/v\d+$/.test(b)) return `${b}/embeddings`;
  return `${b}/v1/embeddings`;
}

/** Longest server body quoted in an error (after redaction). */
const BODY_CHARS = 200;

class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class OpenAiEmbedder implements Embedder {
  readonly id: string;
  dim = 0;
  private readonly key: string | undefined;
  private readonly env: Record<string, string | undefined>;
  private readonly t: Required<Omit<OpenAiTuning, "env">>;
  /** requests retried so far (for logs and tests) */
  retries = 0;

  constructor(
    readonly url: string,
    readonly model: string,
    private readonly log: (m: string) => void,
    tuning: OpenAiTuning = {},
  ) {
    const env = tuning.env ?? process.env;
    this.env = env;
    this.key = env.DATATAILOR_OPENAI_API_KEY || env.OPENAI_API_KEY || undefined;
    this.t = {
      batchSize: tuning.batchSize ?? 64,
      concurrency: tuning.concurrency ?? 4,
      maxRetries: tuning.maxRetries ?? 6,
      baseDelayMs: tuning.baseDelayMs ?? 500,
      maxDelayMs: tuning.maxDelayMs ?? 30_000,
      timeoutMs: tuning.timeoutMs ?? 120_000,
    };
    this.id = `openai:${redactUrl(url)}#${model}`;
  }

  /** Removes the key (in any spelling) and URL credentials from text that might reach a log or an error. */
  private redact(s: string): string {
    return redact(s, [this.key], this.env);
  }

  /** A server body for an error message: redacted first, then cut short. */
  private quote(body: string, max = BODY_CHARS): string {
    return redactAndTruncate(body, max, [this.key], this.env);
  }

  /** Learns the dimension with one tiny request. */
  async probe(): Promise<void> {
    const v = await this.request(["dimension probe"]);
    this.dim = v[0]!.length;
    if (this.dim === 0) throw new UserError(`embedder ${this.id}: the server returned an empty vector`);
  }

  async embed(texts: string[]): Promise<Float32Array> {
    if (this.dim === 0) await this.probe();
    const dim = this.dim;
    const out = new Float32Array(texts.length * dim);
    const batches: number[] = [];
    for (let s = 0; s < texts.length; s += this.t.batchSize) batches.push(s);
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const start = batches[next++]!;
        const part = texts.slice(start, start + this.t.batchSize);
        const vecs = await this.request(part);
        vecs.forEach((v, i) => {
          if (v.length !== dim) throw new UserError(`embedder ${this.id}: got a vector of length ${v.length}, expected ${dim}`);
          const o = (start + i) * dim;
          let norm = 0;
          for (let k = 0; k < dim; k++) norm += v[k]! * v[k]!;
          const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
          for (let k = 0; k < dim; k++) out[o + k] = v[k]! * inv;
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.t.concurrency, batches.length) }, worker));
    return out;
  }

  private async request(input: string[]): Promise<number[][]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(input);
      } catch (e) {
        if (!(e instanceof RetryableError) || attempt >= this.t.maxRetries) {
          const msg = this.redact(e instanceof Error ? e.message : String(e));
          throw new UserError(`embedder ${this.id}: ${msg}${attempt > 0 ? ` (after ${attempt} retries)` : ""}`);
        }
        const cap = Math.min(this.t.maxDelayMs, this.t.baseDelayMs * 2 ** attempt);
        const delay = Math.max(e.retryAfterMs ?? 0, Math.random() * cap);
        this.retries++;
        this.log(`embedder ${this.id}: ${this.redact(e.message)}; retry ${attempt + 1}/${this.t.maxRetries} in ${Math.round(delay)} ms`);
        await sleep(delay);
      }
    }
  }

  private async once(input: string[]): Promise<number[][]> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.key) headers.authorization = `Bearer ${this.key}`;
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: "POST",
        headers,
        body: JSON.stringify({ model: this.model, input, encoding_format: "float" }),
        signal: AbortSignal.timeout(this.t.timeoutMs),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      const cause = err.cause?.code;
      // A request fetch refuses to build (bad URL, credentials in it) fails the same way every time.
      if (err.name === "TypeError" && err.cause === undefined) throw new Error(`cannot send the request: ${err.message}`);
      throw new RetryableError(`network error (${cause ?? (err.name === "TimeoutError" ? "timeout" : err.message)})`);
    }
    const body = await res.text().catch(() => "");
    if (res.status === 429 || res.status >= 500) {
      const ra = Number(res.headers.get("retry-after"));
      throw new RetryableError(`HTTP ${res.status} ${this.quote(body)}`, Number.isFinite(ra) && ra > 0 ? ra * 1000 : undefined);
    }
    if (!res.ok) throw new Error(`HTTP ${res.status} ${this.quote(body, 300)}`);
    let json: { data?: Array<{ index?: number; embedding?: unknown }> };
    try {
      json = JSON.parse(body);
    } catch {
      throw new Error(`the server did not return JSON: ${this.quote(body)}`);
    }
    const data = json.data;
    if (!Array.isArray(data) || data.length !== input.length) {
      throw new Error(`expected ${input.length} embeddings, got ${Array.isArray(data) ? data.length : "none"}`);
    }
    const out: number[][] = new Array(input.length);
    data.forEach((d, i) => {
      const idx = typeof d.index === "number" ? d.index : i;
      if (!Array.isArray(d.embedding) || idx < 0 || idx >= input.length) throw new Error("malformed embedding in the response");
      out[idx] = d.embedding as number[];
    });
    if (out.some((v) => !v)) throw new Error("the response repeats an index");
    return out;
  }
}

/** `arg` is `<base url>[#model]`. */
export async function createOpenAiEmbedder(arg: string, opts: EmbedderOptions, tuning: OpenAiTuning = {}): Promise<Embedder> {
  const hash = arg.indexOf("#");
  const base = hash < 0 ? arg : arg.slice(0, hash);
  const model = (hash < 0 ? "" : arg.slice(hash + 1)) || DEFAULT_OPENAI_MODEL;
  let u: URL;
  try {
    u = new URL(base);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("not http");
  } catch {
    throw new UserError(`embedder openai:${redactUrl(arg)}: "${redactUrl(base)}" is not an http(s) URL`, EXIT.usage);
  }
  // (A key in the query string, as Azure takes it, is sent; it is only redacted from what we write.)
  if (u.username || u.password) {
    throw new UserError(
      `embedder openai:${redactUrl(arg)}: the URL carries credentials, which are neither sent nor stored; put the key in DATATAILOR_OPENAI_API_KEY (or OPENAI_API_KEY) and give the URL without it`,
      EXIT.usage,
    );
  }
  const e = new OpenAiEmbedder(embeddingsUrl(base), model, opts.log ?? (() => {}), tuning);
  await e.probe();
  return e;
}
