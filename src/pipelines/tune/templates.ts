/**
 * The prompt templates of Yang et al. 2024 (data/prompt_map.json of LHRYANG/Generalization_of_FT-LLM):
 * map 0 trains and evaluates, map 1 is the alternative wording the paper uses to test prompt
 * robustness. The label follows the template's last colon with no space ("### Summary:" + output),
 * exactly as the paper's training and evaluation code concatenates them.
 *
 * Templates use Python's str.format_map syntax, which the paper calls: `{field}` is replaced by the
 * record's field, `{{` and `}}` are literal braces.
 */
import { usageError } from "../../util/errors.js";

export const TASKS = ["summary", "question", "sentiment", "inference", "detection"] as const;
export type TaskName = (typeof TASKS)[number];

export const PROMPT_MAPS: ReadonlyArray<Readonly<Record<TaskName, string>>> = [
  {
    summary: "### Input:\n{input}\n### Summary:",
    question: "### Input:\n{input}\n### Answer:\n{answer}\n### Question:",
    sentiment: "### Input:\n{input}\n### Sentiment:",
    inference: "### Input_1:\n{input_1}\n### Input_2:\n{input_2}\n### Inference:",
    detection: "### Input_1:\n{input_1}\n### Input_2:\n{input_2}\n### Paraphrase Classification:",
  },
  {
    summary: "Please read the following text:{input}\nProvide a summary:",
    question: "Given the context:{input}\nAnd the answer:{answer}\nGenerate a suitable question:",
    sentiment: "Analyze the sentiment of the following text:{input}\nSentiment:",
    inference: "Consider the following texts: Text 1:{input_1}\nText 2:{input_2}\nThe relation is ",
    detection: "Let's compare the two sentences: Sentence_1:{input_1}\nSentence_2:{input_2}\nAre they paraphrasing?:",
  },
];

/** Generation tasks are scored with ROUGE-L, classification tasks by accuracy over a label set. */
export const TASK_KIND: Readonly<Record<TaskName, "generation" | "classification">> = {
  summary: "generation",
  question: "generation",
  sentiment: "classification",
  inference: "classification",
  detection: "classification",
};

/** The label words the paper's evaluation compares (its target_ids: positive/negative, entailment/neutral/contradiction, yes/no). */
export const TASK_LABELS: Readonly<Partial<Record<TaskName, readonly string[]>>> = {
  sentiment: ["positive", "negative"],
  inference: ["entailment", "neutral", "contradiction"],
  detection: ["yes", "no"],
};

export function isTask(s: string): s is TaskName {
  return (TASKS as readonly string[]).includes(s);
}

/** A template parsed once: literal pieces and field names alternate (pieces.length = fields.length + 1). */
export interface Template {
  source: string;
  pieces: string[];
  fields: string[];
}

/** Parses `{field}` placeholders with str.format's `{{`/`}}` escapes; rejects what format_map would reject. */
export function parseTemplate(source: string): Template {
  const pieces: string[] = [];
  const fields: string[] = [];
  let lit = "";
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "{") {
      if (source[i + 1] === "{") {
        lit += "{";
        i++;
        continue;
      }
      const close = source.indexOf("}", i + 1);
      if (close < 0) throw usageError(`template: unmatched '{' at position ${i}`);
      const name = source.slice(i + 1, close);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw usageError(`template: '{${name}}' is not a field name (write {field}; literal braces are {{ and }})`);
      pieces.push(lit);
      fields.push(name);
      lit = "";
      i = close;
    } else if (c === "}") {
      if (source[i + 1] !== "}") throw usageError(`template: single '}' at position ${i} (a literal brace is written }})`);
      lit += "}";
      i++;
    } else lit += c;
  }
  pieces.push(lit);
  return { source, pieces, fields };
}

/** template.format_map(record) for string fields (the caller has checked that every field is present). */
export function renderTemplate(t: Template, record: Readonly<Record<string, string>>): string {
  let out = t.pieces[0];
  for (let i = 0; i < t.fields.length; i++) out += record[t.fields[i]] + t.pieces[i + 1];
  return out;
}

/** The built-in template of a task in map 0 (train/eval) or map 1 (robustness wording). */
export function taskTemplate(task: TaskName, map: 0 | 1 = 0): Template {
  return parseTemplate(PROMPT_MAPS[map][task]);
}
