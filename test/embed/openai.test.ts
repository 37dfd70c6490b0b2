import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAiEmbedder, embeddingsUrl } from "../../src/backends/embed/openai.js";

const KEY = "sk-test-SECRET-0123456789";
const DIM = 8;

/** Deterministic unnormalised vector of a text. */
function vectorOf(text: string): number[] {
  const v: number[] = [];
  for (let k = 0; k < DIM; k++) {
    let h = 2166136261 ^ k;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
    v.push(((h >>> 0) % 1000) - 500 + 0.5);
  }
  return v;
}

interface Plan {
  /** status codes to return for the next requests, in order (then 200s) */
  failures: number[];
  /** drop the connection on these request numbers */
  resets: Set<number>;
}

describe("openai:<url> embedder against a local /v1/embeddings server", () => {
  let server: Server;
  let base = "";
  const plan: Plan = { failures: [], resets: new Set() };
  const seen = { requests: 0, inFlight: 0, maxInFlight: 0, batchSizes: [] as number[], auth: new Set<string>(), models: new Set<string>() };

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const n = ++seen.requests;
        seen.inFlight++;
        seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
        seen.auth.add(String(req.headers.authorization));
        const reply = () => {
          seen.inFlight--;
          if (plan.resets.has(n)) return void req.socket.destroy();
          if (req.url !== "/v1/embeddings" || req.method !== "POST") {
            res.writeHead(404).end("not found");
            return;
          }
          const status = plan.failures.shift();
          if (status) {
            // a careless server that echoes the key back must not leak it into our messages
            res.writeHead(status, status === 429 ? { "retry-after": "0" } : {}).end(`{"error":"busy, key ${KEY}"}`);
            return;
          }
          const { input, model } = JSON.parse(body) as { input: string[]; model: string };
          seen.models.add(model);
          seen.batchSizes.push(input.length);
          // reversed order with explicit indices, as servers may answer out of order
          const data = input.map((t, index) => ({ object: "embedding", index, embedding: vectorOf(t) })).reverse();
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ object: "list", data, model }));
        };
        setTimeout(reply, 5);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("builds the endpoint URL from a base", () => {
    expect(embeddingsUrl("http://h:1")).toBe("http://h:1/v1/embeddings");
    expect(embeddingsUrl("http://h:1/v1/")).toBe("http://h:1/v1/embeddings");
    expect(embeddingsUrl("http://h:1/v1/embeddings")).toBe("http://h:1/v1/embeddings");
  });

  it("batches, bounds concurrency, retries 429/500/reset with backoff, normalises, and never shows the key", async () => {
    const logs: string[] = [];
    const e = await createOpenAiEmbedder(`${base}#tiny-embed`, { seed: 0, log: (m) => logs.push(m) }, { batchSize: 10, concurrency: 3, baseDelayMs: 5, env: { DATATAILOR_OPENAI_API_KEY: KEY } });
    expect(e.dim).toBe(DIM);
    expect(e.id).toBe(`openai:${base}/v1/embeddings#tiny-embed`);
    seen.batchSizes.length = 0;
    seen.maxInFlight = 0;
    const start = seen.requests;
    plan.failures.push(429, 500, 503);
    plan.resets.add(start + 4);
    const texts = Array.from({ length: 95 }, (_, i) => `document number ${i}`);
    const out = await e.embed(texts);
    texts.forEach((t, i) => {
      const v = vectorOf(t);
      const norm = Math.hypot(...v);
      for (let k = 0; k < DIM; k++) expect(out[i * DIM + k]).toBeCloseTo(v[k]! / norm, 6);
    });
    expect(seen.batchSizes.sort((a, b) => a - b)).toEqual([5, 10, 10, 10, 10, 10, 10, 10, 10, 10]);
    expect(seen.maxInFlight).toBeLessThanOrEqual(3);
    expect(seen.maxInFlight).toBeGreaterThan(1);
    expect(seen.auth).toEqual(new Set([`Bearer ${KEY}`]));
    expect(seen.models).toEqual(new Set(["tiny-embed"]));
    expect(logs.filter((l) => l.includes("retry")).length).toBe(4);
    expect(logs.some((l) => l.includes("HTTP 429"))).toBe(true);
    expect(logs.some((l) => /cannot reach http:\/\/127\.0\.0\.1:\d+\/v1\/embeddings \((ECONNRESET|UND_ERR_SOCKET)\)/.test(l))).toBe(true);
    for (const l of logs) expect(l).not.toContain(KEY);
    expect(logs.some((l) => l.includes("[redacted]"))).toBe(true);
  });

  it("gives up after maxRetries with a one-line error without the key; 4xx is not retried", async () => {
    const e = await createOpenAiEmbedder(base, { seed: 0 }, { baseDelayMs: 1, maxRetries: 2, env: { OPENAI_API_KEY: KEY } });
    plan.failures.push(500, 500, 500);
    const err = (await e.embed(["x"]).catch((x: Error) => x)) as Error;
    expect(err.message).toMatch(/HTTP 500 .*\(after 2 retries\)$/);
    expect(err.message).not.toContain(KEY);
    expect(err.message).not.toContain("\n");
    const before = seen.requests;
    plan.failures.push(401);
    const err2 = (await e.embed(["y"]).catch((x: Error) => x)) as Error;
    expect(err2.message).toMatch(/HTTP 401/);
    expect(err2.message).not.toContain(KEY);
    expect(seen.requests - before).toBe(1);
  });

  it("rejects a non-http URL and reports an unreachable server", async () => {
    await expect(createOpenAiEmbedder("ftp://x", { seed: 0 })).rejects.toThrow(/not an http/);
    // a port nothing listens on: a network error, retried, then named
    const closed = await new Promise<number>((resolve) => {
      const srv = createServer();
      srv.listen(0, "127.0.0.1", () => {
        const port = (srv.address() as AddressInfo).port;
        srv.close(() => resolve(port));
      });
    });
    await expect(createOpenAiEmbedder(`http://127.0.0.1:${closed}`, { seed: 0 }, { maxRetries: 1, baseDelayMs: 1 })).rejects.toThrow(/cannot reach .*\(ECONNREFUSED\) \(after 1 retries\)$/);
    // a port fetch refuses to use fails the same way every time: not retried
    await expect(createOpenAiEmbedder("http://127.0.0.1:1", { seed: 0 }, { maxRetries: 3, baseDelayMs: 1 })).rejects.toThrow(/cannot send the request: fetch failed \(bad port\)$/);
  });
});
