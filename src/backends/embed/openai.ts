/**
 * Embeddings from any OpenAI-compatible `/v1/embeddings` server (OpenAI, TEI, vLLM, Ollama,
 * llama.cpp): batched requests, a bounded number in flight; retries (429, 5xx, network errors)
 * and redaction are the shared client's (../openai-http.ts). The API key comes from
 * DATATAILOR_OPENAI_API_KEY or OPENAI_API_KEY and is never logged or put in an error message:
 * server bodies are redacted (raw, URL-encoded and JSON-escaped spellings) before they are cut
 * short, and the embedder's id (logs, report, selection.json, cache) carries the URL without
 * credentials. A URL with `user:pass@` is refused up front: fetch cannot send it, and it is not a
 * network error worth retrying.
 */
import { EXIT, UserError } from "../../util/errors.js";
import { redactUrl } from "../../util/redact.js";
import { apiKeyFrom, OpenAiHttp, RETRY_DEFAULTS, type OpenAiTuning } from "../openai-http.js";
import type { Embedder, EmbedderOptions } from "./types.js";

export const DEFAULT_OPENAI_MODEL = "text-embedding-3-small";

export function embeddingsUrl(base: string): string {
  const b = base.replace(/\/+$/, "");
  if (b.endsWith("/embeddings")) return b;
  if (/\/v\d+$/.test(b)) return `${b}/embeddings`;
  return `${b}/v1/embeddings`;
}

export class OpenAiEmbedder implements Embedder {
  readonly id: string;
  dim = 0;
  private readonly http: OpenAiHttp;
  private readonly t: { batchSize: number; concurrency: number };

  constructor(
    readonly url: string,
    readonly model: string,
    log: (m: string) => void,
    tuning: OpenAiTuning = {},
  ) {
    const env = tuning.env ?? process.env;
    const key = apiKeyFrom(env);
    this.id = `openai:${redactUrl(url)}#${model}`;
    this.t = { batchSize: tuning.batchSize ?? 64, concurrency: tuning.concurrency ?? RETRY_DEFAULTS.concurrency };
    this.http = new OpenAiHttp(url, {
      label: `embedder ${this.id}`,
      headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
      secrets: key ? [key] : [],
      tuning: {
        maxRetries: tuning.maxRetries ?? RETRY_DEFAULTS.maxRetries,
        baseDelayMs: tuning.baseDelayMs ?? RETRY_DEFAULTS.baseDelayMs,
        maxDelayMs: tuning.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs,
        timeoutMs: tuning.timeoutMs ?? 120_000,
      },
      env,
      log,
    });
  }

  /** requests retried so far (for logs and tests) */
  get retries(): number {
    return this.http.retries;
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
    const json = await this.http.post<{ data?: Array<{ index?: number; embedding?: unknown }> }>({ model: this.model, input, encoding_format: "float" });
    const data = json.data;
    const fail = (m: string) => new UserError(`embedder ${this.id}: ${m}`);
    if (!Array.isArray(data) || data.length !== input.length) throw fail(`expected ${input.length} embeddings, got ${Array.isArray(data) ? data.length : "none"}`);
    const out: number[][] = new Array(input.length);
    data.forEach((d, i) => {
      const idx = typeof d.index === "number" ? d.index : i;
      if (!Array.isArray(d.embedding) || idx < 0 || idx >= input.length) throw fail("malformed embedding in the response");
      out[idx] = d.embedding as number[];
    });
    if (out.some((v) => !v)) throw fail("the response repeats an index");
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
