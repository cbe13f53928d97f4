/**
 * LangChain model profiles (`ChatDatabricks.profile`) per Databricks foundation model family: tool calling,
 * native structured output, context window and output limit, image input, reasoning output. `createAgent`
 * reads `profile.structuredOutput` to choose provider strategy (native `response_format: json_schema`) over
 * the tool strategy. Facts and their evidence: packages/databricks-emulator/spec/foundation-models.md.
 * Endpoints outside these families (custom models, agents, external models) get a conservative profile:
 * tool calling assumed, no native structured output (so agents use the tool strategy), no known limits.
 */
import type { ModelProfile } from "@langchain/core/language_models/profile";

interface FamilyProfile {
  pattern: RegExp;
  profile: ModelProfile;
}

const chat = (
  maxInputTokens: number,
  maxOutputTokens: number,
  extra: { imageInputs?: boolean; reasoningOutput?: boolean } = {},
): ModelProfile => ({
  maxInputTokens,
  maxOutputTokens,
  toolCalling: true,
  toolChoice: true,
  structuredOutput: true,
  imageInputs: extra.imageInputs ?? false,
  imageUrlInputs: extra.imageInputs ?? false,
  reasoningOutput: extra.reasoningOutput ?? false,
  imageOutputs: false,
  audioInputs: false,
  audioOutputs: false,
  videoInputs: false,
  videoOutputs: false,
});

/** First match wins; patterns test the endpoint name (or `system.ai.<model>` name), case-insensitively. */
const FAMILIES: readonly FamilyProfile[] = [
  {
    pattern: /(gte|bge)[-_]|embedding/i,
    profile: { toolCalling: false, structuredOutput: false, imageInputs: false, reasoningOutput: false },
  },
  { pattern: /claude/i, profile: chat(200_000, 64_000, { imageInputs: true, reasoningOutput: true }) },
  { pattern: /gpt[-_]oss/i, profile: chat(131_072, 32_768, { reasoningOutput: true }) },
  { pattern: /gpt[-_]5/i, profile: chat(400_000, 128_000, { imageInputs: true, reasoningOutput: true }) },
  {
    pattern: /gemini[-_]2[-_.]5/i,
    profile: chat(1_048_576, 65_536, { imageInputs: true, reasoningOutput: true }),
  },
  { pattern: /gemini/i, profile: chat(1_000_000, 65_536, { imageInputs: true, reasoningOutput: true }) },
  { pattern: /gemma/i, profile: chat(128_000, 8_192, { imageInputs: true }) },
  { pattern: /llama[-_]4/i, profile: chat(128_000, 8_000) },
  { pattern: /llama/i, profile: chat(128_000, 8_192) },
  { pattern: /qwen/i, profile: chat(262_144, 10_000) },
];

/** Conservative profile for endpoints of unknown family. */
export const DEFAULT_PROFILE: Readonly<ModelProfile> = Object.freeze({
  toolCalling: true,
  structuredOutput: false,
  imageInputs: false,
  reasoningOutput: false,
});

/** The profile for a serving endpoint name, with `overrides` (the `modelProfile` option) on top. */
export const profileForEndpoint = (endpoint: string, overrides?: ModelProfile): ModelProfile => {
  const family = FAMILIES.find((f) => f.pattern.test(endpoint));
  return { ...(family ? family.profile : DEFAULT_PROFILE), ...overrides };
};

/**
 * `Serializable.toJSON` reads each kwarg from the instance when the instance has a property of that name, and
 * every LangChain model has a `profile` getter (the ModelProfile). `profile` in ChatDatabricks kwargs is the
 * Databricks config profile name, so put the string back.
 */
export const keepConfigProfile = <T>(serialized: T, kwargs: Record<string, unknown>): T => {
  const s = serialized as { kwargs?: Record<string, unknown> };
  if (s && typeof s === "object" && s.kwargs && "profile" in kwargs) s.kwargs.profile = kwargs.profile;
  return serialized;
};
