import type { ServedEntity } from "../control/types.js";
import type { EngineModel, EngineTask } from "../engines/index.js";
import { FOUNDATION_MODELS } from "../engines/index.js";
import type { CustomModel } from "../options.js";

/** Built-in agent entities served by the engines (no registration needed). */
export const BUILTIN_AGENTS: Record<string, EngineModel> = {
  "emulator.agents.chat_agent": { modelName: "emulator-chat-agent", task: "agent/v1/chat", family: "agent" },
  "emulator.agents.responses_agent": {
    modelName: "emulator-responses-agent",
    task: "agent/v1/responses",
    family: "agent",
  },
};

const BY_ENTITY = new Map<string, EngineModel>(FOUNDATION_MODELS.map((f) => [f.entityName, f.model]));
const BY_ENDPOINT = new Map<string, EngineModel>(FOUNDATION_MODELS.map((f) => [f.endpointName, f.model]));

/** What serves a request for one served entity. */
export type Backend =
  | { kind: "external"; entity: ServedEntity }
  | { kind: "engine"; entity: ServedEntity; model: EngineModel }
  | { kind: "custom"; entity: ServedEntity; model: CustomModel }
  | { kind: "missing"; entity: ServedEntity };

export const backendFor = (
  entity: ServedEntity,
  endpointName: string,
  models: Map<string, CustomModel>,
): Backend => {
  if (entity.spec.external_model !== undefined) return { kind: "external", entity };
  const entityName = String(entity.spec.entity_name);
  const custom = models.get(entityName);
  if (custom) return { kind: "custom", entity, model: custom };
  const engine =
    (entity.spec.foundation_model !== undefined ? BY_ENDPOINT.get(endpointName) : undefined) ??
    BY_ENTITY.get(entityName) ??
    BUILTIN_AGENTS[entityName];
  if (engine) return { kind: "engine", entity, model: engine };
  return { kind: "missing", entity };
};

/**
 * Why a served entity cannot be deployed: a Unity Catalog model the emulator has no registered custom model,
 * built-in engine or agent for. The update then ends UPDATE_FAILED and the build logs say how to register it.
 */
export const unregisteredModelMessage = (
  entity: ServedEntity,
  models: Map<string, CustomModel>,
): string | undefined => {
  if (entity.spec.external_model !== undefined || entity.spec.foundation_model !== undefined)
    return undefined;
  const name = String(entity.spec.entity_name);
  if (models.has(name) || BY_ENTITY.has(name) || BUILTIN_AGENTS[name] !== undefined) return undefined;
  return (
    `No custom model is registered with the emulator for entity_name '${name}' (version ${String(entity.spec.entity_version)}), so the served entity cannot be built. ` +
    `Register it with startEmulator({ models: { "${name}": { predict(records, params) { ... } } } }) or \`databricks-emulator start --models FILE\`, then update the endpoint config.`
  );
};

/** Task of a new custom endpoint, from what its first served entity is. */
export const taskForEntity = (
  entityName: string,
  models: Map<string, CustomModel>,
): EngineTask | undefined => {
  const custom = models.get(entityName);
  if (custom?.kind === "chat-agent") return "agent/v1/chat";
  if (custom?.kind === "responses-agent") return "agent/v1/responses";
  if (custom) return undefined;
  return (BY_ENTITY.get(entityName) ?? BUILTIN_AGENTS[entityName])?.task;
};

/** Engine-model lookup for the local OpenAI-compatible route (`model` is a free-form name there). */
export const localEngineModel = (name: string, task: EngineTask): EngineModel => {
  const known = BY_ENDPOINT.get(name) ?? BY_ENTITY.get(name);
  if (known && known.task === task) return known;
  if (task === "llm/v1/embeddings") return { modelName: name, task, family: "embedding", dimensions: 1536 };
  return { modelName: name, task, family: "gpt" };
};
