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
  extra: { reasoning?: boolean; capabilities?: Record<string, boolean> } = {},
): FoundationModel => {
  const entity = endpointName.replace(/^databricks-/, "").replace(/-/g, "_");
  return {
    endpointName,
    task: "llm/v1/chat",
    model: { modelName, task: "llm/v1/chat", family, ...(extra.reasoning ? { reasoning: true } : {}) },
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
  ),
  chat(
    "databricks-meta-llama-3-1-8b-instruct",
    "meta-llama-3.1-8b-instruct-072424",
    "Meta Llama 3.1 8B Instruct",
    "llama",
  ),
  chat("databricks-claude-sonnet-4-5", "claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "claude", {
    reasoning: true,
    capabilities: { reasoning: true },
  }),
  chat("databricks-gpt-oss-120b", "gpt-oss-120b", "GPT OSS 120B", "gpt", {
    reasoning: true,
    capabilities: { reasoning: true },
  }),
  chat("databricks-gemini-2-5-flash", "gemini-2.5-flash", "Gemini 2.5 Flash", "gemini"),
  embedding("databricks-gte-large-en", "gte-large-en-v1.5", "GTE Large (En)", 1024),
  embedding("databricks-bge-large-en", "bge-large-en-v1.5", "BGE Large (En)", 1024),
];
