/**
 * Parquet reading with hyparquet, one row group at a time so a big file never has all its
 * rows in memory. Column data is decoded with hyparquet-compressors (zstd, gzip, brotli, lz4;
 * snappy is built in).
 */
import { promises as fs } from "node:fs";
import { parquetMetadataAsync, parquetReadObjects, parquetRead, type AsyncBuffer, type FileMetaData } from "hyparquet";
import { compressors as jsCompressors } from "hyparquet-compressors";
import { zstdCodec } from "./zstd.js";

/** zstd pages through this machine's codec (src/io/zstd.ts): libzstd when installed, ~5x the pure-JS fzstd. */
async function compressorsFor() {
  const codec = await zstdCodec();
  return { ...jsCompressors, ZSTD: (input: Uint8Array, outputLength: number) => codec.decompressPage(input, outputLength) };
}

/** An AsyncBuffer over one open file handle (hyparquet's own opens a stream per slice). */
export async function openParquetFile(path: string): Promise<{ file: AsyncBuffer; close(): Promise<void> }> {
  const fh = await fs.open(path, "r");
  const { size } = await fh.stat();
  const file: AsyncBuffer = {
    byteLength: size,
    async slice(start: number, end?: number) {
      const stop = end === undefined ? size : Math.min(end, size);
      const len = Math.max(0, stop - start);
      const ab = new ArrayBuffer(len);
      let off = 0;
      while (off < len) {
        const { bytesRead } = await fh.read(new Uint8Array(ab, off, len - off), 0, len - off, start + off);
        if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${start + off}`);
        off += bytesRead;
      }
      return ab;
    },
  };
  return { file, close: () => fh.close() };
}

export interface ParquetShardInfo {
  metadata: FileMetaData;
  rows: number;
  /** Row ranges [start, end) of each row group. */
  groups: Array<[number, number]>;
}

export async function parquetInfo(file: AsyncBuffer): Promise<ParquetShardInfo> {
  const metadata = await parquetMetadataAsync(file);
  const groups: Array<[number, number]> = [];
  let start = 0;
  for (const rg of metadata.row_groups) {
    const n = Number(rg.num_rows);
    groups.push([start, start + n]);
    start += n;
  }
  return { metadata, rows: Number(metadata.num_rows), groups };
}

/** Rows [rowStart, rowEnd) as objects keyed by column name. */
export async function readParquetRows(
  file: AsyncBuffer,
  metadata: FileMetaData,
  rowStart: number,
  rowEnd: number,
  columns?: string[],
): Promise<Record<string, unknown>[]> {
  return (await parquetReadObjects({ file, metadata, rowStart, rowEnd, columns, compressors: await compressorsFor() })) as Record<string, unknown>[];
}

/**
 * Whole columns of a (small) Parquet table, e.g. a scores table. Reads everything into
 * memory: meant for per-shard tables, not for corpora (use readRecords for those).
 */
export async function readParquetColumns(path: string, columns?: string[]): Promise<Record<string, unknown[]>> {
  const { file, close } = await openParquetFile(path);
  try {
    const metadata = await parquetMetadataAsync(file);
    const topLevel = topLevelColumns(metadata);
    const wanted = columns ?? topLevel;
    for (const c of wanted) if (!topLevel.includes(c)) throw new Error(`${path}: no column "${c}" (has ${topLevel.join(", ")})`);
    let rows: unknown[][] = [];
    await parquetRead({ file, metadata, columns: wanted, compressors: await compressorsFor(), onComplete: (r) => (rows = r) });
    const out: Record<string, unknown[]> = {};
    wanted.forEach((c, j) => {
      const col = new Array<unknown>(rows.length);
      for (let i = 0; i < rows.length; i++) col[i] = rows[i]![j];
      out[c] = col;
    });
    return out;
  } finally {
    await close();
  }
}

/** Names of the top-level columns (struct/list columns count once). */
export function topLevelColumns(metadata: FileMetaData): string[] {
  const out: string[] = [];
  const schema = metadata.schema;
  let i = 1;
  // Walk the flattened schema tree, skipping each top-level node's descendants.
  const skip = (idx: number): number => {
    const n = schema[idx]!.num_children ?? 0;
    let next = idx + 1;
    for (let k = 0; k < n; k++) next = skip(next);
    return next;
  };
  while (i < schema.length) {
    out.push(schema[i]!.name);
    i = skip(i);
  }
  return out;
}
