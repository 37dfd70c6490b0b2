/**
 * `tune score`: ROUGE-L (rouge_score, no stemming) of predictions made elsewhere, and accuracy
 * when records carry a gold `label`. A prediction counts as the label when its ROUGE tokens
 * start with the label's tokens ("Positive." and "positive, clearly" both match "positive").
 */
import { BadInputLog, type BadInputSummary } from "../../io/bad-input.js";
import { readRecords } from "../../io/read.js";
import { UserError } from "../../util/errors.js";
import { rougeLTokens, rougeTokens } from "../../models/rouge/index.js";
import path from "node:path";

export interface ScoreSummary {
  file: string;
  n: number;
  rougeL: number;
  precision: number;
  recall: number;
  /** Present when at least one record has a label. */
  accuracy?: number;
  labelled?: number;
  badInput: BadInputSummary;
}

/** True when the prediction's tokens begin with the label's tokens (both as rouge_score tokenizes). */
export function matchesLabel(prediction: string, label: string): boolean {
  const p = rougeTokens(prediction);
  const l = rougeTokens(label);
  if (l.length === 0 || p.length < l.length) return false;
  for (let i = 0; i < l.length; i++) if (p[i] !== l[i]) return false;
  return true;
}

export async function scorePredictions(file: string, opts: { strict?: boolean } = {}): Promise<ScoreSummary> {
  const bad = new BadInputLog({ strict: opts.strict });
  const rel = path.basename(file);
  let n = 0;
  let f = 0;
  let p = 0;
  let r = 0;
  let labelled = 0;
  let correct = 0;
  for await (const rec of readRecords(file, { bad, textField: "prediction", raw: false, rel })) {
    const ref = rec.fields.reference;
    if (typeof ref !== "string") {
      bad.add(rel, rec.line, ref === undefined ? "missing_reference" : "reference_not_string", ref === undefined ? 'no "reference" field' : '"reference" is not a string', path.resolve(file));
      continue;
    }
    const label = rec.fields.label;
    const hasLabel = label !== undefined && label !== null;
    if (hasLabel && typeof label !== "string" && typeof label !== "number") {
      bad.add(rel, rec.line, "label_not_string", '"label" is not a string', path.resolve(file));
      continue;
    }
    const s = rougeLTokens(rougeTokens(ref), rougeTokens(rec.text));
    n++;
    f += s.fmeasure;
    p += s.precision;
    r += s.recall;
    if (hasLabel) {
      labelled++;
      if (matchesLabel(rec.text, String(label))) correct++;
    }
  }
  if (n === 0) throw new UserError(`${file}: no scorable records (each line needs "prediction" and "reference")`);
  const out: ScoreSummary = { file: path.resolve(file), n, rougeL: f / n, precision: p / n, recall: r / n, badInput: bad.toJSON() };
  if (labelled > 0) Object.assign(out, { accuracy: correct / labelled, labelled });
  return out;
}
