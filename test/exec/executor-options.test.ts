import { describe, expect, it } from "vitest";
import { Command } from "commander";
import { addExecutorOptions, buildExecutor, type ExecutorCliOptions } from "../../src/cli/executor-options.js";
import { LocalExecutor } from "../../src/exec/local.js";
import { QueueExecutor } from "../../src/exec/queue.js";
import { RankExecutor } from "../../src/exec/rank.js";

function parse(args: string[]): ExecutorCliOptions {
  const cmd = addExecutorOptions(new Command("x").exitOverride().configureOutput({ writeErr: () => {} }));
  cmd.parse(args, { from: "user" });
  return cmd.opts<ExecutorCliOptions>();
}

describe("executor CLI options", () => {
  it("defaults to the local executor", () => {
    const o = parse([]);
    expect(o.executor).toBe("local");
    const e = buildExecutor(o);
    expect(e).toBeInstanceOf(LocalExecutor);
    expect((e as LocalExecutor).workers).toBe(1);
    expect((buildExecutor(parse(["--workers", "3"])) as LocalExecutor).workers).toBe(3);
  });

  it("builds queue and rank executors", () => {
    expect(buildExecutor(parse(["--executor", "queue", "--redis", "redis://127.0.0.1:6379", "--workers", "0"]))).toBeInstanceOf(QueueExecutor);
    const logs: string[] = [];
    const r = buildExecutor(parse(["--executor", "rank", "--rank", "1", "--world", "3"]), { log: (m) => logs.push(m) }) as RankExecutor;
    expect(r).toBeInstanceOf(RankExecutor);
    expect(r.rw).toEqual({ rank: 1, world: 3, source: "flags" });
    expect(logs).toEqual(["rank 1 of 3 (from flags)"]);
  });

  it("rejects inconsistent combinations with usage errors (exit code 2)", () => {
    const bad: Array<[string[], RegExp]> = [
      [["--executor", "queue"], /needs --redis/],
      [["--executor", "queue", "--redis", "http://x"], /redis:\/\//],
      [["--redis", "redis://h:1"], /only applies to --executor queue/],
      [["--rank", "0", "--world", "2"], /only apply to --executor rank/],
      [["--workers", "0"], /only makes sense with --executor queue/],
      [["--executor", "rank", "--rank", "2", "--world", "2"], /\[0, 1\]/],
    ];
    for (const [args, re] of bad) {
      let err: unknown;
      try {
        buildExecutor(parse(args));
      } catch (e) {
        err = e;
      }
      expect(String(err), args.join(" ")).toMatch(re);
      expect((err as { exitCode?: number }).exitCode).toBe(2);
    }
    expect(() => parse(["--executor", "cloud"])).toThrow();
  });
});
