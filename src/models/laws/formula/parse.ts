/**
 * A small, safe expression language for user-supplied laws ("E + A/x^alpha"): numbers,
 * identifiers (`quoted` when they contain spaces), + − * / ^ (or **), parentheses and a fixed
 * set of functions. It builds a syntax
 * tree and never evaluates text as code (no eval, no Function).
 */
export type Node =
  | { kind: "num"; value: number }
  | { kind: "id"; name: string }
  | { kind: "unary"; op: "-"; arg: Node }
  | { kind: "bin"; op: "+" | "-" | "*" | "/" | "^"; left: Node; right: Node }
  | { kind: "call"; fn: FunctionName; args: Node[] };

export const FUNCTIONS = { exp: 1, log: 1, ln: 1, log10: 1, log2: 1, sqrt: 1, pow: 2 } as const;
export type FunctionName = keyof typeof FUNCTIONS;

export class FormulaError extends Error {
  constructor(message: string, readonly position: number) {
    super(message);
    this.name = "FormulaError";
  }
}

interface Token {
  type: "num" | "id" | "op" | "end";
  text: string;
  pos: number;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ type: "num", text: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      out.push({ type: "id", text: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    if (c === "`") {
      // Quoted identifier, for column names with spaces: `Training FLOP`.
      const end = src.indexOf("`", i + 1);
      if (end < 0) throw new FormulaError(`unterminated \` at position ${i + 1}`, i);
      if (end === i + 1) throw new FormulaError(`empty quoted name at position ${i + 1}`, i);
      out.push({ type: "id", text: src.slice(i + 1, end), pos: i });
      i = end + 1;
      continue;
    }
    if (src.startsWith("**", i)) {
      out.push({ type: "op", text: "^", pos: i });
      i += 2;
      continue;
    }
    if ("+-*/^(),".includes(c)) {
      out.push({ type: "op", text: c, pos: i });
      i++;
      continue;
    }
    throw new FormulaError(`unexpected character '${c}' at position ${i + 1}`, i);
  }
  out.push({ type: "end", text: "", pos: src.length });
  return out;
}

/** Parses a formula; `y = ...` or `L(N, D) = ...` prefixes are accepted and ignored. */
export function parseFormula(source: string): Node {
  const eq = source.indexOf("=");
  const body = eq >= 0 ? source.slice(eq + 1) : source;
  const offset = eq >= 0 ? eq + 1 : 0;
  const toks = tokenize(body);
  let k = 0;
  const peek = () => toks[k];
  const fail = (msg: string, t = peek()): never => {
    throw new FormulaError(`${msg} at position ${t.pos + offset + 1}`, t.pos + offset);
  };
  const expect = (text: string) => {
    if (peek().text !== text || peek().type !== "op") fail(`expected '${text}'${peek().type === "end" ? " before the end" : ` but found '${peek().text}'`}`);
    k++;
  };

  function expr(): Node {
    let left = term();
    while (peek().type === "op" && (peek().text === "+" || peek().text === "-")) {
      const op = toks[k++].text as "+" | "-";
      left = { kind: "bin", op, left, right: term() };
    }
    return left;
  }
  function term(): Node {
    let left = unary();
    while (peek().type === "op" && (peek().text === "*" || peek().text === "/")) {
      const op = toks[k++].text as "*" | "/";
      left = { kind: "bin", op, left, right: unary() };
    }
    return left;
  }
  function unary(): Node {
    if (peek().type === "op" && (peek().text === "-" || peek().text === "+")) {
      const op = toks[k++].text;
      const arg = unary();
      return op === "-" ? { kind: "unary", op: "-", arg } : arg;
    }
    return power();
  }
  function power(): Node {
    const base = primary();
    if (peek().type === "op" && peek().text === "^") {
      k++;
      // Right-associative, and binds tighter than unary minus on its left: -x^2 = -(x^2).
      return { kind: "bin", op: "^", left: base, right: unary() };
    }
    return base;
  }
  function primary(): Node {
    const t = peek();
    if (t.type === "num") {
      k++;
      return { kind: "num", value: Number(t.text) };
    }
    if (t.type === "id") {
      k++;
      if (peek().type === "op" && peek().text === "(") {
        if (!(t.text in FUNCTIONS)) fail(`unknown function '${t.text}' (known: ${Object.keys(FUNCTIONS).join(", ")})`, t);
        k++;
        const args = [expr()];
        while (peek().type === "op" && peek().text === ",") {
          k++;
          args.push(expr());
        }
        expect(")");
        const fn = t.text as FunctionName;
        if (args.length !== FUNCTIONS[fn]) fail(`${fn}() takes ${FUNCTIONS[fn]} argument(s), got ${args.length}`, t);
        return { kind: "call", fn, args };
      }
      if (t.text in FUNCTIONS) fail(`'${t.text}' is a function; write ${t.text}(...)`, t);
      return { kind: "id", name: t.text };
    }
    if (t.type === "op" && t.text === "(") {
      k++;
      const e = expr();
      expect(")");
      return e;
    }
    return fail(t.type === "end" ? "formula ends unexpectedly" : `unexpected '${t.text}'`);
  }

  if (peek().type === "end") fail("empty formula");
  const tree = expr();
  if (peek().type !== "end") fail(`unexpected '${peek().text}'`);
  return tree;
}

/** Identifiers in order of first appearance. */
export function identifiers(node: Node, out: string[] = []): string[] {
  switch (node.kind) {
    case "id":
      if (!out.includes(node.name)) out.push(node.name);
      break;
    case "unary":
      identifiers(node.arg, out);
      break;
    case "bin":
      identifiers(node.left, out);
      identifiers(node.right, out);
      break;
    case "call":
      for (const a of node.args) identifiers(a, out);
      break;
  }
  return out;
}
