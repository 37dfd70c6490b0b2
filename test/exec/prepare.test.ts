/**
 * The preparation shared by array-job ranks (src/exec/prepare.ts): a waiting rank starts its
 * own work only once rank 0's is recorded, and prepares itself when rank 0 shows no heartbeat.
 */
import { describe, expect, it } from "vitest";
import { LocalStorage } from "../../src/io/storage.js";
import { prepareAfterFirst, prepareFirst } from "../../src/exec/prepare.js";
import { tmp } from "./files.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const timing = { heartbeatMs: 50, staleMs: 400, pollMs: 20 };

describe("shared preparation of an array job", () => {
  it("a rank that starts first waits for rank 0's preparation, then runs after it", async () => {
    const storage = new LocalStorage(tmp("dt-prep-"));
    const events: string[] = [];
    const logs: string[] = [];
    const other = prepareAfterFirst(storage, "k1", async () => (events.push("rank 1 work"), 1), (m) => logs.push(m), timing);
    await sleep(100); // rank 1 is already waiting when rank 0 starts
    const first = prepareFirst(storage, "k1", async () => {
      events.push("rank 0 start");
      await sleep(600); // longer than staleMs: the heartbeat keeps rank 1 waiting
      events.push("rank 0 done");
      return 0;
    }, timing);
    expect(await Promise.all([first, other])).toEqual([0, 1]);
    expect(events).toEqual(["rank 0 start", "rank 0 done", "rank 1 work"]);
    expect(logs[0]).toBe("waiting for rank 0 to draw the sample and train the model");
    expect(logs.at(-1)).toMatch(/^rank 0's preparation ready after \d+\.\d s$/);

    // a rerun with the same key does not wait; one with another key does
    const again: string[] = [];
    await prepareAfterFirst(storage, "k1", async () => again.push("ran"), (m) => again.push(m), timing);
    expect(again).toEqual(["ran"]);
  });

  it("prepares itself when rank 0 shows no heartbeat", async () => {
    const storage = new LocalStorage(tmp("dt-prep-"));
    const logs: string[] = [];
    const t0 = Date.now();
    const v = await prepareAfterFirst(storage, "k2", async () => "mine", (m) => logs.push(m), timing);
    expect(v).toBe("mine");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(logs).toContain("rank 0 is not preparing (no heartbeat for 0.4 s): preparing here");
  });
});
