/**
 * On-disk embedding cache keyed by embedder id and sha256 of the text. Each embedder id gets a
 * directory; each batch of new vectors is one immutable segment file written to a temporary
 * name and renamed, so an interrupted run leaves either a whole segment or nothing:
 *   magic "DTEC" | u32 version=1 | u32 dim | u32 count | count × 32-byte sha256 | count × dim float32 (LE)
 * Segments are merged into one when there are many. Unreadable segments are ignored (and
 * recomputed), never trusted.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../../io/atomic.js";
import type { Embedder } from "./types.js";
import { makeDirs } from "../../util/make-dirs.js";

const MAGIC = 0x43455444; // "DTEC" little-endian
const HEADER = 16;
const MERGE_AT = 32;

export function textKey(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export class EmbeddingCache {
  private readonly rows = new Map<string, Float32Array>();
  private segments: string[] = [];
  private loaded = false;
  readonly dir: string;

  constructor(
    root: string,
    readonly embedderId: string,
    readonly dim: number,
  ) {
    this.dir = path.join(root, createHash("sha256").update(embedderId).digest("hex").slice(0, 24));
  }

  get size(): number {
    return this.rows.size;
  }

  async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    await makeDirs(this.dir);
    await writeFileAtomic(path.join(this.dir, "embedder.txt"), `${this.embedderId}\n${this.dim}\n`);
    const names = (await readdir(this.dir)).filter((n) => n.endsWith(".seg")).sort();
    for (const name of names) {
      const buf = await readFile(path.join(this.dir, name));
      if (this.readSegment(buf)) this.segments.push(name);
    }
    if (this.segments.length >= MERGE_AT) await this.merge();
  }

  private readSegment(buf: Buffer): boolean {
    if (buf.length < HEADER || buf.readUInt32LE(0) !== MAGIC || buf.readUInt32LE(4) !== 1) return false;
    const dim = buf.readUInt32LE(8);
    const count = buf.readUInt32LE(12);
    if (dim !== this.dim || buf.length !== HEADER + count * 32 + count * dim * 4) return false;
    const vecStart = HEADER + count * 32;
    // copy into an aligned buffer: the file buffer's offset need not be a multiple of 4
    const all = new Float32Array(count * dim);
    new Uint8Array(all.buffer).set(buf.subarray(vecStart, vecStart + count * dim * 4));
    for (let i = 0; i < count; i++) {
      const key = buf.subarray(HEADER + i * 32, HEADER + (i + 1) * 32).toString("hex");
      this.rows.set(key, all.subarray(i * dim, (i + 1) * dim));
    }
    return true;
  }

  get(key: string): Float32Array | undefined {
    return this.rows.get(key);
  }

  /** Stores vectors (`vectors` holds keys.length rows) as one new segment. */
  async put(keys: string[], vectors: Float32Array): Promise<void> {
    if (keys.length === 0) return;
    await this.load();
    const name = `${Date.now().toString().padStart(14, "0")}-${process.pid}-${Math.random().toString(36).slice(2, 10)}.seg`;
    await writeFileAtomic(path.join(this.dir, name), encodeSegment(keys, vectors, this.dim));
    this.segments.push(name);
    keys.forEach((k, i) => this.rows.set(k, vectors.slice(i * this.dim, (i + 1) * this.dim)));
  }

  private async merge(): Promise<void> {
    const keys = [...this.rows.keys()];
    const vectors = new Float32Array(keys.length * this.dim);
    keys.forEach((k, i) => vectors.set(this.rows.get(k)!, i * this.dim));
    const name = `${Date.now().toString().padStart(14, "0")}-${process.pid}-merged.seg`;
    await writeFileAtomic(path.join(this.dir, name), encodeSegment(keys, vectors, this.dim));
    // the merged segment is complete on disk before the old ones go
    for (const old of this.segments) await rm(path.join(this.dir, old), { force: true });
    this.segments = [name];
  }
}

function encodeSegment(keys: string[], vectors: Float32Array, dim: number): Uint8Array {
  const count = keys.length;
  const buf = Buffer.alloc(HEADER + count * 32 + count * dim * 4);
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt32LE(1, 4);
  buf.writeUInt32LE(dim, 8);
  buf.writeUInt32LE(count, 12);
  keys.forEach((k, i) => buf.write(k, HEADER + i * 32, 32, "hex"));
  const v = new Uint8Array(vectors.buffer, vectors.byteOffset, count * dim * 4);
  buf.set(v, HEADER + count * 32);
  return buf;
}

/** Wraps an embedder with the cache: only texts not seen before (by this embedder id) are embedded. */
export class CachedEmbedder implements Embedder {
  private cache: EmbeddingCache | null = null;
  hits = 0;
  misses = 0;

  constructor(
    readonly inner: Embedder,
    private readonly root: string,
  ) {}

  get id(): string {
    return this.inner.id;
  }
  get dim(): number {
    return this.inner.dim;
  }

  async fit(sample: string[]): Promise<void> {
    if (this.inner.fit) await this.inner.fit(sample);
  }

  private async open(): Promise<EmbeddingCache> {
    // the id can change on fit (fitted embedders hash their sample into it)
    if (!this.cache || this.cache.embedderId !== this.inner.id) {
      this.cache = new EmbeddingCache(this.root, this.inner.id, this.inner.dim);
      await this.cache.load();
    }
    return this.cache;
  }

  async embed(texts: string[]): Promise<Float32Array> {
    const cache = await this.open();
    const dim = this.dim;
    const keys = texts.map(textKey);
    const missing = new Map<string, number>();
    keys.forEach((k, i) => {
      if (!cache.get(k) && !missing.has(k)) missing.set(k, i);
    });
    if (missing.size > 0) {
      const missKeys = [...missing.keys()];
      const vecs = await this.inner.embed(missKeys.map((k) => texts[missing.get(k)!]!));
      await cache.put(missKeys, vecs);
    }
    this.misses += missing.size;
    this.hits += texts.length - missing.size;
    const out = new Float32Array(texts.length * dim);
    keys.forEach((k, i) => out.set(cache.get(k)!, i * dim));
    return out;
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }
}
