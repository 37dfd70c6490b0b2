/** `tune eval`'s last step: the HTML report (report/tune-report.ts), when one was asked for. */
import { writeTuneReport } from "../../report/tune-report.js";
import type { EvalResult } from "./eval.js";

export async function writeReport(o: { report?: string; log?: (m: string) => void }, result: EvalResult): Promise<string | undefined> {
  if (!o.report) return undefined;
  await writeTuneReport(o.report, result);
  o.log?.(`report: ${o.report}`);
  return o.report;
}
