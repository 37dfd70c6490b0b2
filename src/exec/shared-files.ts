/**
 * Read-only files shared by all threads of the process. A large model (a fastText quality
 * classifier can be gigabytes) is read once into a SharedArrayBuffer by the main thread and
 * used in place by it and by every pool thread, instead of being read and held once per thread.
 *
 * Any thread asks with `sharedFileBytes(path, pad)` (a pool thread through its pool); `pad`
 * zero bytes are put before the content so that the caller can align what lies inside it
 * (float32 matrices need 4-byte alignment).
 */
import { promises as fs } from "node:fs";
import type { MessagePort } from "node:worker_threads";
import { readWholeFile } from "../io/whole-file.js";

export type FileRequest = { type: "file"; req: number; path: string; pad: number };
export type FileReply = { type: "file"; req: number; buffer?: SharedArrayBuffer; error?: string };

/** Most files kept; older ones are dropped (threads still using them keep them alive). */
const MAX_FILES = 2;

/** The main thread's side: one buffer per (file version, pad). */
export class SharedFileCache {
  private readonly entries = new Map<string, Promise<SharedArrayBuffer>>();

  async get(file: string, pad: number): Promise<SharedArrayBuffer> {
    const key = await keyOf(file, pad);
    let p = this.entries.get(key);
    if (!p) {
      p = readWholeFile(file, (size) => ({ buffer: new SharedArrayBuffer(pad + size), offset: pad })).then((bytes) => bytes.buffer);
      this.add(key, p);
    }
    return p;
  }

  /** Takes `buffer` (pad zero bytes, then exactly the file's content) as `file`'s, as it is now on disk. */
  async put(file: string, pad: number, buffer: SharedArrayBuffer): Promise<void> {
    this.add(await keyOf(file, pad), Promise.resolve(buffer));
  }

  private add(key: string, p: Promise<SharedArrayBuffer>): void {
    this.entries.set(key, p);
    p.catch(() => this.entries.delete(key));
    while (this.entries.size > MAX_FILES) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** A rewritten file (atomic rename: new mtime or size) is a new entry. */
async function keyOf(file: string, pad: number): Promise<string> {
  const st = await fs.stat(file);
  return `${file}\0${pad}\0${st.size}\0${st.mtimeMs}`;
}

/** The process's files, held by the main thread. */
const mainFiles = new SharedFileCache();

/**
 * Main thread: offers a buffer that already holds `file`'s content (e.g. a model trained into
 * its file image and just saved), so no thread reads the file again.
 */
export function publishSharedFile(file: string, pad: number, buffer: SharedArrayBuffer): Promise<void> {
  if (port) return Promise.resolve(); // pool threads ask the main thread; they do not publish
  return mainFiles.put(file, pad, buffer);
}

/** Answers a pool thread's request on `reply` (called by the pool, on the main thread). */
export function answerFileRequest(m: FileRequest, reply: (r: FileReply) => void): void {
  mainFiles.get(m.path, m.pad).then(
    (buffer) => reply({ type: "file", req: m.req, buffer }),
    (err: Error) => reply({ type: "file", req: m.req, error: err.message }),
  );
}

// ---- pool threads ask the main thread ----

let port: MessagePort | undefined;
let nextReq = 1;
const waiting = new Map<number, { resolve: (b: SharedArrayBuffer) => void; reject: (e: Error) => void }>();

/** Called once by a pool thread: file replies arrive on its parent port. */
export function installFileClient(parent: MessagePort): void {
  port = parent;
}

/** Routes a reply from the pool owner; false when `m` is not one. */
export function handleFileReply(m: { type: string }): boolean {
  if (m.type !== "file") return false;
  const r = m as FileReply;
  const w = waiting.get(r.req);
  waiting.delete(r.req);
  if (r.buffer) w?.resolve(r.buffer);
  else w?.reject(new Error(r.error ?? "shared file request failed"));
  return true;
}

/** The file's bytes (after `pad` zero bytes), in memory shared by every thread that asks. */
export function sharedFileBytes(path: string, pad: number): Promise<Uint8Array> {
  const p = port;
  if (!p) return mainFiles.get(path, pad).then((buffer) => new Uint8Array(buffer, pad));
  return new Promise<SharedArrayBuffer>((resolve, reject) => {
    const req = nextReq++;
    waiting.set(req, { resolve, reject });
    p.postMessage({ type: "file", req, path, pad } satisfies FileRequest);
  }).then((buffer) => new Uint8Array(buffer, pad));
}
