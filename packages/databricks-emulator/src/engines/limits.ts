/**
 * Per-model token limits (spec/foundation-models.md): `max_tokens` above the model's output limit and
 * prompts (plus the requested output) above its context window are 400 BAD_REQUEST with the real texts,
 * checked before any text is generated. Without `max_tokens` the output is cut at the model's limit
 * (`TurnOptions.outputLimit`), so no request makes the engine return more than `n * maxOutputTokens` tokens.
 */
import type { EngineModel } from "./contract.js";
import { fail } from "./validate.js";

const RPC = "rpc error: code = InvalidArgument desc =";

/** Throws the real 400 when `maxTokens` or `prompt + maxTokens` exceed the model's limits. */
export const checkTokenLimits = (
  model: EngineModel,
  prompt: number,
  maxTokens: number | undefined,
  param = "max_tokens",
): void => {
  const outLimit = model.maxOutputTokens;
  if (outLimit !== undefined && maxTokens !== undefined && maxTokens > outLimit) {
    throw fail(
      `${RPC} ${param} (${maxTokens}) cannot exceed ${outLimit}. Please reduce the length of max output tokens generated.`,
    );
  }
  const window = model.contextWindow;
  if (window === undefined) return;
  const completion = maxTokens ?? 0;
  if (prompt + completion > window) {
    throw fail(
      `${RPC} This model's maximum context length is ${window} tokens. However, you requested ${prompt + completion} tokens (${prompt} in the messages, ${completion} in the completion). Please reduce the length of the messages or completion.`,
    );
  }
};
