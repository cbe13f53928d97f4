/**
 * Managed embeddings for Vector Search: computed in-process by the workspace's own emulated embedding serving
 * endpoints (no HTTP hop). Wire shapes: packages/databricks-emulator/spec/vector-search.md.
 */
import type { Ctx } from "../context.js";
import { backendFor } from "../data/entities.js";
import { embedText } from "../engines/embedding-space.js";
import { modelSeed } from "../engines/feature-vectors.js";
import { invalidParameter } from "../errors.js";
import type { Embedder } from "./store-types.js";

/** Embeddings from the workspace's own serving endpoints, computed in-process (no HTTP hop). */
export const embedderFor =
  (ctx: Ctx): Embedder =>
  (endpointName, texts) => {
    const ep = ctx.endpoints.find(endpointName);
    if (!ep) {
      throw invalidParameter(
        `embedding_model_endpoint_name: serving endpoint '${endpointName}' does not exist.`,
      );
    }
    const entity = ep.config?.servedEntities[0];
    const backend = entity ? backendFor(entity, ep.name, ctx.models) : undefined;
    if (backend?.kind !== "engine" || backend.model.task !== "llm/v1/embeddings") {
      throw invalidParameter(
        `embedding_model_endpoint_name: serving endpoint '${endpointName}' is not an emulated embedding endpoint (task llm/v1/embeddings).`,
      );
    }
    const dim = backend.model.dimensions ?? 1024;
    const seed = modelSeed(backend.model.modelName);
    return { dim, vectors: texts.map((t) => embedText(t, dim, seed).vector) };
  };
