/**
 * Every pipeline's shard jobs. Imported by the processes that run shards for any pipeline (the
 * `worker` and `merge` commands, the library entry), so a queue worker, a pool thread or a
 * merge knows every task kind. A pipeline with shard jobs adds its registration module here.
 */
import "./select/tasks.js";
import "./decontaminate/tasks.js";
