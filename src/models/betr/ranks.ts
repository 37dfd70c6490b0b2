/**
 * Per-example ranking of docs by cosine. Rank 1 = nearest; equal cosines rank the lower doc
 * index first; NaN counts as -Infinity and -0 as 0, so ranks are a pure function of the values.
 * Two paths give identical ranks: a bounded heap for the top-K, and a stable LSD radix sort
 * over all docs.
 */

/** Scratch buffers reused across examples (no per-example allocation). */
export class RankWorkspace {
  readonly keys: Uint32Array;
  readonly keys2: Uint32Array;
  readonly order: Int32Array;
  readonly order2: Int32Array;
  readonly counts = new Uint32Array(2048);
  heapCos: Float32Array;
  heapIdx: Int32Array;

  constructor(readonly n: number, k: number) {
    this.keys = new Uint32Array(n);
    this.keys2 = new Uint32Array(n);
    this.order = new Int32Array(n);
    this.order2 = new Int32Array(n);
    this.heapCos = new Float32Array(Math.max(1, k));
    this.heapIdx = new Int32Array(Math.max(1, k));
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Canonical value used for comparisons: NaN → -Infinity, -0 → 0. */
function canon(c: number): number {
  return c !== c ? -Infinity : c + 0;
}

/**
 * Calls `visit(doc, rank)` for the docs of one example's row that rank ≤ k, in rank order
 * (k ≥ n visits all docs). `row` holds n cosines starting at `off`.
 */
export function rankRow(row: Float32Array, off: number, n: number, k: number, ws: RankWorkspace, visit: (doc: number, rank: number) => void): void {
  if (k >= n || k > n >>> 3) radixRanks(row, off, n, Math.min(k, n), ws, visit);
  else heapRanks(row, off, n, k, ws, visit);
}

function radixRanks(row: Float32Array, off: number, n: number, k: number, ws: RankWorkspace, visit: (doc: number, rank: number) => void): void {
  let keys = ws.keys;
  let keys2 = ws.keys2;
  let order = ws.order;
  let order2 = ws.order2;
  for (let d = 0; d < n; d++) {
    f32[0] = canon(row[off + d]!);
    const u = u32[0]!;
    // monotone map float → uint32 (ascending), then complement for descending cosine
    const asc = u & 0x80000000 ? ~u >>> 0 : (u | 0x80000000) >>> 0;
    keys[d] = ~asc >>> 0;
    order[d] = d;
  }
  const counts = ws.counts;
  for (const [shift, bits] of [[0, 11], [11, 11], [22, 10]] as const) {
    const mask = (1 << bits) - 1;
    counts.fill(0, 0, mask + 1);
    for (let i = 0; i < n; i++) counts[(keys[i]! >>> shift) & mask]!++;
    let sum = 0;
    for (let b = 0; b <= mask; b++) {
      const c = counts[b]!;
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const key = keys[i]!;
      const pos = counts[(key >>> shift) & mask]!++;
      keys2[pos] = key;
      order2[pos] = order[i]!;
    }
    [keys, keys2] = [keys2, keys];
    [order, order2] = [order2, order];
  }
  for (let r = 0; r < k; r++) visit(order[r]!, r + 1);
}

function heapRanks(row: Float32Array, off: number, n: number, k: number, ws: RankWorkspace, visit: (doc: number, rank: number) => void): void {
  if (ws.heapCos.length < k) {
    ws.heapCos = new Float32Array(k);
    ws.heapIdx = new Int32Array(k);
  }
  const hc = ws.heapCos;
  const hi = ws.heapIdx;
  // min-heap on "worse": lower cosine, or equal cosine and higher doc index, at the root
  let size = 0;
  for (let d = 0; d < n; d++) {
    const c = canon(row[off + d]!);
    if (size < k) {
      let i = size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        const pc = hc[p]!;
        // parent is worse than the new item → stop
        if (pc < c || (pc === c && hi[p]! > d)) break;
        hc[i] = pc;
        hi[i] = hi[p]!;
        i = p;
      }
      hc[i] = c;
      hi[i] = d;
    } else if (c > hc[0]!) {
      // docs arrive in index order, so an equal cosine is never better than the root
      siftDown(hc, hi, size, c, d);
    }
  }
  // pop worst-first: the last popped is rank 1
  const ranksDoc = ws.order; // reuse as scratch: ranksDoc[r-1] = doc
  for (let r = size; r >= 1; r--) {
    ranksDoc[r - 1] = hi[0]!;
    const lastC = hc[r - 1]!;
    const lastI = hi[r - 1]!;
    if (r - 1 > 0) siftDown(hc, hi, r - 1, lastC, lastI);
  }
  for (let r = 0; r < size; r++) visit(ranksDoc[r]!, r + 1);
}

/** Puts (c, d) at the root of a heap of `size` items and restores the heap order. */
function siftDown(hc: Float32Array, hi: Int32Array, size: number, c: number, d: number): void {
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= size) break;
    let w = l;
    const r = l + 1;
    if (r < size) {
      const lc = hc[l]!;
      const rc = hc[r]!;
      if (rc < lc || (rc === lc && hi[r]! > hi[l]!)) w = r;
    }
    const wc = hc[w]!;
    // stop when (c, d) is worse than the worse child
    if (c < wc || (c === wc && d > hi[w]!)) break;
    hc[i] = wc;
    hi[i] = hi[w]!;
    i = w;
  }
  hc[i] = c;
  hi[i] = d;
}
