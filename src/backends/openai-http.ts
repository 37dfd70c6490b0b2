/**
 * The one HTTP client behind every OpenAI-compatible backend (`openai:` embedders and language
 * models): a JSON POST with a timeout, retried with exponential backoff and full jitter on 429,
 * 5xx and network errors (honouring Retry-After), and nothing else retried. Every message that
 * can reach a log or an error is redacted first (the key in any spelling, URL credentials) and
 * only then cut short, so half a secret can never leak.
 */
import { UserError } from "../util/errors.js";
import { redact, redactAndTruncate, redactUrl } from "../util/redact.js";

/** What callers may tune; each backend has its own defaults for batch size and timeout. */
export interface OpenAiTuning {
  /** Inputs per request. */
  batchSize?: number;
  /** Requests in flight. */
  concurrency?: number;
  maxRetries?: number;
  /** Backoff base and cap in ms (full jitter). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  env?: Record<string, string | undefined>;
}

/** Shared defaults; `batchSize` and `timeoutMs` differ by endpoint and are set by each backend. */
export const RETRY_DEFAULTS = { concurrency: 4, maxRetries: 6, baseDelayMs: 500, maxDelayMs: 30_000 } as const;

/** The key for a server: the variable `keyEnv` names (which must be set), else $DATATAILOR_OPENAI_API_KEY or $OPENAI_API_KEY. */
export function apiKeyFrom(env: Record<string, string | undefined>, keyEnv?: string): string | undefined {
  if (keyEnv) {
    const key = env[keyEnv];
    if (!key) throw new UserError(`openai: the spec names key_env=${keyEnv}, but $${keyEnv} is not set`);
    return key;
  }
  return env.DATATAILOR_OPENAI_API_KEY || env.OPENAI_API_KEY || undefined;
}

/** 429, 5xx and network errors: worth another try. */
class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });

export interface OpenAiHttpOptions {
  /** Prefix of every error and log line, e.g. "lm openai:http://host/v1#model" (already redacted). */
  label: string;
  headers: Record<string, string>;
  /** Values to redact besides the environment's secrets (the key, Basic credentials). */
  secrets: string[];
  tuning: { maxRetries: number; baseDelayMs: number; maxDelayMs: number; timeoutMs: number };
  env: Record<string, string | undefined>;
  log: (m: string) => void;
  /** A response body that means a refusal whatever its status (e.g. llama-server's echo error): the error to throw. */
  refusal?: (body: string) => UserError | undefined;
}

export class OpenAiHttp {
  /** requests sent and retried so far (for logs and tests) */
  requests = 0;
  retries = 0;

  constructor(
    readonly url: string,
    private readonly o: OpenAiHttpOptions,
  ) {}

  /** Removes the key (in any spelling) and URL credentials from text that might reach a log or an error. */
  clean(s: string): string {
    return redact(s, this.o.secrets, this.o.env);
  }

  private quote(body: string, max: number): string {
    return redactAndTruncate(body, max, this.o.secrets, this.o.env);
  }

  /** POSTs `body` as JSON and returns the parsed answer; a final failure is a one-line UserError. */
  async post<T>(body: object, opts: { signal?: AbortSignal; maxRetries?: number } = {}): Promise<T> {
    const { signal } = opts;
    const maxRetries = opts.maxRetries ?? this.o.tuning.maxRetries;
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.once(body, signal)) as T;
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        if (e instanceof UserError) throw e;
        if (!(e instanceof RetryableError) || attempt >= maxRetries) {
          const msg = this.clean(e instanceof Error ? e.message : String(e));
          throw new UserError(`${this.o.label}: ${msg}${attempt > 0 ? ` (after ${attempt} retries)` : ""}`);
        }
        const { baseDelayMs, maxDelayMs } = this.o.tuning;
        const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
        const delay = Math.max(e.retryAfterMs ?? 0, Math.random() * cap);
        this.retries++;
        this.o.log(`${this.o.label}: ${this.clean(e.message)}; retry ${attempt + 1}/${maxRetries} in ${Math.round(delay)} ms`);
        await sleep(delay, signal);
      }
    }
  }

  private async once(body: object, signal?: AbortSignal): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.o.tuning.timeoutMs);
    let res: Response;
    this.requests++;
    try {
      res = await fetch(this.url, { method: "POST", headers: this.o.headers, body: JSON.stringify(body), signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      if (signal?.aborted) throw signal.reason;
      // no cause code: fetch refused to build the request (a bad URL, credentials in it), which fails the same way every time
      if (!cause?.code && !timeout.aborted) throw new Error(`cannot send the request: ${(e as Error).message}${cause?.message ? ` (${cause.message})` : ""}`);
      throw new RetryableError(`cannot reach ${redactUrl(this.url)} (${cause?.code ?? "timed out"})`);
    }
    const text = await res.text().catch(() => "");
    const refused = this.o.refusal?.(text);
    if (refused) throw refused;
    if (res.status === 429 || res.status >= 500) {
      const ra = Number(res.headers.get("retry-after"));
      throw new RetryableError(`HTTP ${res.status} ${this.quote(text, 300)}`, Number.isFinite(ra) && ra > 0 ? ra * 1000 : undefined);
    }
    if (!res.ok) throw new Error(`HTTP ${res.status} ${this.quote(text, 300)}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`the server did not return JSON: ${this.quote(text, 200)}`);
    }
  }
}
