/**
 * Where shard inputs and outputs live. Executors and completion markers talk to a `Storage`
 * rooted at a directory (or, later, a bucket prefix) and address files by *relative* POSIX
 * paths only, so an S3-compatible store can slot in behind the same interface without touching
 * the executors.
 *
 * Path safety: a relative path coming from a job payload is untrusted. `safeRelPath` rejects
 * absolute paths, drive letters, backslashes, NUL bytes, empty, `.` and `..` segments. Corpus
 * shards are opened with `resolveRead`, which follows symlinks wherever they lead (a Hugging Face
 * cache's `snapshots/` files are symlinks into `blobs/`, and the corpus root is the user's own
 * choice); everything else (`resolve`: writes, renames, removals, markers) refuses a path whose
 * existing part follows a symlink out of the root, so every write stays inside it.
 */
import { createReadStream, promises as fs, type WriteStream } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { openAtomic } from "./atomic.js";
import { makeDirs } from "../util/make-dirs.js";

export class UnsafePathError extends Error {
  constructor(
    readonly rel: string,
    reason: string,
  ) {
    super(`unsafe path ${JSON.stringify(rel)}: ${reason}`);
    this.name = "UnsafePathError";
  }
}

/** Validates an untrusted relative path and returns it unchanged (POSIX separators). */
export function safeRelPath(rel: string): string {
  if (typeof rel !== "string" || rel.length === 0) throw new UnsafePathError(String(rel), "empty");
  if (rel.includes("\0")) throw new UnsafePathError(rel, "contains a NUL byte");
  if (rel.includes("\\")) throw new UnsafePathError(rel, "contains a backslash");
  if (rel.startsWith("/") || /^[A-Za-z]:/.test(rel)) throw new UnsafePathError(rel, "is absolute");
  for (const seg of rel.split("/")) {
    if (seg === "..") throw new UnsafePathError(rel, "climbs out with '..'");
    if (seg === "" || seg === ".") throw new UnsafePathError(rel, "has an empty or '.' segment");
  }
  return rel;
}

/** Joins a checked relative path onto a root; the result is always inside the root. */
export function resolveInside(root: string, rel: string): string {
  const abs = path.resolve(root, ...safeRelPath(rel).split("/"));
  const base = path.resolve(root);
  if (abs !== base && !abs.startsWith(base + path.sep)) throw new UnsafePathError(rel, "resolves outside the root");
  return abs;
}

/** A file whose content appears under its final name only on `commit()`. */
export interface AtomicWrite {
  stream: WriteStream;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface Storage {
  /** Human-readable location, e.g. an absolute directory or `s3://bucket/prefix`. */
  readonly location: string;
  exists(rel: string): Promise<boolean>;
  /** Relative paths of all files under `prefix` (default: everything), sorted. */
  list(prefix?: string): Promise<string[]>;
  readFile(rel: string): Promise<Buffer>;
  readStream(rel: string): Promise<Readable>;
  /** Writes under a temporary name next to the target, then renames: never half-written. */
  writeAtomic(rel: string, data: string | Uint8Array): Promise<void>;
  openAtomic(rel: string): Promise<AtomicWrite>;
  rename(fromRel: string, toRel: string): Promise<void>;
  remove(rel: string): Promise<void>;
  /**
   * A filesystem path to read `rel` at, for engines that need one (DuckDB, fastText, the shard
   * readers); symlinks are followed wherever they lead. Undefined for object stores.
   */
  localPath(rel: string): string | undefined;
  /**
   * A filesystem path to write `rel` at, for writers that need one (Parquet, zstd): checked
   * like every write, so an existing symlink cannot lead it out of the root. Undefined for
   * object stores.
   */
  localWritePath(rel: string): Promise<string | undefined>;
}

/** Storage on a local or shared (NFS, Lustre, GPFS) filesystem. */
export class LocalStorage implements Storage {
  readonly location: string;
  private realRoot: Promise<string> | undefined;

  constructor(root: string) {
    this.location = path.resolve(root);
  }

  /**
   * Resolves a relative path for reading: lexically inside the root (no `..`, not absolute),
   * symlinks followed wherever they lead.
   */
  resolveRead(rel: string): string {
    return resolveInside(this.location, rel);
  }

  /** Resolves a relative path for writing: also checks that no existing ancestor is a symlink leading outside. */
  async resolve(rel: string): Promise<string> {
    const abs = resolveInside(this.location, rel);
    this.realRoot ??= makeDirs(this.location).then(() => fs.realpath(this.location));
    const realRoot = await this.realRoot;
    // Walk up to the deepest component that exists and compare its real path with the root's.
    let probe = abs;
    for (;;) {
      try {
        const real = await fs.realpath(probe);
        if (real !== realRoot && !real.startsWith(realRoot + path.sep)) throw new UnsafePathError(rel, "follows a symlink outside the root");
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
        const up = path.dirname(probe);
        if (up === probe) break;
        probe = up;
      }
    }
    return abs;
  }

  localPath(rel: string): string {
    return this.resolveRead(rel);
  }

  localWritePath(rel: string): Promise<string> {
    return this.resolve(rel);
  }

  async exists(rel: string): Promise<boolean> {
    try {
      await fs.access(await this.resolve(rel));
      return true;
    } catch (err) {
      if (err instanceof UnsafePathError) throw err;
      return false;
    }
  }

  async list(prefix?: string): Promise<string[]> {
    const start = prefix ? await this.resolve(prefix) : this.location;
    const out: string[] = [];
    const walk = async (dir: string, relDir: string) => {
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR") return;
        throw err;
      }
      for (const e of entries) {
        const rel = relDir ? `${relDir}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(path.join(dir, e.name), rel);
        else if (e.isFile()) out.push(rel);
      }
    };
    await walk(start, prefix ?? "");
    return out.sort();
  }

  async readFile(rel: string): Promise<Buffer> {
    return fs.readFile(await this.resolve(rel));
  }

  async readStream(rel: string): Promise<Readable> {
    return createReadStream(await this.resolve(rel));
  }

  async writeAtomic(rel: string, data: string | Uint8Array): Promise<void> {
    const w = await this.openAtomic(rel);
    try {
      await new Promise<void>((resolve, reject) => {
        w.stream.once("error", reject);
        w.stream.write(data, (err) => (err ? reject(err) : resolve()));
      });
    } catch (err) {
      await w.abort();
      throw err;
    }
    await w.commit();
  }

  async openAtomic(rel: string): Promise<AtomicWrite> {
    // Re-resolved at commit: a directory swapped for a symlink while we wrote must not redirect the rename.
    return openAtomic(await this.resolve(rel), () => this.resolve(rel));
  }

  async rename(fromRel: string, toRel: string): Promise<void> {
    const to = await this.resolve(toRel);
    await makeDirs(path.dirname(to));
    await fs.rename(await this.resolve(fromRel), to);
  }

  async remove(rel: string): Promise<void> {
    await fs.rm(await this.resolve(rel), { force: true, recursive: true });
  }
}

/**
 * Opens storage for a location string. Plain paths and `file://` URLs are local; other schemes
 * (s3://, gs://) need an object-store implementation of `Storage`, which this build lacks.
 */
export function openStorage(location: string): Storage {
  if (location.startsWith("file://")) return new LocalStorage(new URL(location).pathname);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location);
  if (scheme) throw new Error(`${location}: storage scheme '${scheme[1]}' is not supported in this build (use a local or shared-filesystem path)`);
  return new LocalStorage(location);
}
