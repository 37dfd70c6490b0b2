/**
 * Token-level attribution of a perplexity change between a base and an adapted model scored on
 * the same texts with the same tokenizer (Öncel et al. 2024, §5): per token type, the count and
 * delta = Σ (ln p_adapted − ln p_base) over its occurrences (negative = the adapted model got
 * worse on it); per class, the same sums and their share of the total change; perplexity with
 * the non-informative classes left out; how concentrated the change is; and the occurrences of
 * the most degraded types with their contexts.
 */
import { classifyToken, NON_INFORMATIVE, TOKEN_CLASSES, type TokenClass } from "./token-classes.js";

/** The fields of a scored token this needs (src/backends/lm ScoredToken has them). */
export interface TokenScore {
  token: string;
  start: number;
  end: number;
  logprob: number;
}

export interface TokenDelta {
  token: string;
  class: TokenClass;
  count: number;
  delta: number;
  /** Σ ln p under each model. */
  base: number;
  adapted: number;
}

export interface ClassDelta {
  class: TokenClass;
  count: number;
  delta: number;
  /** delta / total delta: the share of the total change this class carries (signed; can exceed 1 when others offset it). */
  share: number;
}

export interface Perplexities {
  base: number;
  adapted: number;
  tokens: number;
}

export interface TokenExample {
  /** Short context, control characters escaped, the token marked as ⟦token⟧. */
  context: string;
  delta: number;
  text: number;
}

export interface Attribution {
  /** Over every scored token, end-of-sentence included: exp(−Σ ln p / N). */
  perplexity: Perplexities;
  /** Leaving out the non-informative classes. */
  informative: Perplexities & { excluded: readonly TokenClass[] };
  totalDelta: number;
  tokens: TokenDelta[];
  classes: ClassDelta[];
  /** Share of Σ|delta| over types carried by the top 1% of types by |delta| (at least one type). */
  concentration: { share: number; topTypes: number; types: number };
  worst: Array<TokenDelta & { examples: TokenExample[] }>;
}

export interface AttributionOptions {
  worst?: number;
  examplesPerToken?: number;
  contextBytes?: number;
}

export class TokenizationMismatch extends RangeError {}

export function attributeTokens(texts: readonly string[], base: ReadonlyArray<{ tokens: TokenScore[] }>, adapted: ReadonlyArray<{ tokens: TokenScore[] }>, opts: AttributionOptions = {}): Attribution {
  if (base.length !== texts.length || adapted.length !== texts.length) throw new RangeError(`scores for ${base.length}/${adapted.length} texts, expected ${texts.length}`);
  const index = new Map<string, number>();
  const names: string[] = [];
  let count = new Float64Array(1024);
  let delta = new Float64Array(1024);
  let sumB = new Float64Array(1024);
  let sumA = new Float64Array(1024);
  let totalB = 0;
  let totalA = 0;
  let n = 0;
  for (let t = 0; t < texts.length; t++) {
    const tb = base[t].tokens;
    const ta = adapted[t].tokens;
    if (tb.length !== ta.length) throw new TokenizationMismatch(`text ${t + 1}: the models produced ${tb.length} and ${ta.length} tokens; their tokenizations differ`);
    for (let j = 0; j < tb.length; j++) {
      const b = tb[j];
      const a = ta[j];
      if (b.token !== a.token || b.start !== a.start || b.end !== a.end) {
        throw new TokenizationMismatch(`text ${t + 1}, token ${j + 1}: "${b.token}" vs "${a.token}"; the models' tokenizations differ`);
      }
      if (!Number.isFinite(b.logprob) || !Number.isFinite(a.logprob)) throw new RangeError(`text ${t + 1}, token ${j + 1} ("${b.token}"): non-finite log probability`);
      let id = index.get(b.token);
      if (id === undefined) {
        id = names.length;
        index.set(b.token, id);
        names.push(b.token);
        if (id === count.length) {
          count = grow(count);
          delta = grow(delta);
          sumB = grow(sumB);
          sumA = grow(sumA);
        }
      }
      count[id]++;
      delta[id] += a.logprob - b.logprob;
      sumB[id] += b.logprob;
      sumA[id] += a.logprob;
      totalB += b.logprob;
      totalA += a.logprob;
      n++;
    }
  }
  if (n === 0) throw new RangeError("no tokens were scored");
  const types = names.length;
  const tokens: TokenDelta[] = names.map((token, i) => ({ token, class: classifyToken(token), count: count[i], delta: delta[i], base: sumB[i], adapted: sumA[i] }));
  tokens.sort((x, y) => x.delta - y.delta || (x.token < y.token ? -1 : x.token > y.token ? 1 : 0));
  const totalDelta = totalA - totalB;

  const classes: ClassDelta[] = TOKEN_CLASSES.map((c) => ({ class: c, count: 0, delta: 0, share: 0 }));
  let infB = 0;
  let infA = 0;
  let infN = 0;
  for (const t of tokens) {
    const c = classes[TOKEN_CLASSES.indexOf(t.class)];
    c.count += t.count;
    c.delta += t.delta;
    if (!NON_INFORMATIVE.includes(t.class)) {
      infB += t.base;
      infA += t.adapted;
      infN += t.count;
    }
  }
  for (const c of classes) c.share = totalDelta !== 0 ? c.delta / totalDelta : 0;

  const byAbs = tokens.map((t) => Math.abs(t.delta)).sort((x, y) => y - x);
  const top = Math.max(1, Math.ceil(types * 0.01));
  let absAll = 0;
  let absTop = 0;
  byAbs.forEach((v, i) => {
    absAll += v;
    if (i < top) absTop += v;
  });

  const worstN = opts.worst ?? 20;
  const worstTypes = tokens.filter((t) => t.delta < 0).slice(0, worstN);
  const worst = worstTypes.map((t) => ({ ...t, examples: [] as TokenExample[] }));
  examples(texts, base, adapted, worst, opts.examplesPerToken ?? 3, opts.contextBytes ?? 40);

  return {
    perplexity: { base: Math.exp(-totalB / n), adapted: Math.exp(-totalA / n), tokens: n },
    informative: { base: infN ? Math.exp(-infB / infN) : NaN, adapted: infN ? Math.exp(-infA / infN) : NaN, tokens: infN, excluded: NON_INFORMATIVE },
    totalDelta,
    tokens,
    classes,
    concentration: { share: absAll > 0 ? absTop / absAll : 0, topTypes: top, types },
    worst,
  };
}

function grow(a: Float64Array): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

/** The most degraded occurrences of each listed type, with contexts. */
function examples(
  texts: readonly string[],
  base: ReadonlyArray<{ tokens: TokenScore[] }>,
  adapted: ReadonlyArray<{ tokens: TokenScore[] }>,
  worst: Array<TokenDelta & { examples: TokenExample[] }>,
  perToken: number,
  contextBytes: number,
): void {
  if (!worst.length || perToken <= 0) return;
  const slot = new Map(worst.map((w, i) => [w.token, i]));
  const found: Array<Array<{ text: number; j: number; delta: number }>> = worst.map(() => []);
  for (let t = 0; t < texts.length; t++) {
    const tb = base[t].tokens;
    const ta = adapted[t].tokens;
    for (let j = 0; j < tb.length; j++) {
      const s = slot.get(tb[j].token);
      if (s === undefined) continue;
      const d = ta[j].logprob - tb[j].logprob;
      const list = found[s];
      if (list.length < perToken) list.push({ text: t, j, delta: d });
      else {
        // keep the perToken most negative
        let maxAt = 0;
        for (let k = 1; k < list.length; k++) if (list[k].delta > list[maxAt].delta) maxAt = k;
        if (d < list[maxAt].delta) list[maxAt] = { text: t, j, delta: d };
      }
    }
  }
  const enc = new TextEncoder();
  found.forEach((list, i) => {
    list.sort((a, b) => a.delta - b.delta || a.text - b.text || a.j - b.j);
    worst[i].examples = list.map((o) => {
      const tok = base[o.text].tokens[o.j];
      return { context: tokenContext(enc.encode(texts[o.text]), tok, contextBytes), delta: o.delta, text: o.text };
    });
  });
}

const DEC = new TextDecoder("utf-8", { fatal: false });

/** `bytes[start-ctx, end+ctx)` around the token, cut on character boundaries, token marked ⟦…⟧ and control characters escaped. */
export function tokenContext(bytes: Uint8Array, tok: TokenScore, ctx: number): string {
  const start = Math.max(0, Math.min(tok.start, bytes.length));
  const end = Math.max(start, Math.min(tok.end, bytes.length));
  let a = Math.max(0, start - ctx);
  while (a < start && (bytes[a] & 0xc0) === 0x80) a++;
  let b = Math.min(bytes.length, end + ctx);
  while (b > end && b < bytes.length && (bytes[b] & 0xc0) === 0x80) b--;
  const mid = end > start ? DEC.decode(bytes.subarray(start, end)) : tok.token;
  return (a > 0 ? "…" : "") + escapeControl(DEC.decode(bytes.subarray(a, start))) + "⟦" + escapeControl(mid) + "⟧" + escapeControl(DEC.decode(bytes.subarray(end, b))) + (b < bytes.length ? "…" : "");
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are escaped for display
const CONTROL = /[\u0000-\u001f\u007f]/g;

export function escapeControl(s: string): string {
  return s.replace(CONTROL, (c) => (c === "\n" ? "\\n" : c === "\t" ? "\\t" : c === "\r" ? "\\r" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`));
}
