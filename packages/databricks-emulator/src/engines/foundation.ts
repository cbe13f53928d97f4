/**
 * The pre-provisioned, read-only Foundation Model API endpoints every emulated workspace has (spec/serving.md 2.7).
 * The server turns each entry into a `ServingEndpointDetailed` with `endpoint_type: "FOUNDATION_MODEL_API"`,
 * `state.ready: "READY"` and one served entity carrying `foundation_model`; the engine behind it is the built-in
 * stand-in selected by `model.task`.
 */
import type { EngineModel, EngineTask } from "./contract.js";

export interface FoundationModel {
  /** Endpoint name, e.g. `databricks-meta-llama-3-3-70b-instruct`. */
  endpointName: string;
  task: EngineTask;
  model: EngineModel;
  /** Unity Catalog entity the served entity points at (`system.ai.<model>`). */
  entityName: string;
  entityVersion: string;
  /** `served_entities[0].foundation_model` as GET shows it. */
  foundationModel: { name: string; display_name: string; docs: string; description: string };
  /** `capabilities` as GET shows it; clients read `function_calling`. */
  capabilities: Record<string, boolean>;
  description: string;
  /** Same as `foundationModel.display_name` (flat copy for the control plane's `FoundationEndpoint`). */
  displayName: string;
  /** Same as `capabilities.function_calling`. */
  functionCalling: boolean;
}

const docs = (slug: string): string =>
  `https://docs.databricks.com/machine-learning/foundation-models/index.html#${slug}`;

const chat = (
  endpointName: string,
  modelName: string,
  displayName: string,
  family: EngineModel["family"],
  limits: { contextWindow: number; maxOutputTokens: number },
  extra: {
    reasoning?: boolean;
    capabilities?: Record<string, boolean>;
    streamUsage?: EngineModel["streamUsage"];
  } = {},
): FoundationModel => {
  const entity = endpointName.replace(/^databricks-/, "").replace(/-/g, "_");
  return {
    endpointName,
    task: "llm/v1/chat",
    model: {
      modelName,
      task: "llm/v1/chat",
      family,
      ...limits,
      ...(extra.reasoning ? { reasoning: true } : {}),
      ...(extra.streamUsage ? { streamUsage: extra.streamUsage } : {}),
    },
    entityName: `system.ai.${entity}`,
    entityVersion: "1",
    foundationModel: {
      name: entity,
      display_name: displayName,
      docs: docs(entity),
      description: `${displayName} (local deterministic stand-in served by the Databricks emulator).`,
    },
    capabilities: { function_calling: true, ...extra.capabilities },
    description: `${displayName} pay-per-token endpoint (emulated).`,
    displayName,
    functionCalling: true,
  };
};

const embedding = (
  endpointName: string,
  modelName: string,
  displayName: string,
  dimensions: number,
): FoundationModel => {
  const entity = endpointName.replace(/^databricks-/, "").replace(/-/g, "_");
  return {
    endpointName,
    task: "llm/v1/embeddings",
    model: { modelName, task: "llm/v1/embeddings", family: "embedding", dimensions },
    entityName: `system.ai.${entity}`,
    entityVersion: "1",
    foundationModel: {
      name: entity,
      display_name: displayName,
      docs: docs(entity),
      description: `${displayName}, ${dimensions}-dimensional embeddings (local hashed n-gram random-projection stand-in).`,
    },
    capabilities: {},
    description: `${displayName} pay-per-token embedding endpoint (emulated).`,
    displayName,
    functionCalling: false,
  };
};

export const FOUNDATION_MODELS: readonly FoundationModel[] = [
  chat(
    "databricks-meta-llama-3-3-70b-instruct",
    "meta-llama-3.3-70b-instruct-121024",
    "Meta Llama 3.3 70B Instruct",
    "llama",
    { contextWindow: 128_000, maxOutputTokens: 8_192 },
  ),
  chat(
    "databricks-meta-llama-3-1-8b-instruct",
    "meta-llama-3.1-8b-instruct-072424",
    "Meta Llama 3.1 8B Instruct",
    "llama",
    { contextWindow: 128_000, maxOutputTokens: 8_192 },
  ),
  chat(
    "databricks-claude-sonnet-4-5",
    "claude-sonnet-4-5-20250929",
    "Claude Sonnet 4.5",
    "claude",
    { contextWindow: 200_000, maxOutputTokens: 64_000 },
    {
      reasoning: true,
      capabilities: { reasoning: true },
    },
  ),
  chat(
    "databricks-gpt-oss-120b",
    "gpt-oss-120b",
    "GPT OSS 120B",
    "gpt",
    { contextWindow: 131_072, maxOutputTokens: 32_768 },
    { reasoning: true, capabilities: { reasoning: true }, streamUsage: "final" },
  ),
  chat("databricks-gemini-2-5-flash", "gemini-2.5-flash", "Gemini 2.5 Flash", "gemini", {
    contextWindow: 1_048_576,
    maxOutputTokens: 65_536,
  }),
  chat("databricks-llama-4-maverick", "llama-4-maverick", "Llama 4 Maverick", "llama", {
    contextWindow: 128_000,
    maxOutputTokens: 8_000,
  }),
  chat("databricks-gemma-3-12b", "gemma-3-12b", "Gemma 3 12B", "llama", {
    contextWindow: 128_000,
    maxOutputTokens: 8_192,
  }),
  chat(
    "databricks-qwen3-next-80b-a3b-instruct",
    "qwen3-next-80b-a3b-instruct",
    "Qwen3-Next 80B A3B Instruct",
    "llama",
    { contextWindow: 262_144, maxOutputTokens: 10_000 },
  ),
  embedding("databricks-gte-large-en", "gte-large-en-v1.5", "GTE Large (En)", 1024),
  embedding("databricks-bge-large-en", "bge-large-en-v1.5", "BGE Large (En)", 1024),
];
