/**
 * Benchmark file shapes. Each target example becomes one text: the question (and any context
 * such as a passage or SciQ's `support`) followed by the correct answer; wrong options are
 * left out, as in BETR (Mizrahi et al. 2025). A file's shape is detected from its first record.
 */
export type Rec = Record<string, unknown>;

export interface Shape {
  name: string;
  /** One line for the "supported shapes" error message. */
  fields: string;
  detect(r: Rec): boolean;
  /** Returns the example text, or a reason string prefixed with "!" when the record does not fit. */
  format(r: Rec): string;
}

const str = (v: unknown): v is string => typeof v === "string";
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const has = (r: Rec, ...keys: string[]) => keys.every((k) => k in r);

/** Joins the non-empty parts with newlines; a part ending in ":" (a prompt like "Answer:") continues on the same line. */
function join(...parts: Array<unknown>): string {
  let out = "";
  for (const p of parts) {
    if (typeof p !== "string") continue;
    const t = p.trim();
    if (!t) continue;
    out = out === "" ? t : out + (out.endsWith(":") ? " " : "\n") + t;
  }
  return out;
}

/** Index of a gold answer given as number, numeric string ("1"-based when `oneBased`) or letter. */
function goldIndex(v: unknown, n: number, oneBased: boolean): number {
  let i = -1;
  if (isNum(v)) i = oneBased ? v - 1 : v;
  else if (str(v) && /^\d+$/.test(v.trim())) i = Number(v.trim()) - (oneBased ? 1 : 0);
  else if (str(v) && /^[A-Za-z]$/.test(v.trim())) i = v.trim().toUpperCase().charCodeAt(0) - 65;
  return i >= 0 && i < n ? i : -1;
}

const bad = (why: string) => "!" + why;

function pick(choices: unknown, gold: unknown, oneBased = false): string {
  if (!Array.isArray(choices)) return bad("choices is not an array");
  const i = goldIndex(gold, choices.length, oneBased);
  if (i < 0) return bad(`gold answer ${JSON.stringify(gold)} is not an index into ${choices.length} choices`);
  const c = choices[i];
  return str(c) ? c : bad("chosen answer is not a string");
}

/** Order matters: the first shape whose `detect` accepts the first record wins. */
export const SHAPES: Shape[] = [
  {
    name: "text",
    fields: '{"text"} (your own examples)',
    detect: (r) => str(r.text),
    format: (r) => (str(r.text) ? r.text : bad("text is not a string")),
  },
  {
    name: "prompt-completion",
    fields: '{"prompt", "completion"}',
    detect: (r) => str(r.prompt) && str(r.completion),
    format: (r) => join(r.prompt, r.completion),
  },
  {
    name: "chat",
    fields: '{"messages": [{"role", "content"}]}',
    detect: (r) => Array.isArray(r.messages),
    format: (r) =>
      Array.isArray(r.messages)
        ? join(...r.messages.map((m) => (m && typeof m === "object" ? (m as Rec).content : undefined)))
        : bad("messages is not an array"),
  },
  {
    name: "olmes-mc",
    fields: '{"query", "choices": [..], "gold"} (OLMES oe_eval docs, llm-foundry multiple choice)',
    detect: (r) => str(r.query) && Array.isArray(r.choices) && "gold" in r,
    format: (r) => {
      const a = pick(r.choices, r.gold);
      // the query is a prompt ending in "Answer:"; the answer continues it
      return a.startsWith("!") ? a : `${(r.query as string).trim()} ${a.trim()}`;
    },
  },
  {
    name: "hf-arc",
    fields: '{"question" | "question_stem", "choices": {"text", "label"}, "answerKey"} (ARC, OpenBookQA, CommonsenseQA)',
    detect: (r) => (str(r.question) || str(r.question_stem)) && "answerKey" in r && !!r.choices && typeof r.choices === "object",
    format: (r) => {
      const ch = r.choices as Rec;
      if (!Array.isArray(ch.text) || !Array.isArray(ch.label)) return bad("choices must hold text and label arrays");
      const i = ch.label.indexOf(r.answerKey);
      if (i < 0 || !str(ch.text[i])) return bad(`answerKey ${JSON.stringify(r.answerKey)} is not among the labels`);
      return join(r.fact1, r.question ?? r.question_stem, ch.text[i]);
    },
  },
  {
    name: "mmlu",
    fields: '{"question", "choices": [..], "answer": index}',
    detect: (r) => str(r.question) && Array.isArray(r.choices) && isNum(r.answer),
    format: (r) => {
      const a = pick(r.choices, r.answer);
      return a.startsWith("!") ? a : join(r.question, a);
    },
  },
  {
    name: "boolq",
    fields: '{"passage", "question", "answer": true|false}',
    detect: (r) => str(r.passage) && str(r.question) && typeof r.answer === "boolean",
    format: (r) => join(r.passage, r.question, r.answer === true ? "yes" : "no"),
  },
  {
    name: "piqa",
    fields: '{"goal", "sol1", "sol2", "label"}',
    detect: (r) => str(r.goal) && has(r, "sol1", "sol2", "label"),
    format: (r) => {
      const a = pick([r.sol1, r.sol2], r.label);
      return a.startsWith("!") ? a : join(r.goal, a);
    },
  },
  {
    name: "sciq",
    fields: '{"question", "correct_answer", "support"}',
    detect: (r) => str(r.question) && str(r.correct_answer),
    format: (r) => join(r.support, r.question, r.correct_answer),
  },
  {
    name: "social-iqa",
    fields: '{"context", "question", "answerA", "answerB", "answerC", "label": "1".."3"}',
    detect: (r) => str(r.context) && str(r.question) && has(r, "answerA", "answerB", "label"),
    format: (r) => {
      const a = pick([r.answerA, r.answerB, r.answerC], r.label, true);
      return a.startsWith("!") ? a : join(r.context, r.question, a);
    },
  },
  {
    name: "winogrande",
    fields: '{"sentence" with "_", "option1", "option2", "answer": "1"|"2"}',
    detect: (r) => str(r.sentence) && has(r, "option1", "option2", "answer"),
    format: (r) => {
      const a = pick([r.option1, r.option2], r.answer, true);
      if (a.startsWith("!")) return a;
      const s = r.sentence as string;
      return s.includes("_") ? s.replace("_", a) : join(s, a);
    },
  },
  {
    name: "copa",
    fields: '{"premise", "choice1", "choice2", "question": "cause"|"effect", "label"}',
    detect: (r) => str(r.premise) && has(r, "choice1", "choice2", "label"),
    format: (r) => {
      const a = pick([r.choice1, r.choice2], r.label);
      if (a.startsWith("!")) return a;
      const premise = (r.premise as string).trim().replace(/[.!?]$/, "");
      const connective = r.question === "cause" ? "because" : "so";
      return `${premise} ${connective} ${a.charAt(0).toLowerCase()}${a.slice(1)}`;
    },
  },
  {
    name: "hellaswag",
    fields: '{"ctx", "endings": [..], "label"}',
    detect: (r) => str(r.ctx) && Array.isArray(r.endings),
    format: (r) => {
      const a = pick(r.endings, r.label);
      return a.startsWith("!") ? a : `${(r.ctx as string).trim()} ${a.trim()}`;
    },
  },
  {
    name: "agieval",
    fields: '{"passage", "question", "options": ["(A)..", ..] | null, "label" | "answer", "other": {"solution"}} (AGIEval)',
    detect: (r) => str(r.question) && "options" in r && "other" in r,
    format: (r) => {
      let answer: string;
      if (Array.isArray(r.options) && str(r.label)) {
        const a = pick(r.options, r.label);
        if (a.startsWith("!")) return a;
        answer = a.replace(/^\s*\([A-Z]\)\s*/, "");
      } else if (str(r.answer)) answer = r.answer;
      else return bad("needs options with a letter label, or an answer");
      const other = r.other && typeof r.other === "object" ? (r.other as Rec).solution : undefined;
      return join(r.passage, r.question, answer, other);
    },
  },
  {
    name: "gsm8k",
    fields: '{"question", "answer": "<reasoning> #### <number>"}',
    detect: (r) => str(r.question) && str(r.answer) && !("context" in r),
    format: (r) => join(r.question, r.answer),
  },
  {
    name: "qa-aliases",
    fields: '{"question", "answer": [..]} (NQ-open)',
    detect: (r) => str(r.question) && Array.isArray(r.answer),
    format: (r) => {
      const a = (r.answer as unknown[])[0];
      return str(a) ? join(r.question, a) : bad("answer list is empty");
    },
  },
  {
    name: "sentence",
    fields: '{"sentence", "label"} (SST-2: the sentence itself)',
    detect: (r) => str(r.sentence) && !("option1" in r),
    format: (r) => (r.sentence as string).trim(),
  },
  {
    name: "icl-schema",
    fields: '{"context_options": [..], "continuation", "gold"} (llm-foundry schema)',
    detect: (r) => Array.isArray(r.context_options) && str(r.continuation),
    format: (r) => {
      const a = pick(r.context_options, r.gold);
      return a.startsWith("!") ? a : `${a.trim()} ${(r.continuation as string).trim()}`;
    },
  },
  {
    name: "icl-lm",
    fields: '{"context", "continuation"} (llm-foundry language modelling: LAMBADA, Jeopardy)',
    detect: (r) => str(r.context) && str(r.continuation),
    format: (r) => `${(r.context as string).trim()} ${(r.continuation as string).trim()}`,
  },
  {
    name: "icl-qa",
    fields: '{"context", "answer", "chain_of_thought"?} (llm-foundry QA: TriviaQA, MATH, SVAMP)',
    detect: (r) => str(r.context) && (str(r.answer) || typeof r.answer === "number"),
    format: (r) => join(r.context, r.chain_of_thought, String(r.answer)),
  },
];

export function detectShape(r: Rec): Shape | undefined {
  return SHAPES.find((s) => s.detect(r));
}

export function supportedShapes(): string {
  return SHAPES.map((s) => `${s.name} ${s.fields}`).join("; ");
}
