/**
 * decontaminate's shard job, registered with the executors' registry (src/exec/handlers.ts):
 * "decontaminate-shard" (shard.ts) and its run-level step (finalize.ts: contamination.parquet,
 * stats.json, report.html), which `datatailor merge` runs after rank tasks. Importing this
 * module registers the kind; pool threads import it too. This is the only place the kind is
 * wired to the registry.
 */
import { registerTaskKind } from "../../exec/handlers.js";
import type { DecontaminateShardParams } from "./shard.js";

export const DECONTAMINATE_KIND = "decontaminate-shard";

registerTaskKind<DecontaminateShardParams>({
  kind: DECONTAMINATE_KIND,
  registeredBy: import.meta.url,
  handler: async () => (await import("./shard.js")).decontaminateShard,
  finalize: async () => (await import("./finalize.js")).finalizeShards,
});
