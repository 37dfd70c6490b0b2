/**
 * A local HTTP server that answers /v1/completions the way vLLM does (echo + logprobs with a null
 * first entry for BOS and text_offset counting "<s>") or the way llama.cpp's llama-server does
 * (echo refused with "Only no echo is supported"), using the tiny character model of
 * test/lm/tiny-gguf.ts as its "weights", so every answer is computable in the test.
 * Characters outside the tiny vocabulary are read as a space.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { TinyModel } from "../lm/tiny-gguf.js";

export type ServerMode = "vllm" | "llamacpp";

export class CharModel {
  constructor(readonly tiny: TinyModel) {}

  id(ch: string): number {
    try {
      return this.tiny.tokenOf(ch);
    } catch {
      return this.tiny.tokenOf(" ");
    }
  }

  /** ln p(c_i | c_{i-1}) for every character, BOS before the first. */
  logprobs(text: string): number[] {
    let prev = this.tiny.bos;
    return [...text].map((ch) => {
      const id = this.id(ch);
      const lp = this.tiny.logSoftmaxAfter(prev)[id]!;
      prev = id;
      return lp;
    });
  }

  /** ln p(continuation | text) under the first-order chain. */
  continuation(text: string, cont: string): number {
    let prev = text.length ? this.id([...text].pop()!) : this.tiny.bos;
    let sum = 0;
    for (const ch of cont) {
      const id = this.id(ch);
      sum += this.tiny.logSoftmaxAfter(prev)[id]!;
      prev = id;
    }
    return sum;
  }

  /** Greedy continuation (argmax chain, stopping at EOS), then cut at the first stop string. */
  greedy(prompt: string, maxTokens: number, stop: string[] = []): string {
    let prev = prompt.length ? this.id([...prompt].pop()!) : this.tiny.bos;
    let out = "";
    for (let i = 0; i < maxTokens; i++) {
      const lp = this.tiny.logSoftmaxAfter(prev);
      let best = 0;
      for (let t = 1; t < lp.length; t++) if (lp[t]! > lp[best]!) best = t;
      if (best === this.tiny.eos) break;
      // BOS is a control token: it can be the argmax, but like llama.cpp's detokenizer it prints nothing
      const v = best === this.tiny.bos ? "" : this.tiny.vocab[best]!;
      out += v === "\u0120" ? " " : v === "\u010A" ? "\n" : v;
      prev = best;
      const cut = stop.map((s) => out.indexOf(s)).filter((k) => k >= 0);
      if (cut.length) return out.slice(0, Math.min(...cut));
    }
    return out;
  }
}

export interface RunningServer {
  url: string;
  /** Completion requests by kind, probes included. */
  counts: { echo: number; generate: number };
  close(): Promise<void>;
}

export async function startServer(model: CharModel, mode: ServerMode): Promise<RunningServer> {
  const counts = { echo: 0, generate: 0 };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const send = (status: number, obj: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(obj));
      };
      if (req.method === "GET" && req.url?.endsWith("/models")) return send(200, { object: "list", data: [{ id: "tiny", object: "model" }] });
      if (req.method !== "POST" || !req.url?.endsWith("/completions")) return send(404, { error: "not found" });
      const q = JSON.parse(body) as { prompt: string | string[]; echo?: boolean; logprobs?: number; max_tokens: number; stop?: string[] };
      const prompts = Array.isArray(q.prompt) ? q.prompt : [q.prompt];
      if (q.echo) {
        counts.echo++;
        if (mode === "llamacpp") {
          res.writeHead(500, { "content-type": "application/json" });
          return res.end(JSON.stringify({ error: { code: 500, message: "Only no echo is supported", type: "server_error" } }));
        }
        const choices = prompts.map((p, index) => {
          const chars = [...p];
          const g = model.greedy(p, 1) || " ";
          const lps = model.logprobs(p);
          const tokens = ["<s>", ...chars, g];
          const offsets = [0, ...chars.map((_, i) => 3 + i), 3 + chars.length];
          return { index, text: p + g, finish_reason: "length", logprobs: { tokens, token_logprobs: [null, ...lps, model.continuation(p, g)], text_offset: offsets, top_logprobs: null } };
        });
        return send(200, { id: "cmpl-1", object: "text_completion", model: "tiny", choices });
      }
      counts.generate++;
      const choices = prompts.map((p, index) => ({ index, text: model.greedy(p, q.max_tokens, q.stop ?? []), finish_reason: "stop", logprobs: null }));
      return send(200, { id: "cmpl-2", object: "text_completion", model: "tiny", choices });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    counts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
