export type { RougeScore } from "./rouge-l.js";
export { rougeL, rougeLTokens, rougeTokens, lcsLength, fmeasure } from "./rouge-l.js";
