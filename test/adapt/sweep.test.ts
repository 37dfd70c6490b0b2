/**
 * adapt sweep: a manifest without models gives similarity per domain under the documented default
 * thresholds (and says calibration needs Δperplexity); bad manifests fail naming the line.
 */
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runCli } from "../helpers/cli.js";
import { parseManifest } from "../../src/pipelines/adapt/sweep.js";
import { plantedShift, tmpDir } from "./fixtures.js";

describe("adapt sweep", () => {
  it("similarity for every domain, default thresholds when no models are given", async () => {
    const dir = tmpDir();
    const f = plantedShift(dir, 120);
    const manifest = path.join(dir, "domains.csv");
    writeFileSync(manifest, `domain,data,test\nsame,same.jsonl,\nfar,far.jsonl,\n`);
    const r = await runCli(["adapt", "sweep", "--manifest", manifest, "--reference", f.reference, "--permutations", "49", "--json", "--report", path.join(dir, "sweep.html")]);
    if (r.code !== 0) throw new Error(r.stderr);
    const j = JSON.parse(r.stdout) as { domains: Array<{ domain: string; risk: string; similarity: { mmd2: number; coverage: number }; deltaPerplexity?: number }>; thresholds: { source: string; note: string }; correlations: unknown[] };
    expect(j.domains.map((d) => d.domain)).toEqual(["same", "far"]);
    expect(j.domains[1].similarity.mmd2).toBeGreaterThan(j.domains[0].similarity.mmd2);
    expect(j.domains[1].similarity.coverage).toBeLessThan(j.domains[0].similarity.coverage);
    expect(j.domains.every((d) => d.deltaPerplexity === undefined)).toBe(true);
    expect(j.thresholds.source).toBe("default");
    expect(j.correlations).toEqual([]);
    expect(j.domains[0].risk).toBe("high");
    expect(j.domains[1].risk).toBe("low");
    // the sweep's last step writes its one report (no per-domain similarity reports)
    expect(readFileSync(path.join(dir, "sweep.html"), "utf8")).toContain(`sweep of 2 domains from ${manifest}`);
    expect(r.stderr.match(/^report: /gm)).toHaveLength(1);
  });

  it("refuses bad manifests, naming the line", () => {
    const t = (rows: Array<Record<string, string | null>>, columns = ["domain", "data", "test", "base", "adapted"]) => ({ source: "m.csv", columns, rows });
    expect(() => parseManifest(t([{ domain: "a", data: "x.jsonl", test: null, base: "ngram:b.arpa", adapted: null }]), "/d")).toThrow(/m\.csv line 2: give both base and adapted/);
    expect(() => parseManifest(t([{ domain: "a", data: "x.jsonl", test: null, base: "ngram:b.arpa", adapted: "ngram:c.arpa" }]), "/d")).toThrow(/line 2: models need a test split/);
    expect(() => parseManifest(t([{ domain: "a", data: "x", test: null, base: null, adapted: null }, { domain: "a", data: "y", test: null, base: null, adapted: null }]), "/d")).toThrow(/line 3: domain "a" appears twice/);
    expect(() => parseManifest(t([{ name: "a" }], ["name"]), "/d")).toThrow(/needs a domain column and a data column/);
    const ok = parseManifest(t([{ domain: "a", data: "x.jsonl", test: "t.txt", base: "ngram:m/b.arpa", adapted: "openai:http://h/v1#m" }]), "/d");
    expect(ok[0]).toMatchObject({ data: "/d/x.jsonl", test: "/d/t.txt", base: "ngram:/d/m/b.arpa", adapted: "openai:http://h/v1#m" });
  });
});
