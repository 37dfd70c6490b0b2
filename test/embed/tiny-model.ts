/**
 * Builds a tiny transformers.js-loadable model on disk for tests: an ONNX graph whose
 * last_hidden_state is an embedding lookup (Gather), a WordLevel tokenizer.json and config.json.
 * The ONNX protobuf is hand-encoded: only the few message fields such a graph needs.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

// --- minimal protobuf writer -------------------------------------------------------------
function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}
const key = (field: number, wire: number) => varint((field << 3) | wire);
const vField = (field: number, n: number | bigint) => [...key(field, 0), ...varint(n)];
function bytesField(field: number, data: Uint8Array | number[]): number[] {
  return [...key(field, 2), ...varint(data.length), ...data];
}
const strField = (field: number, s: string) => bytesField(field, [...Buffer.from(s, "utf8")]);

const FLOAT = 1;
const INT64 = 7;

function valueInfo(name: string, elemType: number, dims: Array<number | string>): number[] {
  const shape = dims.flatMap((d) => bytesField(1, typeof d === "number" ? vField(1, d) : strField(2, d)));
  const tensorType = [...vField(1, elemType), ...bytesField(2, shape)];
  const typeProto = bytesField(1, tensorType);
  return [...strField(1, name), ...bytesField(2, typeProto)];
}

function floatTensor(name: string, dims: number[], values: Float32Array): number[] {
  const raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return [...dims.flatMap((d) => vField(1, d)), ...vField(2, FLOAT), ...strField(8, name), ...bytesField(9, raw)];
}

function node(op: string, inputs: string[], outputs: string[], name: string): number[] {
  return [...inputs.flatMap((i) => strField(1, i)), ...outputs.flatMap((o) => strField(2, o)), ...strField(3, name), ...strField(4, op)];
}

/** ONNX model: last_hidden_state[b, s, :] = W[input_ids[b, s], :]; attention_mask is accepted. */
export function embeddingLookupOnnx(W: Float32Array, vocab: number, dim: number): Uint8Array {
  const graph = [
    ...bytesField(1, node("Gather", ["W", "input_ids"], ["last_hidden_state"], "lookup")),
    ...strField(2, "tiny-embedding"),
    ...bytesField(5, floatTensor("W", [vocab, dim], W)),
    ...bytesField(11, valueInfo("input_ids", INT64, ["batch", "seq"])),
    ...bytesField(11, valueInfo("attention_mask", INT64, ["batch", "seq"])),
    ...bytesField(12, valueInfo("last_hidden_state", FLOAT, ["batch", "seq", dim])),
  ];
  const opset = [...strField(1, ""), ...vField(2, 13)];
  const model = [...vField(1, 8), ...strField(2, "datatailor-test"), ...bytesField(7, graph), ...bytesField(8, opset)];
  return Uint8Array.from(model);
}

export interface TinyModel {
  dir: string;
  vocab: Record<string, number>;
  W: Float32Array;
  dim: number;
}

/** Writes the tiny model into `<parent>/<name>`; word i of `words` gets id i + 2 ([UNK]=0, [PAD]=1). */
export function writeTinyModel(parent: string, name: string, words: string[], dim: number): TinyModel {
  const dir = path.join(parent, name);
  mkdirSync(path.join(dir, "onnx"), { recursive: true });
  const vocab: Record<string, number> = { "[UNK]": 0, "[PAD]": 1 };
  words.forEach((w, i) => (vocab[w] = i + 2));
  const V = words.length + 2;
  // small integers: exact in float32, so expected vectors can be computed exactly
  const W = new Float32Array(V * dim);
  for (let v = 0; v < V; v++) for (let k = 0; k < dim; k++) W[v * dim + k] = ((v * 7 + k * 3) % 11) - 5;
  writeFileSync(path.join(dir, "onnx", "model.onnx"), embeddingLookupOnnx(W, V, dim));
  writeFileSync(path.join(dir, "config.json"), JSON.stringify({ model_type: "bert", hidden_size: dim, vocab_size: V, architectures: ["BertModel"] }));
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  writeFileSync(
    path.join(dir, "tokenizer.json"),
    JSON.stringify({
      version: "1.0",
      truncation: null,
      padding: null,
      added_tokens: [special(0, "[UNK]"), special(1, "[PAD]")],
      normalizer: { type: "Lowercase" },
      pre_tokenizer: { type: "Whitespace" },
      post_processor: null,
      decoder: null,
      model: { type: "WordLevel", vocab, unk_token: "[UNK]" },
    }),
  );
  writeFileSync(path.join(dir, "tokenizer_config.json"), JSON.stringify({ model_max_length: 64, pad_token: "[PAD]", unk_token: "[UNK]", tokenizer_class: "PreTrainedTokenizerFast" }));
  return { dir, vocab, W, dim };
}
