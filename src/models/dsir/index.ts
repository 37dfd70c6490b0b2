export { DSIR_EPS, DSIR_MIN_TOKENS, normalizeCounts, dsirLogDiff, dsirLogWeight, gumbelFromUniform, gumbelTopK } from "./importance.js";
export { klDivergence, klReduction, type KlReduction } from "./kl.js";
