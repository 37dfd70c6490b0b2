/** BETR ranking core (pure). The multi-threaded wrapper is src/backends/betr-parallel.ts. */
export {
  betrScores,
  rankValue,
  effectiveK,
  exampleChunks,
  rankChunk,
  initBest,
  finishScores,
  ChunkWorkspace,
  type BetrRankOptions,
  type BetrScores,
} from "./rank.js";
