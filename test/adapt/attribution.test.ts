/**
 * Token attribution against hand computations: per-type deltas, classes and shares, the
 * informative perplexity, concentration, contexts; and mismatched tokenizations are refused.
 */
import { describe, expect, it } from "vitest";
import { attributeTokens, tokenContext, TokenizationMismatch, type TokenScore } from "../../src/models/adapt/attribution.js";
import { classifyToken } from "../../src/models/adapt/token-classes.js";
import { adviceFor } from "../../src/models/adapt/advice.js";

/** Whitespace tokens of a line with byte offsets, then </s>, with the given ln p values. */
function scored(line: string, lps: number[]): { tokens: TokenScore[] } {
  const tokens: TokenScore[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  const bytes = (i: number) => Buffer.byteLength(line.slice(0, i));
  while ((m = re.exec(line))) tokens.push({ token: m[0], start: bytes(m.index), end: bytes(m.index + m[0].length), logprob: 0 });
  const len = Buffer.byteLength(line);
  tokens.push({ token: "</s>", start: len, end: len, logprob: 0 });
  if (lps.length !== tokens.length) throw new Error(`${tokens.length} tokens, ${lps.length} values`);
  tokens.forEach((t, i) => (t.logprob = lps[i]));
  return { tokens };
}

describe("token classes", () => {
  it("puts tokens in the paper's classes", () => {
    expect(classifyToken("</s>")).toBe("eol");
    expect(classifyToken("Ċ")).toBe("eol");
    expect(classifyToken("<0x0A>")).toBe("eol");
    expect(classifyToken("Ġ")).toBe("whitespace");
    expect(classifyToken("▁")).toBe("whitespace");
    expect(classifyToken(",")).toBe("punctuation");
    expect(classifyToken("Ġ.")).toBe("punctuation");
    expect(classifyToken("--")).toBe("punctuation");
    expect(classifyToken("1,000")).toBe("digits");
    expect(classifyToken("Ġ42")).toBe("digits");
    expect(classifyToken("The")).toBe("stopword");
    expect(classifyToken("▁and")).toBe("stopword");
    expect(classifyToken("castle")).toBe("other");
    expect(classifyToken("x1")).toBe("other");
  });
});

describe("attributeTokens", () => {
  const texts = ["the cat , sat", "the dog"];
  const base = [scored(texts[0], [-1, -3, -2, -4, -0.5]), scored(texts[1], [-1.2, -2.5, -0.7])];
  const adapted = [scored(texts[0], [-1.5, -2, -2.25, -3, -1.5]), scored(texts[1], [-1, -2, -2])];

  it("equals a direct computation from the per-token scores", () => {
    const a = attributeTokens(texts, base, adapted, { worst: 5, examplesPerToken: 2, contextBytes: 4 });
    // by hand: the = (-1.5+1) + (-1+1.2) = -0.3; cat = +1; , = -0.25; sat = +1; dog = +0.5; </s> = -1 + -1.3 = -2.3
    const byToken = Object.fromEntries(a.tokens.map((t) => [t.token, t]));
    expect(byToken["the"].delta).toBeCloseTo(-0.3, 12);
    expect(byToken["the"].count).toBe(2);
    expect(byToken["cat"].delta).toBeCloseTo(1, 12);
    expect(byToken[","].delta).toBeCloseTo(-0.25, 12);
    expect(byToken["</s>"].delta).toBeCloseTo(-2.3, 12);
    expect(byToken["</s>"].count).toBe(2);
    expect(a.tokens.map((t) => t.token)).toEqual(["</s>", "the", ",", "dog", "cat", "sat"]);
    const sumB = -1 - 3 - 2 - 4 - 0.5 - 1.2 - 2.5 - 0.7;
    const sumA = -1.5 - 2 - 2.25 - 3 - 1.5 - 1 - 2 - 2;
    expect(a.totalDelta).toBeCloseTo(sumA - sumB, 12);
    expect(a.perplexity.tokens).toBe(8);
    expect(a.perplexity.base).toBeCloseTo(Math.exp(-sumB / 8), 12);
    expect(a.perplexity.adapted).toBeCloseTo(Math.exp(-sumA / 8), 12);
    // informative: without </s> (eol) and "," (punctuation)
    expect(a.informative.tokens).toBe(5);
    expect(a.informative.base).toBeCloseTo(Math.exp((1 + 3 + 4 + 1.2 + 2.5) / 5), 12);
    expect(a.informative.adapted).toBeCloseTo(Math.exp((1.5 + 2 + 3 + 1 + 2) / 5), 12);
    const cls = Object.fromEntries(a.classes.map((c) => [c.class, c]));
    expect(cls.eol.delta).toBeCloseTo(-2.3, 12);
    expect(cls.stopword.delta).toBeCloseTo(-0.3, 12);
    expect(cls.other.delta).toBeCloseTo(2.5, 12);
    expect(cls.other.count).toBe(3);
    expect(cls.eol.share).toBeCloseTo(-2.3 / (sumA - sumB), 12);
    // 6 types: the top 1% is one type, the largest |delta| (2.3) of Σ|delta| = 0.3+1+0.25+1+0.5+2.3
    expect(a.concentration.topTypes).toBe(1);
    expect(a.concentration.share).toBeCloseTo(2.3 / 5.35, 12);
    // worst: negative-delta types only, most degraded first, their worst occurrences with contexts
    expect(a.worst.map((w) => w.token)).toEqual(["</s>", "the", ","]);
    expect(a.worst[0].examples.map((e) => e.delta)).toEqual([-1.3, -1]);
    expect(a.worst[0].examples[0].context).toBe("… dog⟦</s>⟧");
    expect(a.worst[1].examples[0]).toMatchObject({ text: 0, context: "⟦the⟧ cat…" });
  });

  it("refuses different tokenizations", () => {
    const other = [scored("the cat, sat", [-1, -2, -3, -1]), adapted[1]];
    expect(() => attributeTokens(texts, base, other)).toThrow(TokenizationMismatch);
    const moved = [{ tokens: adapted[0].tokens.map((t, i) => (i === 1 ? { ...t, start: t.start + 1 } : t)) }, adapted[1]];
    expect(() => attributeTokens(texts, base, moved)).toThrow(/token 2/);
    expect(() => attributeTokens([], [], [])).toThrow(/no tokens/);
  });

  it("escapes control characters in contexts and cuts on character boundaries", () => {
    const text = "héllo\nwörld\tend";
    const bytes = new TextEncoder().encode(text);
    const start = Buffer.byteLength("héllo\n");
    const ctx = tokenContext(bytes, { token: "wörld", start, end: start + Buffer.byteLength("wörld"), logprob: 0 }, 5);
    expect(ctx).toBe("…llo\\n⟦wörld⟧\\tend");
    expect(ctx).not.toContain("\uFFFD");
  });

  it("advice names the non-informative share when the degradation sits there", () => {
    const a = attributeTokens(texts, base, adapted);
    const advice = adviceFor("high", a);
    expect(advice.join(" ")).toMatch(/newline, whitespace and punctuation/);
    expect(advice.join(" ")).toMatch(/mix in reference data/);
  });
});
