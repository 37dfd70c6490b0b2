/**
 * What one "select-score" shard job accumulates per document: the scores table's columns, the
 * score histogram, the near-threshold examples, kept counts per benchmark and per --group-by
 * value, and the drop reasons. score-shard.ts decides; this file only counts and lays out.
 */
import { parquetWriteBuffer } from "hyparquet-writer";
import type { DocRecord } from "../../io/record.js";
import { NearThreshold } from "./near.js";
import type { SelectScoreParams, SourceCounts } from "./score-shard.js";

/** Most distinct --group-by values a shard reports; the rest are counted under "(other)". */
const MAX_GROUPS = 200;

/** The --group-by value of a record: `metadata.<field>`, else the top-level field; dotted paths allowed. */
export function groupValue(fields: Record<string, unknown>, metadata: Record<string, unknown> | undefined, field: string): string {
  const walk = (o: unknown, parts: string[]): unknown => parts.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), o);
  const parts = field.split(".");
  const v = walk(metadata, parts) ?? walk(fields, parts);
  if (v === undefined || v === null) return "(missing)";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** One scored document, as score-shard.ts decided it. */
export interface ScoredDoc {
  rec: DocRecord;
  score: number;
  tie: number;
  kept: boolean;
  /** Passed the threshold but holds a benchmark item (--decontaminate-against). */
  dirty: boolean;
  tokens: number;
  benchmark: string | null;
  example: number | null;
}

export class ScoreTally {
  readonly hist: Float64Array;
  readonly near: NearThreshold;
  readonly keptByBenchmark: Record<string, number> = {};
  readonly groups: Record<string, SourceCounts> | undefined;
  tokensRead = 0;
  tokensKept = 0;
  droppedBelow = 0;
  droppedMasked = 0;
  keptDocs = 0;
  private readonly ids: string[] = [];
  private readonly lines: number[] = [];
  private readonly scores: number[] = [];
  private readonly kept: boolean[] = [];
  private readonly bench: (string | null)[] = [];
  private readonly example: (number | null)[] = [];
  private readonly ppl: number[] = [];
  private readonly bucket: string[] = [];

  constructor(
    private readonly p: SelectScoreParams,
    private readonly shard: string,
  ) {
    this.hist = new Float64Array(p.histogram.bins);
    this.near = new NearThreshold(p.nearK);
    this.groups = p.groupBy ? {} : undefined;
  }

  get docs(): number {
    return this.ids.length;
  }

  add(d: ScoredDoc): void {
    const { p } = this;
    const s = d.score;
    this.tokensRead += d.tokens;
    if (s !== -Infinity) {
      const span = p.histogram.max - p.histogram.min;
      const bin = span > 0 ? Math.floor(((s - p.histogram.min) / span) * this.hist.length) : 0;
      this.hist[Math.min(this.hist.length - 1, Math.max(0, bin))]!++;
    }
    if (this.groups) this.addGroup(d);
    if (d.kept) {
      this.keptDocs++;
      this.tokensKept += d.tokens;
      if (d.benchmark) this.keptByBenchmark[d.benchmark] = (this.keptByBenchmark[d.benchmark] ?? 0) + 1;
    } else if (s === -Infinity) this.droppedMasked++;
    else if (!d.dirty) this.droppedBelow++;
    const rec = d.rec;
    this.near.offer(d.kept, s, d.tie, () => ({ id: rec.id, shard: this.shard, line: rec.line, score: s, text: rec.text.slice(0, p.textChars), benchmark: d.benchmark ?? undefined }));
    this.ids.push(rec.id);
    this.lines.push(rec.line);
    this.scores.push(s);
    this.kept.push(d.kept);
    this.bench.push(d.benchmark);
    this.example.push(d.example);
    const b = p.ccnetBuckets;
    if (b) {
      const x = 10 ** -s;
      this.ppl.push(x);
      this.bucket.push(x <= b[0] ? "head" : x <= b[1] ? "middle" : "tail");
    }
  }

  private addGroup(d: ScoredDoc): void {
    const groups = this.groups!;
    let g = groupValue(d.rec.fields, d.rec.metadata, this.p.groupBy!);
    if (!(g in groups) && Object.keys(groups).length >= MAX_GROUPS) g = "(other)";
    const c = (groups[g] ??= { read: 0, kept: 0, tokensRead: 0, tokensKept: 0 });
    c.read++;
    c.tokensRead += d.tokens;
    if (d.kept) {
      c.kept++;
      c.tokensKept += d.tokens;
    }
  }

  /** The shard's scores table: one row per document (perplexity and CCNet bucket for perplexity runs). */
  table(): Uint8Array {
    const n = this.ids.length;
    const extra = this.p.ccnetBuckets
      ? [
          { name: "perplexity", data: Float64Array.from(this.ppl), type: "DOUBLE" as const, nullable: false },
          { name: "bucket", data: this.bucket, type: "STRING" as const, nullable: false },
        ]
      : [];
    const buf = parquetWriteBuffer({
      columnData: [
        { name: "id", data: this.ids, type: "STRING", nullable: false },
        { name: "shard", data: new Array<string>(n).fill(this.shard), type: "STRING", nullable: false },
        { name: "line", data: Int32Array.from(this.lines), type: "INT32", nullable: false },
        { name: "score", data: Float64Array.from(this.scores), type: "DOUBLE", nullable: false },
        { name: "kept", data: this.kept, type: "BOOLEAN", nullable: false },
        { name: "benchmark", data: this.bench, type: "STRING" },
        { name: "example", data: this.example, type: "INT32" },
        ...extra,
      ],
    });
    return new Uint8Array(buf);
  }
}
