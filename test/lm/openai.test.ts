/**
 * openai: against local servers that answer as vLLM, llama.cpp's llama-server and Ollama do
 * (vllm-server.ts). Expected values come from the toy model's own functions, never from the
 * client under test.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLanguageModel, scoreTexts } from "../../src/backends/lm/index.js";
import { OpenAiLanguageModel, parseEcho, parseOpenAiSpec } from "../../src/backends/lm/openai.js";
import { runCli } from "../helpers/cli.js";
import { BOS, fakeContinuation, fakeLogprob, fakeTokenize, startFakeServer, type FakeServer } from "./vllm-server.js";

const KEY = "sk-proj-" + "Zq9Xv4Lm2Np7Rt1Ws8Yk3Bh6Cd0Fg5Jt".repeat(5).slice(0, 156); // 164 characters
const fast = { baseDelayMs: 2, maxDelayMs: 20 };

/** Every file under a directory, read as text. */
function allFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...allFiles(p));
    else out.push(readFileSync(p, "utf8"));
  }
  return out;
}

/** No run of 6+ characters of the key appears in s. */
function expectNoKeyPart(s: string, key = KEY): void {
  for (let i = 0; i + 6 <= key.length; i++) expect(s.includes(key.slice(i, i + 6)), `key fragment at ${i} leaked: ${s.slice(0, 200)}`).toBe(false);
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe("openai: a vLLM-shaped /v1/completions server", () => {
  let vllm: FakeServer;
  const dir = mkdtempSync(path.join(tmpdir(), "dt-lm-openai-"));
  beforeAll(async () => {
    vllm = await startFakeServer("vllm", { model: "toy-model" });
  });
  afterAll(async () => {
    await vllm.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const texts = ["Hello world.", "Café au lait, s'il vous plaît!", "emoji 🙂 then text\nand a second line", "x"];

  it("returns each prompt token's ln p with the null first entry and the generated token dropped, byte offsets from text_offset", async () => {
    const lm = await openLanguageModel(`openai:${vllm.url}/v1#toy-model`, { cacheDir: false, env: {} });
    const scored = await lm.score(texts);
    texts.forEach((text, k) => {
      const pieces = fakeTokenize(text);
      const got = scored[k]!.tokens;
      expect(got.map((t) => t.token)).toEqual(pieces);
      let byte = 0;
      pieces.forEach((p, i) => {
        const len = Buffer.byteLength(p, "utf8");
        expect([got[i]!.start, got[i]!.end]).toEqual([byte, byte + len]);
        byte += len;
        expect(got[i]!.logprob).toBeCloseTo(fakeLogprob(i === 0 ? BOS : pieces[i - 1]!, p), 12);
      });
      expect(byte).toBe(Buffer.byteLength(text));
    });
    const last = vllm.stats.bodies.at(-1)!;
    expect(last).toMatchObject({ model: "toy-model", echo: true, logprobs: 1, max_tokens: 1, temperature: 0 });
    await lm.close();
  });

  it("batches prompts, bounds the requests in flight, retries 429 and 5xx, and caches answers on disk without the key", async () => {
    const cacheDir = path.join(dir, "cache");
    const logs: string[] = [];
    const many = Array.from({ length: 30 }, (_, i) => `document number ${i} says hello`);
    const lm = (await openLanguageModel(`openai:${vllm.url}#toy-model`, { cacheDir, batchSize: 4, concurrency: 3, env: { OPENAI_API_KEY: KEY }, log: (m) => logs.push(m), ...fast })) as OpenAiLanguageModel;
    vllm.stats.batchSizes.length = 0;
    vllm.stats.maxInFlight = 0;
    vllm.failures.push({ status: 429, retryAfter: "0" }, { status: 503, body: `{"error":"overloaded, key ${KEY}"}` });
    const before = vllm.stats.requests;
    const first = await scoreTexts(lm, many, { batchSize: 100 });
    expect(vllm.stats.batchSizes.sort((a, b) => a - b)).toEqual([2, 4, 4, 4, 4, 4, 4, 4]);
    expect(vllm.stats.maxInFlight).toBeLessThanOrEqual(3);
    expect(vllm.stats.maxInFlight).toBeGreaterThan(1);
    expect(vllm.stats.requests - before).toBe(8 + 2);
    expect(lm.retries).toBe(2);
    expect(vllm.stats.auth.has(`Bearer ${KEY}`)).toBe(true);
    for (const l of logs) expectNoKeyPart(l);
    expect(logs.some((l) => /HTTP 429/.test(l))).toBe(true);
    // a rerun is answered from the cache: no request
    const again = await openLanguageModel(`openai:${vllm.url}#toy-model`, { cacheDir, env: { OPENAI_API_KEY: KEY } });
    const mid = vllm.stats.requests;
    const second = await again.score(many);
    expect(vllm.stats.requests - mid).toBe(0); // opening sent the one probe; scoring sends nothing
    expect(second).toEqual(first);
    const files = allFiles(cacheDir);
    expect(files.length).toBe(30);
    for (const f of files) expectNoKeyPart(f);
  });

  it("a 500 that echoes a long key: no part of the key in the error, one line, retried then given up", async () => {
    const lm = (await openLanguageModel(`openai:${vllm.url}#toy-model`, { cacheDir: false, maxRetries: 2, env: { OPENAI_API_KEY: KEY }, ...fast })) as OpenAiLanguageModel;
    const body = JSON.stringify({ error: { message: `Internal error for request with Authorization: Bearer ${KEY} (${encodeURIComponent(KEY)})`, type: "server_error" } });
    for (let i = 0; i < 3; i++) vllm.failures.push({ status: 500, body });
    const err = (await lm.score(["a fresh text"]).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/HTTP 500 .*\(after 2 retries\)$/);
    expect(err.message).not.toContain("\n");
    expectNoKeyPart(err.message);
  });

  it("greedy generation through /v1/completions with temperature 0, max_tokens and stop", async () => {
    const lm = await openLanguageModel(`openai:${vllm.url}#toy-model`, { cacheDir: false, env: {} });
    const prompts = ["Once upon a time", "The answer is"];
    const out = await lm.generate!(prompts, { maxTokens: 6, stop: ["\n"] });
    expect(out).toEqual(prompts.map((p) => fakeContinuation(p, 6, ["\n"])));
    expect(vllm.stats.bodies.at(-1)).toMatchObject({ max_tokens: 6, temperature: 0, stop: ["\n"], prompt: prompts });
  });

  it("finds the model from /v1/models when the spec names none; reads the key from key_env", async () => {
    const lm = await openLanguageModel(`openai:${vllm.url}/v1#toy-model&key_env=MY_LM_KEY`, { cacheDir: false, env: { MY_LM_KEY: "sk-other-0123456789", OPENAI_API_KEY: KEY } });
    expect(vllm.stats.auth.has("Bearer sk-other-0123456789")).toBe(true);
    await lm.close();
    const auto = await openLanguageModel(`openai:${vllm.url}`, { cacheDir: false, env: {} });
    expect(auto.id).toBe(`openai:${vllm.url}#toy-model`);
    await expect(openLanguageModel(`openai:${vllm.url}#m&key_env=UNSET_VAR_X`, { env: {} })).rejects.toThrow(/UNSET_VAR_X is not set/);
  });

  it("user:pass@ in the URL goes out as Basic auth and never into the id or an error", async () => {
    const lm = await openLanguageModel(`openai:http://alice:s3cr3t-Pa55word@${vllm.url.slice(7)}#toy-model`, { cacheDir: false, env: {} });
    expect(vllm.stats.auth.has(`Basic ${Buffer.from("alice:s3cr3t-Pa55word").toString("base64")}`)).toBe(true);
    expect(lm.id).not.toContain("s3cr3t");
    const spec = parseOpenAiSpec("https://bob:p%40ss@example.com/v1#m");
    expect(spec).toMatchObject({ base: "https://example.com/v1", model: "m", basic: { user: "bob", pass: "p@ss" } });
    const err = (await openLanguageModel("openai:ftp://u:hunter22@host/x#m").catch((e: Error) => e)) as Error;
    expect(err.message).not.toContain("hunter22");
  });
});

describe("openai: servers that cannot score prompts, and no server at all", () => {
  it("llama.cpp's llama-server: 'Only no echo is supported' is named at open, not retried", async () => {
    const srv = await startFakeServer("llamacpp");
    try {
      const before = srv.stats.requests;
      const err = (await openLanguageModel(`openai:${srv.url}#toy-model`, { cacheDir: false, env: {} }).catch((e: Error) => e)) as Error;
      expect(err.message).toMatch(/llama-server/);
      expect(err.message).toMatch(/Only no echo is supported/);
      expect(err.message).toMatch(/gguf:/);
      expect(srv.stats.requests - before).toBe(1);
    } finally {
      await srv.close();
    }
  });

  it("Ollama: no prompt log-probabilities, named at open", async () => {
    const srv = await startFakeServer("ollama");
    try {
      const err = (await openLanguageModel(`openai:${srv.url}#toy-model`, { cacheDir: false, env: {} }).catch((e: Error) => e)) as Error;
      expect(err.message).toMatch(/Ollama/);
      expect(err.message).toMatch(/no prompt log-probabilities/);
    } finally {
      await srv.close();
    }
  });

  it("an unreachable server: a clear message and exit code 1 from the CLI; an unknown scheme exits 2", async () => {
    const port = await freePort();
    const err = (await openLanguageModel(`openai:http://127.0.0.1:${port}/v1#m`, { cacheDir: false, env: {} }).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+\/v1\/completions \(ECONNREFUSED\)/);
    const dir = mkdtempSync(path.join(tmpdir(), "dt-lm-cli-"));
    try {
      const file = path.join(dir, "t.txt");
      writeFileSync(file, "one line\n");
      const r = await runCli(["lm", "score", "--lm", `openai:http://127.0.0.1:${port}/v1#m`, "--no-cache", file]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split("\n").pop()).toMatch(/^datatailor: .*cannot reach .*ECONNREFUSED/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const u = await runCli(["lm", "score", "--lm", "kenlm:model.arpa", file]);
      expect(u.code).toBe(2);
      expect(u.stderr).toMatch(/unknown language model scheme "kenlm"; use one of ngram:<file.arpa>, gguf:<file.gguf>, openai:<base-url>\[#model\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("parses echo answers without BOS (the first token is text and has no probability: left out)", () => {
    // GPT-2-style tokenizer: no BOS; the first entry is null and belongs to the text
    const prompt = "Héllo there";
    const tokens = ["H", "éllo", " there", " next"];
    const s = parseEcho(prompt, tokens, [null, -1.5, -2.5, -0.5], [0, 1, 5, 11], prompt + " next", "t");
    expect(s.tokens).toEqual([
      { token: "éllo", start: 1, end: 6, logprob: -1.5 },
      { token: " there", start: 6, end: 12, logprob: -2.5 },
    ]);
    expect(() => parseEcho(prompt, [" next"], [-0.5], [11], " next", "t")).toThrow(/echo/);
  });
});

describe("openai: first-token top log-probabilities (Yang et al.'s label read-out)", () => {
  it("returns the first generated token's top-k, and a clear error where the server gives none", async () => {
    const vllm = await startFakeServer("vllm");
    const llama = await startFakeServer("llamacpp");
    try {
      const prompt = "Review: a fine film\nSentiment:";
      const m = new OpenAiLanguageModel(parseOpenAiSpec(`${vllm.url}/v1#toy-model`), "toy-model", { cacheDir: false });
      const [top] = await m.firstTokenLogprobs([prompt], { topK: 5 });
      const first = fakeTokenize(fakeContinuation(prompt, 1))[0]!;
      // computed from the toy model's definition, not from the client
      expect(top![0]).toEqual({ token: first, logprob: fakeLogprob(fakeTokenize(prompt).at(-1)!, first) });
      expect(top!.map((t) => t.logprob)).toEqual([...top!.map((t) => t.logprob)].sort((a, b) => b - a));
      const l = new OpenAiLanguageModel(parseOpenAiSpec(`${llama.url}/v1#toy-model`), "toy-model", { cacheDir: false });
      await expect(l.firstTokenLogprobs([prompt], { topK: 5 })).rejects.toThrow(/no top log-probabilities/);
    } finally {
      await vllm.close();
      await llama.close();
    }
  });
});
