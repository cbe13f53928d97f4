import type { UsageMetadata } from "@langchain/core/messages";
import type { WireUsage } from "./wire.js";

const num = (v: number | null | undefined): number | undefined =>
  typeof v === "number" && Number.isFinite(v) ? v : undefined;

/**
 * Maps Databricks usage (OpenAI, Claude-on-Databricks or Responses naming) to LangChain usage metadata.
 * Returns undefined when the payload carries no counts at all (null usage is common on early stream chunks).
 */
export function toUsageMetadata(usage: WireUsage | null | undefined): UsageMetadata | undefined {
  if (!usage || typeof usage !== "object") return undefined;
  const prompt = num(usage.prompt_tokens) ?? num(usage.input_tokens);
  const completion = num(usage.completion_tokens) ?? num(usage.output_tokens);
  if (prompt === undefined && completion === undefined && num(usage.total_tokens) === undefined)
    return undefined;

  const cacheRead =
    num(usage.prompt_tokens_details?.cached_tokens) ??
    num(usage.input_tokens_details?.cached_tokens) ??
    num(usage.cache_read_input_tokens);
  const cacheCreation = num(usage.cache_creation_input_tokens);
  const reasoning =
    num(usage.completion_tokens_details?.reasoning_tokens) ??
    num(usage.output_tokens_details?.reasoning_tokens) ??
    num(usage.reasoning_tokens);

  // Claude reports cache reads/writes separately from prompt_tokens; LangChain wants them inside input_tokens.
  const claudeCache = num(usage.cache_read_input_tokens) !== undefined || cacheCreation !== undefined;
  const input =
    (prompt ?? 0) + (claudeCache ? (num(usage.cache_read_input_tokens) ?? 0) + (cacheCreation ?? 0) : 0);
  const output = completion ?? 0;
  const total = claudeCache ? input + output : (num(usage.total_tokens) ?? input + output);

  const result: UsageMetadata = { input_tokens: input, output_tokens: output, total_tokens: total };
  if (cacheRead !== undefined || cacheCreation !== undefined) {
    result.input_token_details = {};
    if (cacheRead !== undefined) result.input_token_details.cache_read = cacheRead;
    if (cacheCreation !== undefined) result.input_token_details.cache_creation = cacheCreation;
  }
  if (reasoning !== undefined) result.output_token_details = { reasoning };
  return result;
}

/** The `llmOutput.tokenUsage` shape LangChain callbacks read. */
export function toTokenUsage(usage: UsageMetadata | undefined) {
  if (!usage) return undefined;
  return {
    promptTokens: usage.input_tokens,
    completionTokens: usage.output_tokens,
    totalTokens: usage.total_tokens,
  };
}

type TokenUsage = NonNullable<ReturnType<typeof toTokenUsage>>;

/** `generate()`'s `llmOutput` over several prompts: token usage summed, as ChatOpenAI reports it. */
export function combineTokenUsage(outputs: ReadonlyArray<Record<string, unknown> | undefined>): {
  tokenUsage: TokenUsage;
} {
  const tokenUsage: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  for (const out of outputs) {
    const t = out?.tokenUsage as Partial<TokenUsage> | undefined;
    tokenUsage.promptTokens += t?.promptTokens ?? 0;
    tokenUsage.completionTokens += t?.completionTokens ?? 0;
    tokenUsage.totalTokens += t?.totalTokens ?? 0;
  }
  return { tokenUsage };
}
