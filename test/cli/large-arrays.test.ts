/**
 * Data-sized arrays never go through call arguments: `Math.min(...scores)` with 135,000 held-out
 * scores died with "Maximum call stack size exceeded" (and was reported as a usage error).
 * 1. A select run at 200,000 documents with 150,000 held out finishes (exit 0, counts reconcile).
 * 2. No source file spreads an array into the calls that take one argument per element.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ts from "typescript";
import { ROOT, runCli } from "../helpers/cli.js";
import { maxOf, minOf, pushAll, extent } from "../../src/util/array.js";

const WORDS = "river stone light paper number market question garden window music science history water energy planet letter travel animal winter summer".split(" ");

describe("data-sized arrays", () => {
  it("select --method dsir at 200,000 docs with --holdout 150000 finishes", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "dt-200k-"));
    let x = 12345;
    const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) % WORDS.length;
    const lines: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const w: string[] = [];
      for (let k = 0; k < 10; k++) w.push(WORDS[rnd()]!);
      lines.push(JSON.stringify({ id: `d${i}`, text: w.join(" ") }));
    }
    writeFileSync(path.join(dir, "corpus.jsonl"), lines.join("\n") + "\n");
    writeFileSync(path.join(dir, "target.jsonl"), Array.from({ length: 50 }, (_, i) => JSON.stringify({ text: `${WORDS[i % 5]} ${WORDS[(i + 1) % 5]} garden water music` })).join("\n") + "\n");
    const r = await runCli(["select", "--method", "dsir", "--target", path.join(dir, "target.jsonl"), "--corpus", path.join(dir, "corpus.jsonl"), "--out", path.join(dir, "out"),
      "--keep", "0.1", "--sample", "2000", "--holdout", "150000", "--workers", "1", "--no-report", "--json"]);
    expect(r.stderr).not.toMatch(/call stack/);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { read: number; kept: number; dropped: number; rejected: number; reconciled: boolean };
    expect(s.read).toBe(200_000);
    expect(s.kept + s.dropped + s.rejected).toBe(200_000);
    expect(s.reconciled).toBe(true);
  }, 300_000);

  it("the loop reductions agree with Math.min/max on small arrays and work on 10^6 elements", () => {
    const small = [3, -1, 7, 2];
    expect(minOf(small)).toBe(Math.min(...small));
    expect(maxOf(small)).toBe(Math.max(...small));
    expect(minOf([])).toBe(Math.min());
    expect(maxOf([1, NaN])).toBeNaN();
    expect(extent([NaN, 2, -5])).toEqual([-5, 2]);
    const big = Float64Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % 1_000_003);
    expect(() => Math.max(...big)).toThrow(RangeError); // why the helpers exist
    expect(maxOf(big)).toBe(big.reduce((a, b) => (b > a ? b : a), -Infinity));
    expect(pushAll([0], big).length).toBe(1_000_001);
  });

  it("no call in src/ spreads an array into Math.min/max, push, unshift, splice, fromCharCode or apply", () => {
    const risky = /^(Math\.(min|max)|.*\.(push|unshift|splice)|String\.fromCharCode|String\.fromCodePoint)$/;
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith(".ts")) {
          const sf = ts.createSourceFile(p, readFileSync(p, "utf8"), ts.ScriptTarget.ES2022, true);
          const visit = (n: ts.Node) => {
            if (ts.isCallExpression(n)) {
              const callee = n.expression.getText(sf);
              const spread = n.arguments.some((a) => ts.isSpreadElement(a));
              if ((spread && risky.test(callee)) || /\.apply$/.test(callee)) {
                found.push(`${path.relative(ROOT, p)}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1} ${n.getText(sf).slice(0, 60)}`);
              }
            }
            ts.forEachChild(n, visit);
          };
          visit(sf);
        }
      }
    };
    walk(path.join(ROOT, "src"));
    expect(found).toEqual([]);
  });
});
