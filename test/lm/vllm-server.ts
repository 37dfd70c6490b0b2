/**
 * A local stand-in for the OpenAI-compatible servers users run, answering /v1/completions the way
 * each real one does (shapes taken from their sources):
 *  - "vllm": echo + logprobs honoured. `tokens` are the decoded token strings with the BOS "<s>"
 *    first; `token_logprobs` starts with null (nothing to condition the first token on) and ends
 *    with the one generated token (max_tokens: 1); `text_offset` starts at 0 and adds the
 *    *character* length of each decoded token, BOS included, as vLLM's serving_completion does;
 *    `text` is prompt + completion.
 *  - "llamacpp": llama-server throws "Only no echo is supported" for echo: true, which its HTTP
 *    layer turns into a 500 with an OpenAI-style error body.
 *  - "ollama": Ollama's OpenAI layer ignores echo and logprobs; answers carry system_fingerprint "fp_ollama".
 * The model is a deterministic toy: ln p(token | previous token) from a hash, and greedy
 * continuations from a fixed word cycle, so tests can compute what a correct client must return.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const BOS = "<s>";

/** GPT-2-like pre-tokenization: words, numbers, punctuation runs with their leading space; whitespace runs. */
export function fakeTokenize(text: string): string[] {
  return text.match(/ ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+/gu) ?? [];
}

/** ln p(token | prev) of the toy model, in [-11, -1). */
export function fakeLogprob(prev: string, token: string): number {
  const h = createHash("sha256").update(`${prev}\u0000${token}`).digest();
  return -(1 + h.readUInt32LE(0) / 2 ** 32 * 10);
}

const WORDS = [" alpha", " beta", " gamma", ".", " delta", " epsilon", "\n", " zeta"];

/** The toy's greedy continuation: WORDS cycled from a start chosen by the prompt, max_tokens of them, cut at the first stop string. */
export function fakeContinuation(prompt: string, maxTokens: number, stop: string[] = []): string {
  const start = createHash("sha256").update(prompt).digest().readUInt32LE(0) % WORDS.length;
  let text = "";
  for (let i = 0; i < maxTokens; i++) text += WORDS[(start + i) % WORDS.length];
  let cut = text.length;
  for (const s of stop) {
    const at = text.indexOf(s);
    if (s && at >= 0 && at < cut) cut = at;
  }
  return text.slice(0, cut);
}

export type Mode = "vllm" | "llamacpp" | "ollama";

export interface FakeServer {
  url: string;
  mode: Mode;
  /** Status codes to answer the next requests with, in order (then normal answers). */
  failures: Array<{ status: number; body?: string; retryAfter?: string }>;
  stats: { requests: number; inFlight: number; maxInFlight: number; batchSizes: number[]; auth: Set<string>; bodies: Array<Record<string, unknown>> };
  close(): Promise<void>;
}

export async function startFakeServer(mode: Mode, opts: { model?: string; delayMs?: number } = {}): Promise<FakeServer> {
  const model = opts.model ?? "toy-model";
  const fake: FakeServer = {
    url: "",
    mode,
    failures: [],
    stats: { requests: 0, inFlight: 0, maxInFlight: 0, batchSizes: [], auth: new Set(), bodies: [] },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const st = fake.stats;
      st.requests++;
      st.inFlight++;
      st.maxInFlight = Math.max(st.maxInFlight, st.inFlight);
      st.auth.add(String(req.headers.authorization));
      setTimeout(() => {
        st.inFlight--;
        answer(req, res, raw);
      }, opts.delayMs ?? 5);
    });
  });
  const json = (res: ServerResponse, status: number, body: unknown): void => void res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

  function answer(req: IncomingMessage, res: ServerResponse, raw: string): void {
    if (req.method === "GET" && req.url === "/v1/models") return json(res, 200, { object: "list", data: [{ id: model, object: "model", owned_by: mode }] });
    if (req.method !== "POST" || req.url !== "/v1/completions") return void res.writeHead(404).end("not found");
    const fail = fake.failures.shift();
    if (fail) {
      res.writeHead(fail.status, fail.retryAfter ? { "retry-after": fail.retryAfter } : {}).end(fail.body ?? `{"error":"busy"}`);
      return;
    }
    const body = JSON.parse(raw) as { model?: string; prompt: string | string[]; echo?: boolean; logprobs?: number; max_tokens?: number; stop?: string | string[]; temperature?: number };
    fake.stats.bodies.push(body as Record<string, unknown>);
    if (body.model !== model) return json(res, 404, { object: "error", message: `The model \`${body.model}\` does not exist.`, type: "NotFoundError", code: 404 });
    const prompts = Array.isArray(body.prompt) ? body.prompt : [body.prompt];
    fake.stats.batchSizes.push(prompts.length);
    if (mode === "llamacpp" && body.echo) return json(res, 500, { error: { code: 500, message: "Only no echo is supported", type: "server_error" } });
    const stop = typeof body.stop === "string" ? [body.stop] : (body.stop ?? []);
    const maxTokens = body.max_tokens ?? 16;
    const created = Math.floor(Date.now() / 1000);
    if (mode === "ollama") {
      return json(res, 200, {
        id: "cmpl-42",
        object: "text_completion",
        created,
        model,
        system_fingerprint: "fp_ollama",
        choices: prompts.map((p, index) => ({ text: fakeContinuation(p, maxTokens, stop), index, finish_reason: "length" })),
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
    }
    const choices = prompts.map((prompt, index) => {
      const completion = fakeContinuation(prompt, maxTokens, stop);
      if (!body.echo) {
        // vLLM returns the generated tokens' log-probabilities (and top-k) when logprobs is set; llama.cpp's fake does not
        const gen = fakeTokenize(completion).slice(0, maxTokens);
        const last = fakeTokenize(prompt).at(-1) ?? BOS;
        const logprobs =
          mode === "vllm" && body.logprobs && gen.length
            ? { tokens: gen, token_logprobs: gen.map((t, i) => fakeLogprob(i ? gen[i - 1]! : last, t)), top_logprobs: gen.map((t, i) => ({ [t]: fakeLogprob(i ? gen[i - 1]! : last, t), [" other"]: -12 })), text_offset: [] }
            : null;
        return { index, text: completion, logprobs, finish_reason: "length", stop_reason: null, prompt_logprobs: null };
      }
      const promptTokens = [BOS, ...fakeTokenize(prompt)];
      const genTokens = fakeTokenize(completion).slice(0, maxTokens);
      const tokens = [...promptTokens, ...genTokens];
      const tokenLogprobs: Array<number | null> = tokens.map((t, i) => (i === 0 ? null : fakeLogprob(tokens[i - 1]!, t)));
      const textOffset: number[] = [];
      let off = 0;
      for (const t of tokens) {
        textOffset.push(off);
        off += [...t].length; // Python len(): code points
      }
      return {
        index,
        text: prompt + completion,
        logprobs: { text_offset: textOffset, token_logprobs: tokenLogprobs, tokens, top_logprobs: tokens.map((t, i) => (i === 0 ? null : { [t]: tokenLogprobs[i] })) },
        finish_reason: "length",
        stop_reason: null,
        prompt_logprobs: null,
      };
    });
    json(res, 200, { id: "cmpl-7f3a", object: "text_completion", created, model, choices, usage: { prompt_tokens: 1, total_tokens: 2, completion_tokens: 1 } });
  }

  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
