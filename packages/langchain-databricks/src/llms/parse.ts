import { contentToText } from "../chat-models/content.js";
import { isRecord } from "../utils/is-record.js";

/** Tasks for which the seed sends LLM parameters (temperature, n, stop, max_tokens). */
export const LLM_TASKS: ReadonlySet<string> = new Set(["llm/v1/chat", "llm/v1/completions", "llama2/chat"]);

/** Any value -> string (the LLM contract); JSON for structured values instead of "[object Object]". */
export function asString(value: unknown): string {
  if (typeof value === "string") return value;
  if (value == null) return "";
  return JSON.stringify(value);
}

/** Text of a chat or completions response (`choices[0].message.content` / `choices[0].text`), if it is one. */
export function textFromChoices(resp: unknown): string | undefined {
  if (!isRecord(resp) || !Array.isArray(resp.choices) || resp.choices.length === 0) return undefined;
  const choice = resp.choices[0];
  if (!isRecord(choice)) return undefined;
  if (isRecord(choice.message)) return contentToText(choice.message.content ?? "");
  if (typeof choice.text === "string") return choice.text;
  return undefined;
}

/** First prediction of a custom model response (`predictions` list -> element 0). */
export function firstPrediction(resp: unknown): unknown {
  if (!isRecord(resp) || !("predictions" in resp)) return resp;
  const predictions = resp.predictions;
  return Array.isArray(predictions) ? predictions[0] : predictions;
}

/** `llama2/chat` (MLflow transformers) predictions: `{candidates: [{text}]}`. */
export function textFromCandidates(prediction: unknown): string | undefined {
  if (!isRecord(prediction) || !Array.isArray(prediction.candidates)) return undefined;
  const first = prediction.candidates[0];
  return isRecord(first) && typeof first.text === "string" ? first.text : undefined;
}

/** Text delta of one streamed chat/completions chunk. */
export function textFromStreamChunk(chunk: unknown): string {
  if (!isRecord(chunk) || !Array.isArray(chunk.choices) || chunk.choices.length === 0) return "";
  const choice = chunk.choices[0];
  if (!isRecord(choice)) return "";
  // A plain JSON body (endpoint without streaming) carries `message` instead of `delta`.
  const delta = isRecord(choice.delta) ? choice.delta : isRecord(choice.message) ? choice.message : undefined;
  if (delta) {
    const content = delta.content;
    return content == null ? "" : typeof content === "string" ? content : contentToText(content);
  }
  return typeof choice.text === "string" ? choice.text : "";
}
