/** predict's last step: the HTML report (report/predict-report.ts), when one was asked for. */
import { writePredictReport, type PredictReportInput } from "../../report/predict-report.js";
import type { ResolvedPredictOptions } from "./options.js";

export async function writeReport(o: ResolvedPredictOptions, input: PredictReportInput): Promise<string | undefined> {
  if (!o.report) return undefined;
  await writePredictReport(o.report, input);
  o.log(`report: ${o.report}`);
  return o.report;
}
