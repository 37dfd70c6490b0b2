/**
 * Output formats for trainers. Each turns one built example into one JSONL line:
 * - trl:     {"prompt", "completion"} — TRL's SFTTrainer prompt-completion type (loss on the completion).
 * - openai:  {"messages": [...]} — OpenAI chat fine-tuning; demos are earlier user/assistant turns
 *            whose assistant messages carry "weight": 0, the last assistant message is the gold output.
 * - axolotl: {"segments": [...]} — axolotl's input_output type; label false on the prompt (no loss).
 * - jsonl:   the trl pair plus the query, the number of demos and the source index, for other tools.
 */
import type { BuiltExample } from "./construct.js";

export const FORMATS = ["trl", "openai", "axolotl", "jsonl"] as const;
export type OutputFormat = (typeof FORMATS)[number];

export function isFormat(s: string): s is OutputFormat {
  return (FORMATS as readonly string[]).includes(s);
}

export function formatExample(format: OutputFormat, ex: BuiltExample, index: number): string {
  switch (format) {
    case "trl":
      return JSON.stringify({ prompt: ex.prompt, completion: ex.completion });
    case "openai": {
      const messages: Array<{ role: string; content: string; weight?: number }> = [];
      for (const d of ex.demos) {
        messages.push({ role: "user", content: d.prompt });
        messages.push({ role: "assistant", content: d.completion, weight: 0 });
      }
      messages.push({ role: "user", content: ex.query });
      messages.push({ role: "assistant", content: ex.completion, weight: 1 });
      return JSON.stringify({ messages });
    }
    case "axolotl":
      return JSON.stringify({
        segments: [
          { label: false, text: ex.prompt },
          { label: true, text: ex.completion },
        ],
      });
    case "jsonl":
      return JSON.stringify({ prompt: ex.prompt, completion: ex.completion, query: ex.query, k: ex.demos.length, source_index: index });
  }
}
