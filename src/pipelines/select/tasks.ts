/**
 * select's shard jobs, registered with the executors' registry (src/exec/handlers.ts): the
 * corpus sample's two passes ("select-sample") and the scoring pass ("select-score", whose
 * run-level step rebuilds stats.json, selection.json and report.html, also for
 * `datatailor merge`). Importing this module registers them; pool threads import it too.
 */
import { registerTaskKind } from "../../exec/handlers.js";
import type { SelectScoreParams } from "./score-shard.js";

registerTaskKind<SelectScoreParams>({
  kind: "select-score",
  registeredBy: import.meta.url,
  handler: async () => (await import("./score-shard.js")).scoreShard,
  finalize: async () => (await import("./finalize.js")).finalizeShards,
});

registerTaskKind({
  kind: "select-sample",
  registeredBy: import.meta.url,
  handler: async () => (await import("./sample-shard.js")).sampleShard,
});

registerTaskKind({
  kind: "select-count",
  registeredBy: import.meta.url,
  handler: async () => (await import("./count-shard.js")).countShard,
});
