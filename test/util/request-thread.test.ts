/**
 * RequestThread: replies settle the calls in the order they were made (the worker here holds
 * several requests and answers them together), messages that answer no call go to onMessage,
 * and a worker that throws or exits rejects every waiting call and every later one.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { RequestThread } from "../../src/util/request-thread.js";

type Req = { op: "hold"; v: number } | { op: "flush" } | { op: "note"; v: number } | { op: "throw" } | { op: "exit"; code: number } | { op: "size"; buf: ArrayBuffer };

// hold: answered at the next flush, in the order held; note: at once a message that answers
// nothing, its reply at the next flush
const WORKER = `
import { parentPort } from "node:worker_threads";
const held = [];
parentPort.on("message", (m) => {
  if (m.op === "hold") held.push(m.v);
  else if (m.op === "flush") { for (const v of held.splice(0)) parentPort.postMessage({ v }); parentPort.postMessage({ v: "flushed" }); }
  else if (m.op === "note") { parentPort.postMessage({ note: m.v }); held.push(m.v * 10); }
  else if (m.op === "throw") throw new Error("boom in the worker");
  else if (m.op === "exit") process.exit(m.code);
  else if (m.op === "size") parentPort.postMessage({ v: m.buf.byteLength });
});
`;

const dir = mkdtempSync(path.join(tmpdir(), "dt-request-thread-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const url = (() => {
  const file = path.join(dir, "worker.mjs");
  writeFileSync(file, WORKER);
  return pathToFileURL(file);
})();

function start(notes: unknown[] = []): RequestThread<Req, { v: number | string }> {
  return new RequestThread<Req, { v: number | string }>(url, {
    name: "test thread",
    onMessage: (m) => {
      if (!("note" in (m as object))) return false;
      notes.push(m);
      return true;
    },
  });
}

describe("RequestThread", () => {
  it("each reply settles the oldest waiting call", async () => {
    const t = start();
    try {
      const calls = [t.call({ op: "hold", v: 1 }), t.call({ op: "hold", v: 2 }), t.call({ op: "hold", v: 3 }), t.call({ op: "flush" })];
      expect(await Promise.all(calls)).toEqual([{ v: 1 }, { v: 2 }, { v: 3 }, { v: "flushed" }]);
    } finally {
      await t.close();
    }
  });

  it("messages that answer no call go to onMessage and settle nothing", async () => {
    const notes: unknown[] = [];
    const t = start(notes);
    try {
      const calls = [t.call({ op: "note", v: 1 }), t.call({ op: "hold", v: 2 }), t.call({ op: "note", v: 3 }), t.call({ op: "flush" })];
      expect(await Promise.all(calls)).toEqual([{ v: 10 }, { v: 2 }, { v: 30 }, { v: "flushed" }]);
      expect(notes).toEqual([{ note: 1 }, { note: 3 }]);
    } finally {
      await t.close();
    }
  });

  it("transferred buffers move to the worker", async () => {
    const t = start();
    try {
      const buf = new ArrayBuffer(64);
      expect(await t.call({ op: "size", buf }, [buf])).toEqual({ v: 64 });
      expect(buf.byteLength).toBe(0);
    } finally {
      await t.close();
    }
  });

  it("a worker that throws rejects the waiting calls and every later one with its error", async () => {
    const t = start();
    try {
      const waiting = [t.call({ op: "hold", v: 1 }), t.call({ op: "hold", v: 2 }), t.call({ op: "throw" })];
      for (const w of waiting) await expect(w).rejects.toThrow("boom in the worker");
      // the exit that follows the error does not replace it
      await new Promise((r) => setTimeout(r, 50));
      await expect(t.call({ op: "flush" })).rejects.toThrow("boom in the worker");
    } finally {
      await t.close();
    }
  });

  it("a worker that exits rejects the waiting calls and every later one, naming the thread and the code", async () => {
    const t = start();
    try {
      const waiting = [t.call({ op: "hold", v: 1 }), t.call({ op: "exit", code: 3 })];
      for (const w of waiting) await expect(w).rejects.toThrow("test thread exited with code 3");
      await expect(t.call({ op: "flush" })).rejects.toThrow("test thread exited with code 3");
    } finally {
      await t.close();
    }
  });

  it("close rejects a call still waiting and any later one", async () => {
    const t = start();
    const waiting = t.call({ op: "hold", v: 1 });
    await t.close();
    await expect(waiting).rejects.toThrow("test thread closed");
    await expect(t.call({ op: "flush" })).rejects.toThrow("test thread closed");
  });
});
