/**
 * Commands with large n-gram models run themselves again with glibc's huge-page tunable
 * (src/cli/huge-pages.ts). The rerun must be invisible: the same output bytes as KenLM's query,
 * the child's exit code, signals passed on; the child really gets huge pages for a large typed
 * array (read from the kernel's own accounting, /proc/self/smaps_rollup).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, runCli, SHARED_DATA } from "../helpers/cli.js";
import { ngramSpecBytes, wantsHugePages } from "../../src/cli/huge-pages.js";

const REF = path.join(SHARED_DATA, "lm/kenlm-shakespeare");
const dir = mkdtempSync(path.join(tmpdir(), "dt-huge-pages-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const linux = process.platform === "linux";

/** A script that reruns itself through rerunWithHugePages, then (in the rerun) does `body`. */
function script(name: string, body: string): string {
  const file = path.join(dir, `${name}.mts`);
  writeFileSync(
    file,
    `import { rerunWithHugePages } from ${JSON.stringify(path.join(ROOT, "src/cli/huge-pages.ts"))};
if (!(process.env.GLIBC_TUNABLES ?? "").includes("glibc.malloc.hugetlb")) {
  process.stdout.write("parent " + process.pid + "\\n");
  await rerunWithHugePages();
} else {
  ${body}
}
`,
  );
  return file;
}

function run(file: string, env: NodeJS.ProcessEnv = {}, onLine?: (line: string, pid: number) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", file], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      for (const line of String(d).split("\n")) if (line) onLine?.(line, child.pid!);
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve({ code, signal, stdout }));
  });
}

describe("huge pages: when to rerun", () => {
  it("DATATAILOR_HUGEPAGES=0 never, =1 always (on Linux), a tunable set already never, small inputs never", () => {
    const big = 1 << 30;
    const min = 64 << 20;
    expect(wantsHugePages(big, min, { DATATAILOR_HUGEPAGES: "0" })).toBe(false);
    expect(wantsHugePages(1, min, { DATATAILOR_HUGEPAGES: "1" })).toBe(linux);
    expect(wantsHugePages(big, min, { DATATAILOR_HUGEPAGES: "1", GLIBC_TUNABLES: "glibc.malloc.hugetlb=1" })).toBe(false);
    expect(wantsHugePages(big, min, { GLIBC_TUNABLES: "glibc.malloc.check=0:glibc.malloc.hugetlb=2" })).toBe(false);
    expect(wantsHugePages(min - 1, min, {})).toBe(false);
    // on this machine kind (Debian, glibc 2.36, THP "madvise") a big input gets the rerun
    const mode = linux ? readFileSync("/sys/kernel/mm/transparent_hugepage/enabled", "utf8") : "";
    const glibc = (process.report.getReport() as unknown as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime;
    if (mode.includes("[madvise]") && glibc) expect(wantsHugePages(min, min, {})).toBe(Number(glibc.split(".")[1]) >= 35 || Number(glibc.split(".")[0]) > 2);
  });

  it("an --lm spec's model size: an ngram: file's (a gzipped one's four times), nothing for other schemes", () => {
    const arpa = path.join(dir, "m.arpa");
    writeFileSync(arpa, "x".repeat(1000));
    const gz = path.join(dir, "m.arpa.gz");
    writeFileSync(gz, "x".repeat(100));
    expect(ngramSpecBytes(`ngram:${arpa}`)).toBe(1000);
    expect(ngramSpecBytes(`ngram:${gz}`)).toBe(400);
    expect(ngramSpecBytes(`gguf:${arpa}`)).toBe(0);
    expect(ngramSpecBytes("openai:http://127.0.0.1:1/v1")).toBe(0);
    expect(ngramSpecBytes(`ngram:${path.join(dir, "absent.arpa")}`)).toBe(0);
    expect(ngramSpecBytes(undefined)).toBe(0);
  });

  it("a bad DATATAILOR_HUGEPAGES is a usage error (exit 2, one line)", async () => {
    const r = await runCli(["lm", "query", path.join(REF, "shakespeare.o3.arpa.gz"), path.join(REF, "test.txt")], { env: { DATATAILOR_HUGEPAGES: "yes" } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/DATATAILOR_HUGEPAGES must be 0 or 1, got 'yes'/);
  });
});

describe.runIf(linux)("huge pages: the rerun", () => {
  it("lm train rerun writes the same ARPA as a run without it, from --text and from stdin", async () => {
    const text = path.join(REF, "train.txt");
    const plain = await runCli(["lm", "train", "-o", "3", "--text", text], { env: { DATATAILOR_HUGEPAGES: "0" } });
    expect(plain.code).toBe(0);
    const rerun = await runCli(["lm", "train", "-o", "3", "--text", text], { env: { DATATAILOR_HUGEPAGES: "1" } });
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toBe(plain.stdout);
    const stdin = await runCli(["lm", "train", "-o", "3"], { env: { DATATAILOR_HUGEPAGES: "1" }, input: readFileSync(text, "utf8") });
    expect(stdin.stdout).toBe(plain.stdout);
  });

  it("lm score --lm ngram: reruns and prints what it prints without the rerun", async () => {
    const args = ["lm", "score", "--lm", `ngram:${path.join(REF, "shakespeare.o3.arpa.gz")}`, "--json", path.join(REF, "tiny.txt")];
    const plain = await runCli(args, { env: { DATATAILOR_HUGEPAGES: "0" } });
    expect(plain.code).toBe(0);
    const rerun = await runCli(args, { env: { DATATAILOR_HUGEPAGES: "1" } });
    expect(rerun.code).toBe(0);
    const strip = (s: string) => JSON.stringify({ ...JSON.parse(s), seconds: 0 });
    expect(strip(rerun.stdout)).toBe(strip(plain.stdout));
  });

  it("lm query rerun prints KenLM's query output byte for byte; bad input keeps its exit code", async () => {
    const r = await runCli(["lm", "query", "-v", "sentence", path.join(REF, "shakespeare.o5.arpa.gz"), path.join(REF, "test.txt")], { env: { DATATAILOR_HUGEPAGES: "1" } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(gunzipSync(readFileSync(path.join(REF, "shakespeare.o5.query-sentence.txt.gz"))).toString("utf8"));
    const missing = await runCli(["lm", "query", path.join(dir, "nope.arpa")], { env: { DATATAILOR_HUGEPAGES: "1" } });
    const direct = await runCli(["lm", "query", path.join(dir, "nope.arpa")], { env: { DATATAILOR_HUGEPAGES: "0" } });
    expect(missing.code).not.toBe(0);
    expect([missing.code, missing.stderr]).toEqual([direct.code, direct.stderr]);
  });

  it("the rerun gets the tunable after the user's own, and the kernel gives it huge pages", async () => {
    const mode = readFileSync("/sys/kernel/mm/transparent_hugepage/enabled", "utf8");
    const f = script(
      "pages",
      `const a = new Int32Array(256 << 18); // 256 MB
  for (let i = 0; i < a.length; i += 1024) a[i] = i;
  const kb = Number(/AnonHugePages:\\s+(\\d+)/.exec((await import("node:fs")).readFileSync("/proc/self/smaps_rollup", "utf8"))[1]);
  process.stdout.write(JSON.stringify({ tunables: process.env.GLIBC_TUNABLES, kb, sum: a[1024] }) + "\\n");`,
    );
    const r = await run(f, { GLIBC_TUNABLES: "glibc.malloc.check=0" });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout.split("\n").find((l) => l.startsWith("{"))!);
    expect(doc.tunables).toBe("glibc.malloc.check=0:glibc.malloc.hugetlb=1");
    expect(doc.sum).toBe(1024);
    // where the kernel gives huge pages on request, the 256 MB array gets some (at least one 2 MB page;
    // without the tunable it gets none: THP "madvise" only serves regions that ask)
    if (/\[(madvise|always)\]/.test(mode)) expect(doc.kb).toBeGreaterThanOrEqual(2048);
  });

  it("the child's exit code is the command's", async () => {
    const r = await run(script("exit3", "process.exit(3);"));
    expect(r.code).toBe(3);
    expect(r.signal).toBe(null);
  });

  it("SIGTERM to the command reaches the rerun, and the command ends by it", async () => {
    const f = script("sleeper", `process.stdout.write("child " + process.pid + "\\n"); setTimeout(() => {}, 60_000);`);
    let childPid = 0;
    const r = await run(f, {}, (line, parentPid) => {
      const m = /^child (\d+)$/.exec(line);
      if (!m) return;
      childPid = Number(m[1]);
      process.kill(parentPid, "SIGTERM");
    });
    expect(childPid).toBeGreaterThan(0);
    expect(r.signal).toBe("SIGTERM");
    // the rerun is gone too (it was ended by the forwarded signal, not left behind)
    await new Promise((res) => setTimeout(res, 200));
    expect(existsSync(`/proc/${childPid}`)).toBe(false);
  });
});
