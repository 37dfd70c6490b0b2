/**
 * Body of a pool thread: runs shard tasks one at a time as the parent sends them and reports
 * progress, results and errors as messages. Progress is batched (every 250 ms) so a handler
 * may call ctx.progress per record without flooding the parent.
 */
import { parentPort, workerData } from "node:worker_threads";
import { registerHandlerModule } from "./handlers.js";
import { runTask } from "./run-task.js";
import type { ThreadData, ToParent, ToThread } from "./pool.js";
import { handleFileReply, installFileClient } from "./shared-files.js";
import { receiveShared } from "../util/thread-shared.js";

const port = parentPort;
if (!port) throw new Error("thread-worker must run in a worker thread");
const data = (workerData ?? { handlers: [], registrations: [] }) as ThreadData;
for (const s of data.handlers) registerHandlerModule(s);
// The parent's registration modules register the pipelines' kinds here too.
const ready = Promise.all(data.registrations.map((url) => import(url)));

const send = (m: ToParent) => port.postMessage(m);
installFileClient(port);

// A handler's stray asynchronous error (a stream 'error' nobody listened to) fails its task
// with the error's own message instead of killing the thread ("worker thread died: ENOENT").
let running: number | undefined;
process.on("uncaughtException", (err: Error & { exitCode?: number }) => {
  if (running === undefined) throw err;
  send({ type: "error", id: running, message: err?.message ?? String(err), stack: err?.stack, exitCode: err?.exitCode, name: err?.name });
  running = undefined;
});

port.on("message", async (msg: ToThread) => {
  if (handleFileReply(msg) || msg.type !== "run") return;
  const { id, spec, task } = msg;
  receiveShared(msg.shared);
  running = id;
  let pending = 0;
  let last = performance.now();
  const flush = () => {
    if (pending > 0) send({ type: "progress", id, records: pending });
    pending = 0;
    last = performance.now();
  };
  try {
    await ready;
    const result = await runTask(spec, task, {
      progress(n) {
        pending += n;
        if (performance.now() - last > 250) flush();
      },
    });
    flush();
    if (running !== id) return; // already failed by a stray error
    running = undefined;
    send({ type: "done", id, result });
  } catch (err) {
    flush();
    if (running !== id) return;
    running = undefined;
    const e = err as Error & { exitCode?: number };
    send({ type: "error", id, message: e?.message ?? String(err), stack: e?.stack, exitCode: e?.exitCode, name: e?.name });
  }
});
