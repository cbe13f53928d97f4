export {
  type CreateDeltaSyncIndexOptions,
  type CreateDirectAccessIndexOptions,
  type CreateEndpointOptions,
  DEFAULT_UPSERT_BATCH_SIZE,
  type IndexSchema,
  type QueryCallOptions,
  queryBody,
  type UpsertOptions,
  VectorSearchClient,
  type VectorSearchClientOptions,
  type VectorSearchDataPlane,
  VectorSearchIndexNotReadyError,
  type VectorSearchWaitOptions,
} from "./client.js";
export {
  defaultToolName,
  type FilterItem,
  VectorSearchRetrieverTool,
  type VectorSearchRetrieverToolInput,
} from "./retriever-tool.js";
export type * from "./types.js";
export {
  DatabricksVectorSearch,
  type DatabricksVectorSearchCallOptions,
  type DatabricksVectorSearchInput,
  describeIndex,
  type IndexDescription,
} from "./vector-store.js";
