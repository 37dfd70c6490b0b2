/**
 * Reads training data once: counts the dictionary (Dictionary::readFromFile) and records
 * every token as a provisional entry id, then thresholds the dictionary and rewrites the
 * stream into final ids (4 bytes per token), so epochs never re-tokenize text.
 */
import { Dictionary, IntBuffer, DROPPED_LABEL, LABEL, IS_SPACE, fnv1a, type FastTextArgs, type TrainCorpus } from "../../models/fasttext/index.js";
import { forEachLine } from "./lines.js";

export interface LabeledText {
  labels: string[];
  text: string;
}

const EOS_BYTES = new TextEncoder().encode("</s>");

class CorpusBuilder {
  readonly dict: Dictionary;
  readonly tokens = new IntBuffer(1 << 16);
  readonly lineStarts = new IntBuffer(1 << 12);

  constructor(readonly args: FastTextArgs) {
    this.dict = new Dictionary(args);
    this.lineStarts.push(0);
  }

  /** One line of bytes [s, e); `eos` when it ended with a newline. */
  addLine(buf: Uint8Array, s: number, e: number, eos: boolean): void {
    const dict = this.dict;
    const tokens = this.tokens;
    let i = s;
    for (;;) {
      while (i < e && IS_SPACE[buf[i]] === 1) i++;
      if (i >= e) break;
      const ts = i;
      while (i < e && IS_SPACE[buf[i]] === 0) i++;
      tokens.push(dict.add(buf, ts, i, fnv1a(buf, ts, i)));
    }
    if (eos) tokens.push(dict.add(EOS_BYTES, 0, 4));
    if (tokens.len > 0x7fffffff) throw new Error("training data has more than 2^31 tokens");
    if (tokens.len !== this.lineStarts.data[this.lineStarts.len - 1]) this.lineStarts.push(tokens.len);
  }

  finish(): { dict: Dictionary; corpus: TrainCorpus } {
    const dict = this.dict;
    const prov = { pool: dict.pool, off: dict.off, len: dict.len, hash: dict.hash, types: dict.types, size: dict.size };
    const remap = dict.threshold(this.args.minCount, this.args.minCountLabel);
    if (dict.size === 0) throw new Error("Empty vocabulary. Try a smaller -minCount value.");
    if (dict.nlabels === 0) throw new Error(`no labels in the training data (labels are tokens starting with '${this.args.label}')`);
    dict.initNgrams();
    const oovIndex = new Int32Array(prov.size).fill(-1);
    const oovHash = new IntBuffer(64);
    const oovSubStart = new IntBuffer(64);
    const oovSubIds = new IntBuffer(64);
    oovSubStart.push(0);
    const tok = this.tokens.data;
    const n = this.tokens.len;
    for (let t = 0; t < n; t++) {
      const p = tok[t];
      const r = remap[p];
      if (r >= 0) tok[t] = r;
      else if (prov.types[p] === LABEL) tok[t] = DROPPED_LABEL;
      else {
        if (oovIndex[p] < 0) {
          oovIndex[p] = oovHash.len;
          oovHash.push(prov.hash[p] | 0);
          if (this.args.maxn > 0) dict.computeSubwords(prov.pool, prov.off[p], prov.off[p] + prov.len[p], oovSubIds);
          oovSubStart.push(oovSubIds.len);
        }
        tok[t] = -1 - oovIndex[p];
      }
    }
    const wordHash = new Int32Array(dict.nwords);
    for (let i = 0; i < dict.nwords; i++) wordHash[i] = dict.hash[i] | 0;
    return {
      dict,
      corpus: {
        tokens: tok.subarray(0, n),
        lineStarts: this.lineStarts.toArray(),
        wordHash,
        subStart: dict.subStart,
        subIds: dict.subIds,
        oovHash: oovHash.toArray(),
        oovSubStart: oovSubStart.toArray(),
        oovSubIds: oovSubIds.toArray(),
        ntokens: dict.ntokens,
      },
    };
  }
}

const encoder = new TextEncoder();

function addExample(b: CorpusBuilder, ex: LabeledText, scratch: { buf: Uint8Array }): void {
  if (!ex || !Array.isArray(ex.labels) || typeof ex.text !== "string") throw new TypeError("training examples must be {labels: string[], text: string}");
  for (const l of ex.labels) {
    if (typeof l !== "string" || !l.startsWith(b.args.label) || /\s/.test(l)) throw new TypeError(`label '${l}' must start with '${b.args.label}' and contain no whitespace`);
  }
  // one example is one line: its newlines act as spaces, and it ends with </s>
  const line = ex.labels.join(" ") + " " + ex.text;
  if (line.length * 3 > scratch.buf.length) scratch.buf = new Uint8Array(line.length * 3 + 1024);
  const n = encoder.encodeInto(line, scratch.buf).written;
  b.addLine(scratch.buf, 0, n, true);
}

export async function buildCorpus(args: FastTextArgs, input: string | Iterable<LabeledText> | AsyncIterable<LabeledText>): Promise<{ dict: Dictionary; corpus: TrainCorpus }> {
  const b = new CorpusBuilder(args);
  if (typeof input === "string") await forEachLine(input, (buf, st, e, eos) => b.addLine(buf, st, e, eos));
  else {
    const scratch = { buf: new Uint8Array(1 << 16) };
    if (Symbol.asyncIterator in input) for await (const ex of input as AsyncIterable<LabeledText>) addExample(b, ex, scratch);
    else for (const ex of input as Iterable<LabeledText>) addExample(b, ex, scratch);
  }
  return b.finish();
}
