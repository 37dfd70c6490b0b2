/**
 * Secrets of the openai: embedder stay out of every message and file:
 * - a long key echoed by a failing server is redacted before the body is cut short (no prefix leaks);
 * - URL-encoded and JSON-escaped echoes are redacted too;
 * - user:pass@ in the URL is refused at once (no request, no retries), without echoing it;
 * - ?api_key= in the URL never reaches the id, logs, cache files, selection.json or report.html.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAiEmbedder } from "../../src/backends/embed/openai.js";
import { createEmbedder } from "../../src/backends/embed/index.js";
import { redact, redactAndTruncate, redactUrl } from "../../src/util/redact.js";
import { ROOT, runCli } from "../helpers/cli.js";

/** 164 characters, with the characters URL-encoding and JSON change. */
const KEY = ("sk-proj-" + "Ab3/De+Fg=Hi9_Jk-Lm\"No\\Pq".repeat(7)).slice(0, 164);
const URL_SECRET = "qs-SECRET-7f3a9c1e5b";
const DIM = 4;

/** True when any 8-character piece of the secret appears in the text. */
function leaks(text: string, secret: string): boolean {
  for (let i = 0; i + 8 <= secret.length; i++) if (text.includes(secret.slice(i, i + 8))) return true;
  return false;
}

describe("openai: secrets", () => {
  let server: Server;
  let base = "";
  let requests = 0;
  let mode: "ok" | "echo-raw" | "echo-encoded" | "echo-json" = "ok";

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        requests++;
        if (mode === "echo-raw") return void res.writeHead(500).end(`{"error":"${"x".repeat(150)} bad key ${KEY} rest"}`);
        if (mode === "echo-encoded") return void res.writeHead(400).end(`invalid key=${encodeURIComponent(KEY)}&lower=${encodeURIComponent(KEY).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())}`);
        if (mode === "echo-json") return void res.writeHead(401).end(JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}` } }));
        const { input } = JSON.parse(body) as { input: string[] };
        const data = input.map((t, index) => ({ index, embedding: Array.from({ length: DIM }, (_, k) => ((t.length * (k + 3)) % 7) + 1) }));
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("redacts a 164-character key echoed in a 500 before cutting the body short, in logs and in the final error", async () => {
    mode = "ok";
    const logs: string[] = [];
    const e = await createOpenAiEmbedder(base, { seed: 0, log: (m) => logs.push(m) }, { baseDelayMs: 1, maxRetries: 2, env: { DATATAILOR_OPENAI_API_KEY: KEY } });
    mode = "echo-raw";
    const err = (await e.embed(["a"]).catch((x: Error) => x)) as Error;
    mode = "ok";
    expect(err.message).toMatch(/HTTP 500/);
    expect(logs.filter((l) => /retry/.test(l))).toHaveLength(2);
    for (const text of [err.message, ...logs]) expect(leaks(text, KEY), text).toBe(false);
    expect(logs.join("\n")).toContain("[redacted]");
  });

  it.each(["echo-encoded", "echo-json"] as const)("redacts the key when the server echoes it %s", async (m) => {
    mode = "ok";
    const e = await createOpenAiEmbedder(base, { seed: 0 }, { baseDelayMs: 1, maxRetries: 0, env: { OPENAI_API_KEY: KEY } });
    mode = m;
    const err = (await e.embed(["a"]).catch((x: Error) => x)) as Error;
    mode = "ok";
    expect(err.message).toMatch(/HTTP 40[01]/);
    expect(leaks(err.message, KEY)).toBe(false);
    expect(leaks(err.message, encodeURIComponent(KEY))).toBe(false);
  });

  it("refuses user:pass@ in the URL at once: no request, no retries, no echo", async () => {
    const before = requests;
    const t0 = Date.now();
    const err = (await createOpenAiEmbedder(`http://alice:${URL_SECRET}@127.0.0.1:${new URL(base).port}/v1#m`, { seed: 0 }, { baseDelayMs: 1000 }).catch((x: Error) => x)) as Error & { exitCode?: number };
    expect(Date.now() - t0).toBeLessThan(900);
    expect(requests).toBe(before);
    expect(err.message).toMatch(/credentials/);
    expect(err.message).not.toMatch(/network error/);
    expect(err.exitCode).toBe(2);
    expect(leaks(err.message, URL_SECRET)).toBe(false);
  });

  it("keeps ?api_key= out of the id and the cache files", async () => {
    mode = "ok";
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), "dt-oa-cache-"));
    const e = await createEmbedder(`openai:${base}/v1?api_key=${URL_SECRET}#m`, { seed: 0, cacheDir, log: () => {} });
    await e.embed(["one", "two"]);
    await e.close?.();
    expect(leaks(e.id, URL_SECRET)).toBe(false);
    for (const f of readdirSync(cacheDir, { recursive: true, withFileTypes: true })) {
      if (f.isFile()) expect(leaks(readFileSync(path.join(f.parentPath, f.name), "latin1"), URL_SECRET), f.name).toBe(false);
    }
  });

  it("select with an openai: embedder whose URL has ?api_key= writes it nowhere under --out, nor in its output", async () => {
    mode = "ok";
    const out = mkdtempSync(path.join(os.tmpdir(), "dt-oa-select-"));
    const r = await runCli([
      "select", "--target", path.join(ROOT, "data/demo/targets/gsm8k.jsonl"), "--corpus", path.join(ROOT, "data/demo/corpus/math"), "--out", out,
      "--embedder", `openai:${base}/v1?api_key=${URL_SECRET}#m`, "--keep", "0.3", "--sample", "200", "--holdout", "200", "--workers", "1", "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(leaks(r.stdout + r.stderr, URL_SECRET)).toBe(false);
    const files = readdirSync(out, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.some((f) => f.name === "report.html")).toBe(true);
    for (const f of files) expect(leaks(readFileSync(path.join(f.parentPath, f.name), "latin1"), URL_SECRET), f.name).toBe(false);
  }, 180_000);
});

describe("util/redact", () => {
  it("redacts before truncating, so no prefix of a cut secret survives", () => {
    const text = "x".repeat(150) + KEY;
    // the bug: truncate first, then redact the (no longer whole) key
    expect(leaks(text.slice(0, 200).split(KEY).join("[redacted]"), KEY)).toBe(true);
    expect(leaks(redactAndTruncate(text, 200, [KEY], {}), KEY)).toBe(false);
  });

  it("redacts URL credentials and secret query parameters, anywhere in text", () => {
    expect(redactUrl("https://user:p%40ss@host:8080/v1?model=x&api_key=abc#m")).toBe("https://[redacted]@host:8080/v1?model=x&api_key=[redacted]#m");
    expect(redactUrl("openai:https://sk-abcdef@host/v1")).toBe("openai:https://[redacted]@host/v1");
    expect(redact("failed: openai:http://u:pw@h/v1?token=t0k3n and redis://:pw2@r:6379", [], {})).toBe("failed: openai:http://[redacted]@h/v1?token=[redacted] and redis://[redacted]@r:6379");
    expect(redact(`key ${encodeURIComponent(KEY)} raw ${KEY}`, [KEY], {})).toBe("key [redacted] raw [redacted]");
    expect(redact(`env ${KEY}`, [], { OPENAI_API_KEY: KEY })).toBe("env [redacted]");
    expect(redact("plain text stays", [], {})).toBe("plain text stays");
  });
});
