/**
 * The on-demand install mechanism for heavy optional backends (src/util/optional.ts), without
 * the network: a stand-in `npm` writes the packages that the backend directory's package.json
 * asks for. Checks the message when a backend is missing (CLI and library), the package.json the
 * installer writes (exact pins, the one CPU binary of node-llama-cpp), that a finished install is
 * what gets loaded, and that a failed install leaves nothing half-done.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { backendDir, backendStatus, installBackend, loadOptional } from "../../src/util/optional.js";
import { runCli } from "../helpers/cli.js";
import { TinyModel } from "./tiny-gguf.js";

const root = mkdtempSync(path.join(tmpdir(), "dt-backends-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fake npm: for each dependency of ./package.json, an ESM package exporting its name and version. */
function fakeNpm(fail = false): string {
  const file = path.join(root, fail ? "npm-fail.mjs" : "npm-ok.mjs");
  writeFileSync(
    file,
    `#!/usr/bin/env node
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
writeFileSync("npm-args.json", JSON.stringify(process.argv.slice(2)));
${fail ? 'console.error("npm error code E404"); console.error("npm error 404 Not Found - GET https://registry.npmjs.org/node-llama-cpp"); process.exit(1);' : ""}
const deps = JSON.parse(readFileSync("package.json", "utf8")).dependencies;
for (const [name, version] of Object.entries(deps)) {
  const dir = path.join("node_modules", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, version, type: "module", main: "index.js" }));
  writeFileSync(path.join(dir, "index.js"), "export const fake = " + JSON.stringify(name + "@" + version) + "; export function getLlama() { throw new Error('fake llama'); }\\n");
  writeFileSync(path.join(dir, "binding.js"), "export default { fakeBinding: " + JSON.stringify(name) + " };\\n");
}
console.log("added " + Object.keys(deps).length + " packages");
`,
  );
  chmodSync(file, 0o755);
  return file;
}

describe("optional backends: install on demand", () => {
  const env = { ...process.env, DATATAILOR_BACKENDS_DIR: path.join(root, "backends") };

  it("a missing backend is one line naming the command that installs it (library and CLI, exit 1)", async () => {
    expect(backendStatus("gguf", env).source).toBeNull();
    const err = (await loadOptional("gguf", env).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/needs node-llama-cpp@3\.21\.1, which is not installed; install it with: datatailor backends install gguf/);
    const model = path.join(root, "tiny.gguf");
    new TinyModel().write(model);
    const text = path.join(root, "t.txt");
    writeFileSync(text, "abc\n");
    const r = await runCli(["lm", "score", "--lm", `gguf:${model}`, text], { env: { DATATAILOR_BACKENDS_DIR: env.DATATAILOR_BACKENDS_DIR } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^datatailor: .*install it with: datatailor backends install gguf/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    const list = await runCli(["backends", "list", "--json"], { env: { DATATAILOR_BACKENDS_DIR: env.DATATAILOR_BACKENDS_DIR } });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).backends[0]).toMatchObject({ name: "gguf", pkg: "node-llama-cpp", pinned: "3.21.1", source: null });
    const unknown = await runCli(["backends", "install", "cuda"], { env: { DATATAILOR_BACKENDS_DIR: env.DATATAILOR_BACKENDS_DIR } });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown backend 'cuda'; use one of gguf/);
  });

  it("a failed npm leaves no backend directory behind and says what npm said", async () => {
    const err = (await installBackend("gguf", { env, npm: fakeNpm(true), log: () => {} }).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/exited with 1: npm error 404 Not Found/);
    expect(existsSync(backendDir("gguf", env))).toBe(false);
  });

  it("installs exact pins (the package and this platform's CPU binary only) into its own directory, then loads from there", async () => {
    const logs: string[] = [];
    const st = await installBackend("gguf", { env, npm: fakeNpm(), log: (s) => logs.push(s) });
    const dir = backendDir("gguf", env);
    expect(st).toMatchObject({ source: "backends-dir", installedVersion: "3.21.1", dir });
    const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(pkg.dependencies["node-llama-cpp"]).toBe("3.21.1");
    const extra = Object.keys(pkg.dependencies).filter((d) => d !== "node-llama-cpp");
    expect(extra).toHaveLength(1);
    expect(extra[0]).toMatch(/^@node-llama-cpp\/(linux|mac|win)-/);
    expect(extra[0]).not.toMatch(/cuda|vulkan/);
    const args = JSON.parse(readFileSync(path.join(dir, "npm-args.json"), "utf8")) as string[];
    expect(args).toEqual(expect.arrayContaining(["install", "--ignore-scripts", "--omit=optional"]));
    expect(logs.join("")).toMatch(/added 2 packages/);
    const mod = await loadOptional<{ fake: string }>("gguf", env);
    expect(mod.fake).toBe("node-llama-cpp@3.21.1");
  });

  it("the zstd backend runs its install script (a native build) and loads its binding module beside the package", async () => {
    const st = await installBackend("zstd", { env, npm: fakeNpm(), log: () => {} });
    const dir = backendDir("zstd", env);
    expect(st).toMatchObject({ source: "backends-dir", installedVersion: "0.0.13" });
    const args = JSON.parse(readFileSync(path.join(dir, "npm-args.json"), "utf8")) as string[];
    expect(args).toContain("install");
    expect(args).not.toContain("--ignore-scripts");
    const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { dependencies: Record<string, string>; allowScripts: Record<string, boolean> };
    expect(pkg.dependencies).toEqual({ "zstd-napi": "0.0.13" });
    expect(pkg.allowScripts).toEqual({ "zstd-napi": true });
    const mod = await loadOptional<{ fake: string; binding: { fakeBinding: string } }>("zstd", env);
    expect(mod.fake).toBe("zstd-napi@0.0.13");
    expect(mod.binding.fakeBinding).toBe("zstd-napi");
  });

  it("an install that was killed leaves <name>.partial-<pid>; the next install removes it, but not a running install's", async () => {
    const parent = path.dirname(backendDir("gguf", env));
    const dead = path.join(parent, "gguf.partial-999999999");
    const live = path.join(parent, `gguf.partial-${process.ppid}`); // a process that is alive
    for (const d of [dead, live]) {
      mkdirSync(d, { recursive: true });
      writeFileSync(path.join(d, "package.json"), "{}");
    }
    await installBackend("gguf", { env, npm: fakeNpm(), log: () => {} });
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    rmSync(live, { recursive: true, force: true });
  });
});
