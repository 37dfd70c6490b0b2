/**
 * Memory accounting for training. Every distinct n-gram of every order is one trie node:
 * 16 bytes of node data (suffix link, first word, count, prefix link), 1 byte of order and
 * about 5.7 bytes of hash slot (4-byte slots at most 70% full), then 28 bytes during
 * estimation (adjusted count, context sums and count-of-counts, gamma, probability), so
 * about 51 bytes per n-gram plus the text's word ids (4 bytes per token) and, while counting, the
 * n-grams ending at each token (4 bytes per order below the highest). Writing the ARPA then
 * reuses what estimation frees: 8 bytes per n-gram and the text of one order at a time.
 * Pruning adds 6 bytes per n-gram (marks and the pruned mass per context).
 */
export const BYTES_PER_NGRAM = 51;
export const BYTES_PER_TOKEN = 4;
export const BYTES_PER_TOKEN_ORDER = 4;

export class MemoryBudgetError extends Error {
  constructor(
    readonly budget: number,
    readonly ngrams: number,
  ) {
    super(
      `the model needs more than the memory budget of ${formatBytes(budget)}: ${ngrams.toLocaleString("en-US")} distinct n-grams so far at ${BYTES_PER_NGRAM} bytes each; raise --memory or lower the order`,
    );
  }
}

export function formatBytes(n: number): string {
  if (n >= 1 << 30) return (n / (1 << 30)).toFixed(1) + " GiB";
  if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + " MiB";
  if (n >= 1 << 10) return (n / (1 << 10)).toFixed(1) + " KiB";
  return `${n} B`;
}

/** "4G", "500M", "80%" (of `total`), or plain bytes. */
export function parseMemory(spec: string, total: number): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT%]?)[bB]?\s*$/.exec(spec);
  if (!m) return undefined;
  const v = Number(m[1]);
  const unit = m[2].toUpperCase();
  if (unit === "%") return Math.floor((v / 100) * total);
  const mult = unit === "K" ? 1 << 10 : unit === "M" ? 1 << 20 : unit === "G" ? 1 << 30 : unit === "T" ? 2 ** 40 : 1;
  return Math.floor(v * mult);
}
