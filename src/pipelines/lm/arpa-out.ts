/**
 * lm train's ARPA out: to a file (atomically) or a stream. With the counting thread, each thread
 * formats its partition's lines of every order (about half the work each, with the texts of the
 * order below at hand): the main thread writes its part of a section, then the thread's.
 */
import { openAtomic } from "../../io/atomic.js";
import { writeQueued } from "../../io/write-queued.js";
import { arpaChunks, CHUNK } from "../../models/ngram/arpa-write.js";
import type { TrainedModel } from "../../models/ngram/train.js";
import type { CountThread } from "../../backends/lm/ngram-train.js";
import { UserError } from "../../util/errors.js";

/** Where the ARPA goes: a file, written under a temporary name and renamed once synced, or a stream. */
export type ArpaSink = { path: string } | { stream: NodeJS.WritableStream; name: string };

export function sinkName(sink: ArpaSink): string {
  return "path" in sink ? sink.path : sink.name;
}

/** A sink made ready to write: a file's temporary name is open (its directory made). */
export interface OpenArpaSink {
  name: string;
  stream: NodeJS.WritableStream;
  /** Renames a file into place once synced; nothing for a stream. */
  commit(): Promise<void>;
  /** Removes a file's temporary name; nothing for a stream. */
  abort(): Promise<void>;
}

const cannotWrite = (name: string, e: unknown) => new UserError(`lm train: cannot write ${name} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);

/** Opens the sink; called before training, so an unwritable path fails at once, not after it. */
export async function openArpaSink(sink: ArpaSink): Promise<OpenArpaSink> {
  const name = sinkName(sink);
  if (!("path" in sink)) return { name, stream: sink.stream, commit: async () => {}, abort: async () => {} };
  try {
    const out = await openAtomic(sink.path);
    return { name, stream: out.stream, commit: () => out.commit(), abort: () => out.abort() };
  } catch (e) {
    throw cannotWrite(name, e);
  }
}

/** Writes the model's ARPA and commits it (the caller aborts `out` when this throws); its size, and when the last byte was handed over (before the file's sync). */
export async function writeArpa(model: TrainedModel, thread: CountThread | null, out: OpenArpaSink): Promise<{ bytes: number; written: number }> {
  const stream = out.stream;
  const spans = model.trie.spans;
  const theirs = thread ? thread.format(model, spans.slice(2)) : null;
  theirs?.done.catch(() => {});
  let bytes = 0;
  try {
    // a chunk's buffer goes back to the writer once written (a few buffers carry the whole file)
    const pool: Uint8Array[] = [];
    const recycle = (c: Uint8Array) => () => {
      if (c.byteOffset === 0 && c.buffer.byteLength === CHUNK) pool.push(new Uint8Array(c.buffer));
    };
    let n = 0;
    for (const chunk of arpaChunks(model.trie, model.estimate, model.vocab, theirs ? { spans: spans.slice(0, 2), sectionEnds: true, end: false, pool } : { pool })) {
      if (chunk.length === 0) {
        for (const c of await theirs!.sections[n++]) {
          bytes += c.length;
          await writeQueued(stream, c);
        }
        continue;
      }
      bytes += chunk.length;
      await writeQueued(stream, chunk, recycle(chunk));
    }
    if (theirs) {
      await theirs.done;
      const end = new TextEncoder().encode("\n\\end\\\n");
      bytes += end.length;
      await writeQueued(stream, end);
    }
    const written = Date.now();
    await out.commit();
    return { bytes, written };
  } catch (e) {
    // the caller aborts the sink (trainLm: whatever fails, no temporary file is left)
    throw cannotWrite(out.name, e);
  }
}
