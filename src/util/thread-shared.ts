/**
 * Values this thread hands to the worker threads of the local executor's pool: large read-only
 * things, such as an n-gram model's tables in SharedArrayBuffers, that a shard's thread would
 * otherwise load again. The pool sends what is registered with each task (a SharedArrayBuffer
 * crosses by reference, so the threads read the same memory); a thread finds it with
 * sharedValue(). Threads of other processes (distributed workers) get nothing and load their own.
 */
// Raw file bytes go another way: threads ask for them (exec/shared-files.ts).
const mine = new Map<string, unknown>();
let received: Record<string, unknown> = {};

/** Offers `value` to the pool's threads under `key` (it must be structured-cloneable). */
export function shareWithThreads(key: string, value: unknown): void {
  mine.set(key, value);
}

/** What this thread offers, for the pool to send with a task. */
export function sharedSnapshot(): Record<string, unknown> | undefined {
  return mine.size > 0 ? Object.fromEntries(mine) : undefined;
}

/** Called by the pool's thread with what came with its task. */
export function receiveShared(values: Record<string, unknown> | undefined): void {
  if (values) received = values;
}

/** A value offered by this thread or, in a pool thread, by the thread that runs the pool. */
export function sharedValue<T>(key: string): T | undefined {
  return (mine.get(key) ?? received[key]) as T | undefined;
}
