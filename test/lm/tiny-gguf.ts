/**
 * Writes a tiny GGUF v3 `llama` model whose output a test can compute by hand, and that
 * computation in plain TypeScript (float64).
 *
 * Layout (ggml docs/gguf.md): "GGUF" | u32 version 3 | u64 tensor count | u64 kv count | kvs |
 * tensor infos (name, u32 n_dims, u64 dims[ne0 first], u32 ggml type, u64 offset into the data
 * section) | zero padding to `general.alignment` (32) | tensor data, each tensor aligned.
 *
 * The model: `tokenizer.ggml.model = "gpt2"` (byte-level BPE) with single-character tokens and
 * no merges, so every character is one token; `<s>` (BOS, prepended) and `</s>` (EOS) as control
 * tokens. All transformer-block weights are zero, which makes every block the identity:
 *   attention: attn_norm weight 0 → normed input 0 → Q = K = V = 0 → softmax(QKᵀ)·V = 0
 *              → attn_output·0 = 0, and the residual carries x through;
 *   ffn:       ffn_norm weight 0 → gate = up = 0 → silu(0)·0 = 0 → down·0 = 0, residual again.
 * So the hidden state after the last block is E[token] whatever the context, and
 *   logits = W_out · (g ⊙ E[token] / sqrt(mean(E[token]²) + eps))
 * with g = output_norm.weight (not a block weight: random here, to check it is applied) and eps =
 * llama.attention.layer_norm_rms_epsilon. The next-token distribution depends only on the
 * current token: a first-order Markov chain, which is what makes greedy generation checkable.
 */
import { writeFileSync } from "node:fs";
import { prng } from "../../scripts/lib/sample-text.js";

/** GGUF metadata value types (ggml docs/gguf.md). */
const T = { UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9 } as const;
const GGML_F32 = 0;
const ALIGN = 32;

type KvValue =
  | { type: "u32"; value: number }
  | { type: "f32"; value: number }
  | { type: "bool"; value: boolean }
  | { type: "str"; value: string }
  | { type: "str[]"; value: string[] }
  | { type: "i32[]"; value: number[] };

export interface GgufTensor {
  name: string;
  /** ggml order: ne0 (the contiguous dimension) first. */
  dims: number[];
  data: Float32Array;
}

class Out {
  private parts: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  i32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  u64(v: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s: string): void {
    const b = Buffer.from(s, "utf8");
    this.u64(b.length);
    this.push(b);
  }
  pad(): void {
    const n = (ALIGN - (this.length % ALIGN)) % ALIGN;
    if (n) this.push(Buffer.alloc(n));
  }
  concat(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Serialises metadata and F32 tensors as a GGUF v3 file. */
export function encodeGguf(kv: Array<[string, KvValue]>, tensors: GgufTensor[]): Buffer {
  const o = new Out();
  o.push(Buffer.from("GGUF", "ascii"));
  o.u32(3);
  o.u64(tensors.length);
  o.u64(kv.length);
  for (const [key, v] of kv) {
    o.str(key);
    switch (v.type) {
      case "u32":
        o.u32(T.UINT32);
        o.u32(v.value);
        break;
      case "f32":
        o.u32(T.FLOAT32);
        o.f32(v.value);
        break;
      case "bool":
        o.u32(T.BOOL);
        o.push(Buffer.from([v.value ? 1 : 0]));
        break;
      case "str":
        o.u32(T.STRING);
        o.str(v.value);
        break;
      case "str[]":
        o.u32(T.ARRAY);
        o.u32(T.STRING);
        o.u64(v.value.length);
        for (const s of v.value) o.str(s);
        break;
      case "i32[]":
        o.u32(T.ARRAY);
        o.u32(T.INT32);
        o.u64(v.value.length);
        for (const x of v.value) o.i32(x);
        break;
    }
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    const n = t.dims.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`tensor ${t.name}: dims ${t.dims} hold ${n} values, data has ${t.data.length}`);
    o.str(t.name);
    o.u32(t.dims.length);
    for (const d of t.dims) o.u64(d);
    o.u32(GGML_F32);
    o.u64(offset);
    offsets.push(offset);
    offset += Math.ceil((n * 4) / ALIGN) * ALIGN;
  }
  o.pad();
  const dataStart = o.length;
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i]!;
    if (o.length - dataStart !== offsets[i]) throw new Error("tensor offsets out of step");
    o.push(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    o.pad();
  }
  return o.concat();
}

/** GPT-2's byte-level alphabet for the characters the tiny vocabulary uses (space → Ġ, \n → Ċ). */
export function byteLevel(ch: string): string {
  if (ch === " ") return "\u0120";
  if (ch === "\n") return "\u010A";
  return ch;
}

export interface TinyModelSpec {
  /** Characters with a token each (printable ASCII, space and newline). */
  chars: string;
  nEmbd: number;
  nHead: number;
  nFf: number;
  nLayer: number;
  contextLength: number;
  rmsEps: number;
  seed: number;
  /** Scale of the random embedding / output weights; larger gives peakier distributions. */
  scale: number;
}

export const DEFAULT_TINY: TinyModelSpec = {
  chars: "abcdefgh .\n",
  nEmbd: 8,
  nHead: 2,
  nFf: 16,
  nLayer: 2,
  contextLength: 128,
  rmsEps: 1e-5,
  seed: 7,
  scale: 1,
};

/** A tiny model's weights with the reference forward pass. */
export class TinyModel {
  readonly vocab: string[];
  readonly bos = 0;
  readonly eos = 1;
  readonly embed: Float32Array;
  readonly output: Float32Array;
  readonly outputNorm: Float32Array;

  constructor(readonly spec: TinyModelSpec = DEFAULT_TINY) {
    this.vocab = ["<s>", "</s>", ...[...spec.chars].map(byteLevel)];
    const rnd = prng(spec.seed);
    const gauss = () => {
      // Box-Muller from the seeded generator; weights are stored as float32 and read back as such
      const u = Math.max(rnd(), 1e-12);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
    };
    const n = this.vocab.length * spec.nEmbd;
    this.embed = Float32Array.from({ length: n }, () => gauss() * spec.scale);
    this.output = Float32Array.from({ length: n }, () => gauss() * spec.scale);
    this.outputNorm = Float32Array.from({ length: spec.nEmbd }, () => 0.5 + rnd());
  }

  get nVocab(): number {
    return this.vocab.length;
  }

  /** Token id of one character of text. */
  tokenOf(ch: string): number {
    const id = this.vocab.indexOf(byteLevel(ch));
    if (id < 2) throw new Error(`character ${JSON.stringify(ch)} is not in the tiny vocabulary`);
    return id;
  }

  /** ln p(next | current token) for every next token, in float64 from the float32 weights. */
  logSoftmaxAfter(token: number): Float64Array {
    const d = this.spec.nEmbd;
    const x = this.embed.subarray(token * d, (token + 1) * d);
    let ms = 0;
    for (let i = 0; i < d; i++) ms += x[i]! * x[i]!;
    const inv = 1 / Math.sqrt(ms / d + this.spec.rmsEps);
    const h = new Float64Array(d);
    for (let i = 0; i < d; i++) h[i] = x[i]! * inv * this.outputNorm[i]!;
    const logits = new Float64Array(this.nVocab);
    let max = -Infinity;
    for (let t = 0; t < this.nVocab; t++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += this.output[t * d + i]! * h[i]!;
      logits[t] = s;
      if (s > max) max = s;
    }
    let z = 0;
    for (let t = 0; t < this.nVocab; t++) z += Math.exp(logits[t]! - max);
    const lz = max + Math.log(z);
    for (let t = 0; t < this.nVocab; t++) logits[t] = logits[t]! - lz;
    return logits;
  }

  /** Reference scores of a text: one entry per character, each conditioned on the previous token (BOS first). */
  referenceLogprobs(text: string): number[] {
    const out: number[] = [];
    let prev = this.bos;
    for (const ch of text) {
      const id = this.tokenOf(ch);
      out.push(this.logSoftmaxAfter(prev)[id]!);
      prev = id;
    }
    return out;
  }

  /** Greedy continuation: the argmax chain from the prompt's last token, stopping at EOS. */
  referenceGreedy(prompt: string, maxTokens: number): string {
    let prev = prompt.length ? this.tokenOf([...prompt].pop()!) : this.bos;
    let out = "";
    for (let i = 0; i < maxTokens; i++) {
      const lp = this.logSoftmaxAfter(prev);
      let best = 0;
      for (let t = 1; t < lp.length; t++) if (lp[t]! > lp[best]!) best = t;
      if (best === this.eos) break;
      // a control token (BOS) is generated but renders as no text
      if (best !== this.bos) out += unByteLevel(this.vocab[best]!);
      prev = best;
    }
    return out;
  }

  /** The GGUF file's bytes. */
  encode(): Buffer {
    const s = this.spec;
    const d = s.nEmbd;
    const zeros = (...dims: number[]) => ({ dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) });
    const tensors: GgufTensor[] = [
      { name: "token_embd.weight", dims: [d, this.nVocab], data: this.embed },
      { name: "output_norm.weight", dims: [d], data: this.outputNorm },
      { name: "output.weight", dims: [d, this.nVocab], data: this.output },
    ];
    for (let l = 0; l < s.nLayer; l++) {
      const p = `blk.${l}.`;
      tensors.push(
        { name: p + "attn_norm.weight", ...zeros(d) },
        { name: p + "attn_q.weight", ...zeros(d, d) },
        { name: p + "attn_k.weight", ...zeros(d, d) },
        { name: p + "attn_v.weight", ...zeros(d, d) },
        { name: p + "attn_output.weight", ...zeros(d, d) },
        { name: p + "ffn_norm.weight", ...zeros(d) },
        { name: p + "ffn_gate.weight", ...zeros(d, s.nFf) },
        { name: p + "ffn_up.weight", ...zeros(d, s.nFf) },
        { name: p + "ffn_down.weight", ...zeros(s.nFf, d) },
      );
    }
    const kv: Array<[string, KvValue]> = [
      ["general.architecture", { type: "str", value: "llama" }],
      ["general.name", { type: "str", value: "datatailor-tiny-test" }],
      ["general.alignment", { type: "u32", value: ALIGN }],
      ["general.file_type", { type: "u32", value: 0 }],
      ["llama.context_length", { type: "u32", value: s.contextLength }],
      ["llama.embedding_length", { type: "u32", value: d }],
      ["llama.block_count", { type: "u32", value: s.nLayer }],
      ["llama.feed_forward_length", { type: "u32", value: s.nFf }],
      ["llama.rope.dimension_count", { type: "u32", value: d / s.nHead }],
      ["llama.attention.head_count", { type: "u32", value: s.nHead }],
      ["llama.attention.head_count_kv", { type: "u32", value: s.nHead }],
      ["llama.attention.layer_norm_rms_epsilon", { type: "f32", value: s.rmsEps }],
      ["llama.vocab_size", { type: "u32", value: this.nVocab }],
      ["tokenizer.ggml.model", { type: "str", value: "gpt2" }],
      ["tokenizer.ggml.pre", { type: "str", value: "default" }],
      ["tokenizer.ggml.tokens", { type: "str[]", value: this.vocab }],
      ["tokenizer.ggml.token_type", { type: "i32[]", value: this.vocab.map((_, i) => (i < 2 ? 3 : 1)) }],
      ["tokenizer.ggml.merges", { type: "str[]", value: [] }],
      ["tokenizer.ggml.bos_token_id", { type: "u32", value: this.bos }],
      ["tokenizer.ggml.eos_token_id", { type: "u32", value: this.eos }],
      ["tokenizer.ggml.add_bos_token", { type: "bool", value: true }],
      ["tokenizer.ggml.add_eos_token", { type: "bool", value: false }],
    ];
    return encodeGguf(kv, tensors);
  }

  write(file: string): void {
    writeFileSync(file, this.encode());
  }
}

function unByteLevel(tok: string): string {
  return tok === "\u0120" ? " " : tok === "\u010A" ? "\n" : tok;
}

