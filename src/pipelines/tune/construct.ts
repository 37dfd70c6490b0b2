/**
 * The paper's FT / FTICL construction (Yang et al. 2024, train.py and evaluate_cross.py):
 *   context    = Σ over the first k demos of template(d) + d.output + "\n\n"
 *   prompt     = context + template(x)
 *   completion = x.output          (the trainer appends EOS; loss on the completion only)
 * k = 0 gives plain fine-tuning (FT). The same context prefixes every example.
 */
import { renderTemplate, type Template } from "./templates.js";
import type { TuneItem } from "./read.js";

export interface Turn {
  prompt: string;
  completion: string;
}

export interface BuiltExample {
  prompt: string;
  completion: string;
  /** The demos as separate (prompt, completion) turns, for chat formats. */
  demos: Turn[];
  /** template(x) without the context. */
  query: string;
}

/** The shared in-context prefix from the first k demos. */
export function demoContext(template: Template, demos: readonly TuneItem[], k: number): { context: string; turns: Turn[] } {
  let context = "";
  const turns: Turn[] = [];
  for (let i = 0; i < k && i < demos.length; i++) {
    const d = demos[i];
    const p = renderTemplate(template, d.fields);
    context += p + d.output + "\n\n";
    turns.push({ prompt: p, completion: d.output });
  }
  return { context, turns };
}

export function buildExample(template: Template, x: TuneItem, context: { context: string; turns: Turn[] }): BuiltExample {
  const query = renderTemplate(template, x.fields);
  return { prompt: context.context + query, completion: x.output, demos: context.turns, query };
}
