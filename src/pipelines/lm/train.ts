/**
 * `lm train` end to end: read the text (a large file's size starts the counting thread, which
 * boots while the text is read), train on one or two threads (backends/lm/ngram-train.ts),
 * write the ARPA (arpa-out.ts), and the summary.
 */
import { CountThread, THREADED_MIN_BYTES, trainNgramThreaded } from "../../backends/lm/ngram-train.js";
import type { TrainOptions } from "../../models/ngram/train.js";
import { BYTES_PER_NGRAM } from "../../models/ngram/memory.js";
import type { Progress } from "../../util/progress.js";
import { openArpaSink, writeArpa, type ArpaSink } from "./arpa-out.js";
import { readTrainText, sourceName, type TextSource } from "./train-text.js";

export type { ArpaSink } from "./arpa-out.js";
export type { TextSource } from "./train-text.js";

export interface LmTrainOptions extends Pick<TrainOptions, "order" | "fallback" | "prune" | "skipSymbols"> {
  /** Bytes the model may use (MemoryBudgetError beyond). */
  memory: number;
  /** The counting thread starts for texts of at least this many bytes (on two cores or more). */
  threadFromBytes?: number;
  log?: (message: string) => void;
  /** The counting progress, made once the text's size is known. */
  progress?: (textBytes: number) => Progress;
}

export interface LmTrainSummary {
  order: number;
  text: string;
  words: number;
  sentences: number;
  vocabulary: number;
  ngrams: number[];
  discounts: { D1: number; D2: number; "D3+": number }[];
  output: string;
  bytes: number;
  memoryBytes: number;
  seconds: { estimate: number; write: number; sync: number };
}

export async function trainLm(source: TextSource, opts: LmTrainOptions, sink: ArpaSink): Promise<LmTrainSummary> {
  const t0 = Date.now();
  const threadFrom = opts.threadFromBytes ?? THREADED_MIN_BYTES;
  let thread = null as CountThread | null;
  const out = await openArpaSink(sink);
  let done = false;
  try {
    const text = await readTrainText(source, (bytes) => {
      if (bytes >= threadFrom) thread ??= CountThread.start();
    });
    const counting = opts.progress?.(text.length);
    let counted = 0;
    let model;
    try {
      model = await trainNgramThreaded(
        text,
        {
          order: opts.order,
          fallback: opts.fallback,
          prune: opts.prune,
          skipSymbols: opts.skipSymbols,
          memory: opts.memory,
          log: opts.log,
          onProgress:
            counting &&
            ((_stage, done, total) => {
              counting.setTotal(total);
              counting.tick(done - counted);
              counted = done;
            }),
        },
        thread,
      );
    } finally {
      counting?.stop();
    }
    const t1 = Date.now();
    const { bytes, written } = await writeArpa(model, thread, out);
    done = true;
    const est = model.estimate;
    return {
      order: est.order,
      text: sourceName(source),
      words: model.corpus.words,
      sentences: model.corpus.sentences,
      vocabulary: est.counts[0],
      ngrams: est.counts,
      discounts: est.discounts.map((d) => ({ D1: d[1], D2: d[2], "D3+": d[3] })),
      output: out.name,
      bytes,
      memoryBytes: model.trie.nodes * BYTES_PER_NGRAM,
      seconds: { estimate: (t1 - t0) / 1000, write: (written - t1) / 1000, sync: (Date.now() - written) / 1000 },
    };
  } finally {
    // a failed run, training or writing, leaves no temporary file behind
    if (!done) await out.abort().catch(() => {});
    await thread?.close();
  }
}
