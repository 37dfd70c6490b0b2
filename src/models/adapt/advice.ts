/**
 * Concrete advice from the verdict and, after a pilot, the token analysis: the remedies the
 * Adaptation Odyssey paper points to (evaluate without non-informative tokens, less format noise
 * in the data, a shorter run or lower learning rate, replaying reference data).
 */
import type { Attribution } from "./attribution.js";
import type { Risk } from "./verdict.js";

export function adviceFor(risk: Risk | undefined, tokens?: Pick<Attribution, "perplexity" | "informative" | "classes" | "concentration">): string[] {
  const out: string[] = [];
  if (risk === "high") {
    out.push("The domain sits close to the reference (pretraining) data: continued pretraining risks raising its own perplexity. Run a short pilot and check the token analysis before spending the full budget.");
    out.push("Shorten the run or lower the learning rate (the degradation grows with training on near-duplicate distributions), and mix in reference data (replay) to hold the original distribution.");
  } else if (risk === "medium") {
    out.push("Moderate similarity to the reference: a pilot run is worth its cost; watch perplexity with the non-informative tokens excluded.");
  } else if (risk === "low") {
    out.push("Low risk: by these distances continued pretraining is expected to help (domains far from the pretraining data, such as the paper's S2ORC, improved).");
  }
  if (tokens) {
    const worse = tokens.perplexity.adapted > tokens.perplexity.base;
    const infWorse = tokens.informative.adapted > tokens.informative.base;
    const format = tokens.classes.filter((c) => c.class === "eol" || c.class === "whitespace" || c.class === "punctuation");
    const formatLoss = format.reduce((s, c) => s + Math.min(0, c.delta), 0);
    const allLoss = tokens.classes.reduce((s, c) => s + Math.min(0, c.delta), 0);
    if (worse && !infWorse) {
      out.push("Perplexity over all tokens got worse but improved with newlines, whitespace and punctuation left out: the degradation sits in non-informative tokens. Evaluate with them excluded before judging the run.");
    } else if (!worse && infWorse) {
      out.push("Perplexity over all tokens improved only through non-informative tokens; content tokens got worse. Do not read the aggregate as a gain.");
    } else if (worse) {
      out.push("Perplexity got worse with and without the non-informative tokens: the change is not only formatting.");
    } else {
      out.push("Perplexity improved with and without the non-informative tokens.");
    }
    if (allLoss < 0 && formatLoss / allLoss >= 0.3) {
      out.push(`${Math.round((100 * formatLoss) / allLoss)}% of the degradation is in newline, whitespace and punctuation tokens: reduce the newline/format-token share of the data (normalise whitespace, join hard-wrapped lines, drop boilerplate).`);
    }
    if (tokens.concentration.share >= 0.5) {
      out.push(`The top ${tokens.concentration.topTypes} token types (1%) carry ${Math.round(tokens.concentration.share * 100)}% of the change: a handful of tokens drive the aggregate.`);
    }
  }
  return out;
}

/** What the advice reads from a token analysis (adapt tokens' result), when the analysis is complete. */
export interface TokenAnalysisView {
  base: { perplexity: number; tokens: number };
  adapted: { perplexity: number };
  informative?: Attribution["informative"];
  classes?: Attribution["classes"];
  concentration?: Attribution["concentration"];
}

export function analysisOf(t: TokenAnalysisView | undefined): Pick<Attribution, "perplexity" | "informative" | "classes" | "concentration"> | undefined {
  if (!t || !t.classes || !t.informative || !t.concentration) return undefined;
  return { perplexity: { base: t.base.perplexity, adapted: t.adapted.perplexity, tokens: t.base.tokens }, informative: t.informative, classes: t.classes, concentration: t.concentration };
}
