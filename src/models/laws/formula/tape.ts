/**
 * Compiles a formula tree to a flat tape evaluated with forward-mode automatic differentiation:
 * every slot carries its value and its partial derivatives with respect to the parameters, so
 * one sweep per point gives the model value and its Jacobian row. Slots and gradients live in
 * preallocated Float64Arrays; nothing is allocated per point.
 */
import type { Node } from "./parse.js";

const enum Op {
  Const,
  Input,
  Param,
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Neg,
  Exp,
  Log,
  Log10,
  Log2,
  Sqrt,
}

export class Tape {
  private readonly ops: Int32Array;
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private readonly consts: Float64Array;
  /** Whether a slot's value depends on any parameter (otherwise its gradient is zero). */
  private readonly live: Uint8Array;
  private readonly val: Float64Array;
  private readonly grad: Float64Array;
  readonly size: number;

  constructor(
    tree: Node,
    readonly inputs: readonly string[],
    readonly params: readonly string[],
  ) {
    const ops: number[] = [];
    const A: number[] = [];
    const B: number[] = [];
    const C: number[] = [];
    const live: number[] = [];
    const emit = (op: Op, a: number, b: number, c: number, isLive: boolean): number => {
      ops.push(op);
      A.push(a);
      B.push(b);
      C.push(c);
      live.push(isLive ? 1 : 0);
      return ops.length - 1;
    };
    const visit = (n: Node): number => {
      switch (n.kind) {
        case "num":
          return emit(Op.Const, 0, 0, n.value, false);
        case "id": {
          const xi = inputs.indexOf(n.name);
          if (xi >= 0) return emit(Op.Input, xi, 0, 0, false);
          const pi = params.indexOf(n.name);
          if (pi < 0) throw new Error(`formula: unbound identifier '${n.name}'`);
          return emit(Op.Param, pi, 0, 0, true);
        }
        case "unary": {
          const a = visit(n.arg);
          return emit(Op.Neg, a, 0, 0, live[a] === 1);
        }
        case "bin": {
          const a = visit(n.left);
          const b = visit(n.right);
          const op = { "+": Op.Add, "-": Op.Sub, "*": Op.Mul, "/": Op.Div, "^": Op.Pow }[n.op];
          return emit(op, a, b, 0, live[a] === 1 || live[b] === 1);
        }
        case "call": {
          const args = n.args.map(visit);
          const isLive = args.some((x) => live[x] === 1);
          switch (n.fn) {
            case "pow":
              return emit(Op.Pow, args[0], args[1], 0, isLive);
            case "exp":
              return emit(Op.Exp, args[0], 0, 0, isLive);
            case "log":
            case "ln":
              return emit(Op.Log, args[0], 0, 0, isLive);
            case "log10":
              return emit(Op.Log10, args[0], 0, 0, isLive);
            case "log2":
              return emit(Op.Log2, args[0], 0, 0, isLive);
            case "sqrt":
              return emit(Op.Sqrt, args[0], 0, 0, isLive);
          }
        }
      }
    };
    visit(tree);
    this.ops = Int32Array.from(ops);
    this.a = Int32Array.from(A);
    this.b = Int32Array.from(B);
    this.consts = Float64Array.from(C);
    this.live = Uint8Array.from(live);
    this.size = ops.length;
    this.val = new Float64Array(this.size);
    this.grad = new Float64Array(this.size * params.length);
  }

  /**
   * Value at one point; with `jac`, writes the gradient to jac[offset .. offset + dim).
   * `x` holds the input columns, `i` the point.
   */
  eval(theta: ArrayLike<number>, x: readonly Float64Array[], i: number, jac: Float64Array | null, offset: number): number {
    const { ops, a, b, consts, live, val, grad, size } = this;
    const P = this.params.length;
    const wantGrad = jac !== null;
    for (let k = 0; k < size; k++) {
      const ia = a[k];
      const ib = b[k];
      const va = val[ia];
      const vb = val[ib];
      let v: number;
      // Local partials of this slot w.r.t. its operands: d = da·ga + db·gb.
      let da = 0;
      let db = 0;
      switch (ops[k]) {
        case Op.Const:
          v = consts[k];
          break;
        case Op.Input:
          v = x[ia][i];
          break;
        case Op.Param:
          v = theta[ia];
          break;
        case Op.Add:
          v = va + vb;
          da = 1;
          db = 1;
          break;
        case Op.Sub:
          v = va - vb;
          da = 1;
          db = -1;
          break;
        case Op.Mul:
          v = va * vb;
          da = vb;
          db = va;
          break;
        case Op.Div:
          v = va / vb;
          da = 1 / vb;
          db = -v / vb;
          break;
        case Op.Pow:
          v = Math.pow(va, vb);
          da = vb === 0 ? 0 : vb * Math.pow(va, vb - 1);
          // Only needed when the exponent varies; skipping it keeps x^2 defined for x < 0.
          db = live[ib] ? v * Math.log(va) : 0;
          break;
        case Op.Neg:
          v = -va;
          da = -1;
          break;
        case Op.Exp:
          v = Math.exp(va);
          da = v;
          break;
        case Op.Log:
          v = Math.log(va);
          da = 1 / va;
          break;
        case Op.Log10:
          v = Math.log10(va);
          da = 1 / (va * Math.LN10);
          break;
        case Op.Log2:
          v = Math.log2(va);
          da = 1 / (va * Math.LN2);
          break;
        case Op.Sqrt:
          v = Math.sqrt(va);
          da = 0.5 / v;
          break;
        default:
          v = NaN;
      }
      val[k] = v;
      if (!wantGrad || !live[k]) continue;
      const o = k * P;
      if (ops[k] === Op.Param) {
        for (let j = 0; j < P; j++) grad[o + j] = 0;
        grad[o + ia] = 1;
        continue;
      }
      const oa = ia * P;
      const ob = ib * P;
      const la = live[ia] === 1 && da !== 0;
      const lb = isBinary(ops[k]) && live[ib] === 1 && db !== 0;
      for (let j = 0; j < P; j++) grad[o + j] = (la ? da * grad[oa + j] : 0) + (lb ? db * grad[ob + j] : 0);
    }
    const root = size - 1;
    if (jac) {
      if (live[root]) for (let j = 0; j < P; j++) jac[offset + j] = grad[root * P + j];
      else for (let j = 0; j < P; j++) jac[offset + j] = 0;
    }
    return val[root];
  }
}

function isBinary(op: number): boolean {
  return op === Op.Add || op === Op.Sub || op === Op.Mul || op === Op.Div || op === Op.Pow;
}
