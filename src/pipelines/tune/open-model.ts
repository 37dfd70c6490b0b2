/**
 * How `tune eval` opens a model. openai: servers that refuse prompt log-probabilities (llama.cpp's
 * server, Ollama) fail the LM layer's start-up probe but can still generate: those are opened
 * without the probe (the spec must name the model), and classification falls back to generation.
 */
import { openLanguageModel, parseLmSpec, type LanguageModel } from "../../backends/lm/index.js";
import { OpenAiLanguageModel, parseOpenAiSpec } from "../../backends/lm/openai.js";

export async function openForEval(spec: string, log: (m: string) => void = () => {}): Promise<LanguageModel> {
  try {
    return await openLanguageModel(spec, { log });
  } catch (e) {
    const msg = (e as Error).message;
    const { scheme, arg } = parseLmSpec(spec);
    if (scheme !== "openai" || !/refuses echo|no prompt log-probabilities|did not echo|generated token only/.test(msg)) throw e;
    const s = parseOpenAiSpec(arg);
    if (!s.model) throw e;
    log(`${msg.split("\n")[0]} — using it for generation only`);
    return new OpenAiLanguageModel(s, s.model, { log });
  }
}
