/**
 * The two bulk jobs of a fit, written so a worker thread and the main thread run the same
 * code: many starts on one data set, and bootstrap refits over a range of resample indices.
 * Resample b draws from its own generator seeded by (seed, b), so results do not depend on
 * how the range is split across threads.
 */
import { resolveLaw } from "../../models/laws/registry.js";
import { LawObjective, fitFromStarts, type StartRun } from "../../models/laws/fit.js";
import { Rng } from "../../models/stats/rng.js";
import { distinctDrawn, resampleWeights } from "../../models/stats/bootstrap.js";
import { minPoints } from "../../models/laws/validate.js";

export interface LawRef {
  spec: string;
  inputs: string[];
}

export interface TaskData {
  law: LawRef;
  x: Float64Array[];
  y: Float64Array;
  delta: number;
}

export interface StartsResult {
  /** Per start: objective, converged (1/0), then dim θ values. */
  objective: Float64Array;
  converged: Uint8Array;
  theta: Float64Array;
}

export function runStarts(task: TaskData, starts: Float64Array[], onDone?: (k: number) => void): StartsResult {
  const law = resolveLaw(task.law.spec, task.law.inputs);
  const obj = new LawObjective(law, { x: task.x, y: task.y }, task.delta);
  const objective = new Float64Array(starts.length);
  const converged = new Uint8Array(starts.length);
  const theta = new Float64Array(starts.length * law.dim);
  fitFromStarts(obj, starts, {
    onRun: (r: StartRun) => {
      objective[r.start] = Number.isFinite(r.objective) ? r.objective : Infinity;
      converged[r.start] = r.converged ? 1 : 0;
      theta.set(r.theta, r.start * law.dim);
      onDone?.(1);
    },
  });
  return { objective, converged, theta };
}

export interface BootstrapResult {
  from: number;
  /** Per resample: dim θ values (NaN when the resample was degenerate or no start was finite). */
  theta: Float64Array;
  objective: Float64Array;
  converged: Uint8Array;
}

/** Stream b's generator: splitmix inside Rng decorrelates the xor-combined seeds. */
export function resampleRng(seed: number, b: number): Rng {
  return new Rng((Math.imul(seed >>> 0, 0x9e3779b1) ^ b) >>> 0);
}

export function runBootstrap(task: TaskData, starts: Float64Array[], seed: number, from: number, to: number, onDone?: (k: number) => void): BootstrapResult {
  const law = resolveLaw(task.law.spec, task.law.inputs);
  const obj = new LawObjective(law, { x: task.x, y: task.y }, task.delta);
  const n = task.y.length;
  const weights = new Float64Array(n);
  obj.weights = weights;
  const count = to - from;
  const theta = new Float64Array(count * law.dim).fill(NaN);
  const objective = new Float64Array(count).fill(NaN);
  const converged = new Uint8Array(count);
  const need = minPoints(law);
  for (let b = from; b < to; b++) {
    resampleWeights(resampleRng(seed, b), weights);
    if (distinctDrawn(weights) >= need) {
      try {
        const fit = fitFromStarts(obj, starts);
        theta.set(fit.theta, (b - from) * law.dim);
        objective[b - from] = fit.objective;
        converged[b - from] = fit.converged ? 1 : 0;
      } catch {
        // No finite start on this resample: left as NaN and counted by the caller.
      }
    }
    onDone?.(1);
  }
  return { from, theta, objective, converged };
}
