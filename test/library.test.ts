// The package's public entry point: what `import ... from "datatailor"` gives a user, exercised
// end to end (not just "is a function"): a fastText round trip, a law fit, a filter rate.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as dt from "../src/index.js";

describe("library entry point", () => {
  it("exposes each command's API", () => {
    for (const name of ["runSelect", "runFit", "loadModelDb", "buildPredictor", "predictCard", "FastText", "createEmbedder", "loadTargets", "readRecords", "openRecordWriter", "discoverShards", "LocalExecutor", "QueueExecutor", "RankExecutor", "mergeShards", "fitLaw", "optimalAllocation", "optimalFilterRate"]) {
      expect(typeof (dt as Record<string, unknown>)[name], name).toBe("function");
    }
  });

  it("trains, saves and reloads a fastText model with the same predictions", async () => {
    const rows: { labels: string[]; text: string }[] = [];
    for (let i = 0; i < 200; i++) {
      rows.push({ labels: ["__label__math"], text: `solve the equation ${i} plus x equals ${i + 3}` });
      rows.push({ labels: ["__label__cook"], text: `bake the bread for ${i % 40} minutes with salt and flour` });
    }
    const ft = await dt.FastText.train({ lr: 0.5, epoch: 5, wordNgrams: 2, thread: 1, seed: 3, minCount: 1, bucket: 20000 }, rows);
    const file = path.join(mkdtempSync(path.join(tmpdir(), "dt-lib-")), "m.bin");
    await ft.saveFile(file);
    const back = await dt.FastText.loadFile(file);
    const line = "how long to bake bread with flour";
    expect(back.predict(line, 1)[0]!.label).toBe("__label__cook");
    expect(back.predict(line, 2)).toEqual(ft.predict(line, 2));
  });

  it("recovers a power law and computes BETR's filter rate", () => {
    const x = Float64Array.from([1e6, 3e6, 1e7, 3e7, 1e8, 3e8, 1e9]);
    const y = x.map((v) => 1.7 + 400 / v ** 0.3);
    const fit = dt.fitLaw(dt.resolveLaw("power", ["x"]), { x: [x], y });
    expect(fit.params.E).toBeCloseTo(1.7, 2);
    expect(fit.params.alpha).toBeCloseTo(0.3, 2);
    // Nemotron-CC: 4e-5 * C^0.25 percent of tokens; at C = 1e22 that is 12.65%.
    expect(dt.optimalFilterRate(1e22, "nemotron-cc").percent).toBeCloseTo(4e-5 * 1e22 ** 0.25, 6);
  });
});
