/**
 * ROUGE-L exactly as Google's rouge_score (google-research/rouge) computes it without a stemmer:
 * tokenize = lowercase, every run of characters outside [a-z0-9] becomes one space, split on
 * whitespace, drop empty tokens; LCS of the two token lists; P = lcs/|prediction|,
 * R = lcs/|target|, F = 2PR/(P+R) (0 when P+R = 0); either side empty scores 0.
 * Pure: no I/O. The LCS keeps one row of the DP table in an Int32Array.
 */

export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

const NON_ALNUM = /[^a-z0-9]+/g;

/** rouge_score's tokenize(text, stemmer=None). JS and Python both lowercase with full Unicode case mapping. */
export function rougeTokens(text: string): string[] {
  const cleaned = text.toLowerCase().replace(NON_ALNUM, " ");
  const out: string[] = [];
  for (const t of cleaned.split(" ")) if (t !== "") out.push(t);
  return out;
}

let row = new Int32Array(256);

/** Length of the longest common subsequence of two token lists. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return 0;
  if (row.length < m + 1) row = new Int32Array(2 * (m + 1));
  const prev = row;
  prev.fill(0, 0, m + 1);
  for (let i = 0; i < n; i++) {
    const ai = a[i];
    let diag = 0; // table[i][j] before it is overwritten with table[i+1][j]
    for (let j = 1; j <= m; j++) {
      const up = prev[j];
      prev[j] = ai === b[j - 1] ? diag + 1 : up > prev[j - 1] ? up : prev[j - 1];
      diag = up;
    }
  }
  return prev[m];
}

/** fmeasure as rouge_score.scoring.fmeasure, same operation order so results match bit for bit. */
export function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** ROUGE-L of a prediction against its target (reference) from token lists. */
export function rougeLTokens(target: readonly string[], prediction: readonly string[]): RougeScore {
  if (target.length === 0 || prediction.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const lcs = lcsLength(target, prediction);
  const precision = lcs / prediction.length;
  const recall = lcs / target.length;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** ROUGE-L of a prediction against its reference, as RougeScorer(["rougeL"]).score(reference, prediction). */
export function rougeL(reference: string, prediction: string): RougeScore {
  return rougeLTokens(rougeTokens(reference), rougeTokens(prediction));
}
