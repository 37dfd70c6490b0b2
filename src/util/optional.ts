/**
 * Heavy optional backends, installed on demand instead of by every `npm ci`.
 *
 * Each backend is a pinned npm package that `datatailor backends install <name>` puts into a
 * directory datatailor owns — $DATATAILOR_BACKENDS_DIR/<name>, default
 * $XDG_CACHE_HOME/datatailor/backends/<name> (~/.cache/...) — with its own package.json, so the
 * project's node_modules and lock file never carry it. `loadOptional(name)` imports it from there,
 * or from the project's node_modules when a user installed it there themselves; when it is in
 * neither, it throws a one-line UserError naming the command that installs it.
 *
 * Adding a backend is one entry in BACKENDS.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { readdir, rename, rm, writeFile } from "node:fs/promises";
import { availableParallelism, homedir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { UserError } from "./errors.js";
import { makeDirs } from "./make-dirs.js";

export interface OptionalBackend {
  /** What the backend serves, for messages and `backends list`. */
  purpose: string;
  /** The npm package imported at run time. */
  pkg: string;
  /** Exact version installed (never a range: reruns get the same bytes). */
  version: string;
  /**
   * Extra exact-pinned packages for this machine. node-llama-cpp lists every platform's and GPU's
   * prebuilt binaries as optional dependencies (~700 MB); installing with optional dependencies
   * omitted plus the one CPU build this machine needs keeps it at ~80 MB.
   */
  extra?: () => Record<string, string>;
  /** Install with `--omit=optional` (only sensible with `extra` naming what is needed). */
  omitOptional?: boolean;
  /** Run the package's install script (a native build); every other backend installs with scripts off. */
  scripts?: boolean;
  /** Modules inside the package exported beside the main one, by name (their default export). */
  subpaths?: Record<string, string>;
}

/** Prebuilt CPU binary package of node-llama-cpp for this platform (we run it with gpu: false). */
function llamaCppBinary(version: string): Record<string, string> {
  const key = `${process.platform}-${process.arch}`;
  const names: Record<string, string> = {
    "linux-x64": "linux-x64",
    "linux-arm64": "linux-arm64",
    "linux-arm": "linux-armv7l",
    "darwin-arm64": "mac-arm64-metal",
    "darwin-x64": "mac-x64",
    "win32-x64": "win-x64",
    "win32-arm64": "win-arm64",
  };
  const name = names[key];
  if (!name) throw new UserError(`node-llama-cpp has no prebuilt binary for ${key}; the gguf: backend is not available on this platform`);
  return { [`@node-llama-cpp/${name}`]: version };
}

export const BACKENDS = {
  gguf: {
    purpose: "gguf: language models in-process (llama.cpp)",
    pkg: "node-llama-cpp",
    version: "3.21.1",
    extra: () => llamaCppBinary("3.21.1"),
    omitOptional: true,
  },
  // ~450 MB, 429 of it onnxruntime (node + web): only the transformers:<dir> embedder uses it.
  transformers: {
    purpose: "transformers: local sentence-embedding models (transformers.js + onnxruntime, CPU)",
    pkg: "@huggingface/transformers",
    version: "4.3.1",
  },
  // ~70 MB: only tables inside DuckDB database files (db.duckdb:table) need it
  duckdb: {
    purpose: "duckdb: tables in DuckDB database files (db.duckdb:table)",
    pkg: "@duckdb/node-api",
    version: "1.5.6-r.1",
  },
  // libzstd through N-API, built from source at install (~45 s of C on one core, halved with two):
  // the default install reads .zst with the zstd command or pure JS instead (src/io/zstd.ts)
  zstd: {
    purpose: "zstd: native Zstandard in-process (.zst shards and Parquet pages at libzstd's speed)",
    pkg: "zstd-napi",
    version: "0.0.13",
    scripts: true,
    subpaths: { binding: "zstd-napi/binding.js" },
  },
} satisfies Record<string, OptionalBackend>;

export type BackendName = keyof typeof BACKENDS;

export function backendNames(): BackendName[] {
  return Object.keys(BACKENDS) as BackendName[];
}

export function isBackendName(name: string): name is BackendName {
  return Object.hasOwn(BACKENDS, name);
}

export function backendsRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DATATAILOR_BACKENDS_DIR) return path.resolve(env.DATATAILOR_BACKENDS_DIR);
  const cache = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(homedir(), ".cache");
  return path.join(cache, "datatailor", "backends");
}

export function backendDir(name: BackendName, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(backendsRoot(env), name);
}

export function installCommand(name: BackendName): string {
  return `datatailor backends install ${name}`;
}

/** The file that imports the package from inside the backend directory (bare specifiers resolve from there). */
const ENTRY = "entry.mjs";
const MARKER = "datatailor-backend.json";

export interface BackendStatus {
  name: BackendName;
  pkg: string;
  pinned: string;
  /** Where it would be loaded from, or null when it is not installed anywhere. */
  source: "backends-dir" | "node_modules" | null;
  dir: string;
  installedVersion?: string;
}

function installedVersion(dir: string, pkg: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(dir, "node_modules", pkg, "package.json"), "utf8")) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** Where a backend is available, without importing it. */
export function backendStatus(name: BackendName, env: NodeJS.ProcessEnv = process.env): BackendStatus {
  const b: OptionalBackend = BACKENDS[name];
  const dir = backendDir(name, env);
  const base = { name, pkg: b.pkg, pinned: b.version, dir };
  if (existsSync(path.join(dir, MARKER)) && existsSync(path.join(dir, ENTRY))) {
    const v = installedVersion(dir, b.pkg);
    if (v) return { ...base, source: "backends-dir", installedVersion: v };
  }
  try {
    // the project's (or an enclosing) node_modules, as Node would resolve it from here
    const v = findInNodeModules(b.pkg);
    if (v) return { ...base, source: "node_modules", installedVersion: v };
  } catch {
    /* not there */
  }
  return { ...base, source: null };
}

function findInNodeModules(pkg: string): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const v = installedVersion(dir, pkg);
    if (v) return v;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

const loaded = new Map<BackendName, Promise<unknown>>();

/**
 * Imports an optional backend's package: the pinned copy in the backends directory first, else the
 * project's node_modules; otherwise a one-line UserError with the install command.
 */
export function loadOptional<T = unknown>(name: BackendName, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  let p = loaded.get(name);
  if (!p) {
    p = importBackend(name, env);
    loaded.set(name, p);
    p.catch(() => loaded.delete(name));
  }
  return p as Promise<T>;
}

async function importBackend(name: BackendName, env: NodeJS.ProcessEnv): Promise<unknown> {
  const b: OptionalBackend = BACKENDS[name];
  const st = backendStatus(name, env);
  try {
    if (st.source === "backends-dir") {
      const ns = (await import(pathToFileURL(path.join(st.dir, ENTRY)).href)) as Record<string, unknown>;
      if (!b.subpaths) return ns.default;
      // named exports only (see entrySource)
      const all: Record<string, unknown> = { ...(ns.main as Record<string, unknown>) };
      for (const k of Object.keys(b.subpaths)) all[k] = ns[k];
      return all;
    }
    if (st.source === "node_modules") {
      const spec: string = b.pkg; // a variable: the package is not a compile-time dependency
      const main = (await import(spec)) as Record<string, unknown>;
      if (!b.subpaths) return main;
      const extra: Record<string, unknown> = {};
      for (const [k, sub] of Object.entries(b.subpaths)) extra[k] = ((await import(sub)) as { default: unknown }).default;
      return { ...main, ...extra };
    }
  } catch (e) {
    throw new UserError(`${b.pkg} (${b.purpose}) is installed in ${st.source === "backends-dir" ? st.dir : "node_modules"} but could not be loaded (${firstLine(e)}); reinstall it with: ${installCommand(name)}`);
  }
  throw new UserError(`${b.purpose} needs ${b.pkg}@${b.version}, which is not installed; install it with: ${installCommand(name)} (into ${st.dir})`);
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split("\n")[0]!;
}

export interface InstallOptions {
  env?: NodeJS.ProcessEnv;
  /** npm's output goes here (stderr by default, so --json stdout stays clean). */
  log?: (chunk: string) => void;
  /** The npm executable; $npm_execpath (when npm runs us) or `npm` on PATH. */
  npm?: string;
}

/**
 * Installs a backend's pinned package into its own directory: npm runs in a fresh sibling
 * directory that replaces the old one only when the install finished, so an interrupted install
 * leaves the previous one (or none) and never half a package.
 */
export async function installBackend(name: BackendName, opts: InstallOptions = {}): Promise<BackendStatus> {
  const env = opts.env ?? process.env;
  const b: OptionalBackend = BACKENDS[name];
  const dir = backendDir(name, env);
  const tmp = `${dir}.partial-${process.pid}`;
  const deps = { [b.pkg]: b.version, ...(b.extra?.() ?? {}) };
  await removeAbandoned(dir);
  await rm(tmp, { recursive: true, force: true });
  await makeDirs(tmp);
  const manifest = { name: `datatailor-backend-${name}`, private: true, description: `datatailor optional backend: ${b.purpose}`, dependencies: deps, ...(b.scripts ? { allowScripts: { [b.pkg]: true } } : {}) };
  await writeFile(path.join(tmp, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
  // install scripts stay off unless the backend is a native build: node-llama-cpp's would try to
  // build llama.cpp, onnxruntime-node's to download CUDA
  const args = ["install", "--no-audit", "--no-fund", ...(b.scripts ? [] : ["--ignore-scripts"]), "--no-save", ...(b.omitOptional ? ["--omit=optional"] : [])];
  try {
    await runNpm(args, tmp, opts);
    if (!installedVersion(tmp, b.pkg)) throw new UserError(`npm finished but ${b.pkg} is not in ${tmp}/node_modules`);
    await writeFile(path.join(tmp, ENTRY), entrySource(b));
    await writeFile(path.join(tmp, MARKER), JSON.stringify({ name, pkg: b.pkg, version: b.version, dependencies: deps, installedAt: new Date().toISOString() }, null, 2) + "\n");
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e instanceof UserError ? e : new UserError(`installing ${b.pkg}@${b.version} failed: ${firstLine(e)}`);
  }
  loaded.delete(name);
  return backendStatus(name, env);
}

/** Removes `<dir>.partial-<pid>` left by installs that were killed (their process is gone). */
async function removeAbandoned(dir: string): Promise<void> {
  const prefix = `${path.basename(dir)}.partial-`;
  const names = await readdir(path.dirname(dir)).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) continue;
    await rm(path.join(path.dirname(dir), name), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The backend directory's entry module: the package, plus any subpath modules under their names. */
function entrySource(b: OptionalBackend): string {
  const subs = Object.entries(b.subpaths ?? {});
  const lines = [`// written by datatailor: imports ${b.pkg} from this directory's node_modules`, `import * as m from ${JSON.stringify(b.pkg)};`];
  subs.forEach(([, spec], i) => lines.push(`import s${i} from ${JSON.stringify(spec)};`));
  // With subpaths, only named exports: a CommonJS package's namespace carries __esModule, and
  // tsx's import() unwraps a default export that has it (the subpaths were lost).
  if (subs.length) {
    lines.push("export { m as main };");
    subs.forEach(([k], i) => lines.push(`export { s${i} as ${k} };`));
  } else lines.push("export default m;");
  return lines.join("\n") + "\n";
}

function runNpm(args: string[], cwd: string, opts: InstallOptions): Promise<void> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((s: string) => void process.stderr.write(s));
  const execpath = opts.npm ?? env.npm_execpath;
  // npm_execpath points at npm-cli.js when npm runs us; run it with this node
  const [cmd, pre] = execpath && /\.[cm]?js$/.test(execpath) ? [process.execPath, [execpath]] : [execpath || (process.platform === "win32" ? "npm.cmd" : "npm"), []];
  return new Promise((resolve, reject) => {
    // JOBS: node-gyp compiles a native backend on every core instead of one file at a time
    const childEnv = { ...env, npm_config_update_notifier: "false", JOBS: env.JOBS ?? String(availableParallelism()) };
    const child = spawn(cmd, [...pre, ...args], { cwd, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const take = (d: Buffer) => {
      const s = d.toString();
      tail = (tail + s).slice(-2000);
      log(s);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", (e) => reject(new UserError(`could not run npm (${e.message}); it is needed to install optional backends`)));
    child.on("close", (code) => {
      if (code === 0) resolve();
      else {
        const last = tail.trim().split("\n").filter((l) => /err/i.test(l)).pop() ?? tail.trim().split("\n").pop() ?? "";
        reject(new UserError(`npm ${args.join(" ")} exited with ${code}: ${last.trim()}`));
      }
    });
  });
}
