/**
 * Vector Search wire types (snake_case, as sent and received). Shapes:
 * packages/databricks-emulator/spec/vector-search.md.
 */

export type VectorSearchEndpointType = "STANDARD" | "STORAGE_OPTIMIZED";

export interface VectorSearchEndpointInfo {
  name: string;
  id?: string;
  endpoint_type?: VectorSearchEndpointType;
  endpoint_status?: { state?: string; message?: string };
  creator?: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  last_updated_user?: string;
  num_indexes?: number;
  budget_policy_id?: string;
  [key: string]: unknown;
}

export type IndexType = "DIRECT_ACCESS" | "DELTA_SYNC";

export interface EmbeddingSourceColumn {
  name?: string;
  embedding_model_endpoint_name: string;
  model_endpoint_name_for_query?: string;
}

export interface EmbeddingVectorColumn {
  name: string;
  embedding_dimension: number;
}

export interface DirectAccessIndexSpec {
  schema_json?: string;
  requested_schema_json?: string;
  embedding_vector_columns?: EmbeddingVectorColumn[];
  embedding_source_columns?: EmbeddingSourceColumn[];
  [key: string]: unknown;
}

export interface DeltaSyncIndexSpec {
  source_table: string;
  pipeline_type?: "TRIGGERED" | "CONTINUOUS";
  embedding_vector_columns?: EmbeddingVectorColumn[];
  embedding_source_columns?: EmbeddingSourceColumn[];
  columns_to_sync?: string[];
  pipeline_id?: string;
  [key: string]: unknown;
}

export interface VectorIndexStatus {
  ready?: boolean;
  detailed_state?: string;
  indexed_row_count?: number;
  index_url?: string;
  message?: string;
}

export interface VectorIndex {
  name: string;
  endpoint_name: string;
  endpoint_id?: string;
  primary_key: string;
  index_type: IndexType;
  index_subtype?: string;
  creator?: string;
  direct_access_index_spec?: DirectAccessIndexSpec;
  delta_sync_index_spec?: DeltaSyncIndexSpec;
  status?: VectorIndexStatus;
}

/** `{ "col": value }`, `{ "col NOT": v }`, `{ "col <": n }`, `{ "c1 OR c2": [a, b] }`, `{ "col LIKE": "tok" }`. */
export type VectorSearchFilters = Record<string, unknown>;

export type QueryType = "ANN" | "HYBRID" | "FULL_TEXT";

/** The Databricks reranker: re-orders the top 50 by relevance of `columnsToRerank` to the query text. */
export interface RerankerSpec {
  /** @default "databricks_reranker" */
  model?: string;
  modelType?: "MODEL_TYPE_BASE" | "MODEL_TYPE_FINETUNED";
  columnsToRerank: string[];
}

export interface QueryRequest {
  /** Columns to return; the score is appended as the last cell of each row. */
  columns: string[];
  queryText?: string;
  queryVector?: number[];
  /** @default 10 */
  numResults?: number;
  queryType?: QueryType;
  /** Dict filter (standard endpoints) or SQL-like string (storage-optimized endpoints). */
  filters?: VectorSearchFilters | string;
  scoreThreshold?: number;
  reranker?: RerankerSpec;
  debugLevel?: number;
}

export interface QueryResponseWire {
  manifest?: { column_count?: number; columns?: { name: string }[] };
  result?: { row_count?: number; data_array?: unknown[][] };
  next_page_token?: string;
  debug_info?: Record<string, unknown>;
}

/** A query's rows (all pages), with the column names; the last column is always `score`. */
export interface QueryResult {
  columns: string[];
  rows: unknown[][];
  /** Pages fetched (1 + the number of `query-next-page` calls). */
  pages: number;
  debugInfo?: Record<string, unknown>;
}

export interface UpsertResult {
  status: "SUCCESS" | "PARTIAL_SUCCESS" | "FAILURE";
  result: { success_row_count: number; failed_primary_keys?: unknown[] };
}

export interface ScanPage {
  rows: Record<string, unknown>[];
  /** Pass back as `lastPrimaryKey` to continue; undefined when the scan is done. */
  lastPrimaryKey?: string;
}
