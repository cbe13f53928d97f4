/** Options of {@link VectorSearchClient} calls (endpoint and index management, waits, data writes, queries). */
import type { CallOptions, ClientOptions } from "../clients/shared.js";
import type { VectorSearchDataPlane } from "./data-plane.js";
import type { VectorSearchEndpointType } from "./types.js";

/** Options of {@link VectorSearchClient}: auth (or a shared `httpClient`) and where index data calls go. */
export interface VectorSearchClientOptions extends ClientOptions {
  /**
   * Where query, scan, upsert and delete go. `"auto"` (default, as the Python client): a service principal (OAuth
   * M2M, `clientId` + `clientSecret`) calls the index's data-plane URL (`status.index_url`, looked up once per
   * index) with a token scoped to that index (`authorization_details`, ReadVectorIndex / WriteVectorIndex, cached
   * until shortly before expiry); PATs and other auth use the workspace URL. `"workspace"`: always the workspace URL
   * with the client's own token.
   * @default "auto"
   */
  dataPlane?: VectorSearchDataPlane;
}

/** Rows per `upsert-data` request when {@link VectorSearchClient.upsert} batches. */
export const DEFAULT_UPSERT_BATCH_SIZE = 1000;

/** Options of the waits ({@link VectorSearchClient.waitForEndpoint}, {@link VectorSearchClient.waitForIndex}). */
export interface VectorSearchWaitOptions {
  /** Give up after this many ms (`DatabricksTimeoutError`). @default 3_600_000 */
  timeout?: number;
  /** First poll interval, ms; grows x1.5 per poll up to `maxPollIntervalMs`. @default 1_000 */
  pollIntervalMs?: number;
  /** @default 30_000 */
  maxPollIntervalMs?: number;
  /** Called after each poll with the state seen (e.g. `PROVISIONING_INITIAL_SNAPSHOT`, `ONLINE`). */
  onProgress?: (progress: {
    state: string;
    message?: string;
    indexedRowCount?: number;
    elapsedMs: number;
  }) => void;
  signal?: AbortSignal;
}

export interface CreateEndpointOptions extends CallOptions {
  /** @default "STANDARD" */
  endpointType?: VectorSearchEndpointType;
  budgetPolicyId?: string;
}

/** Column types of a direct-access index: `integer, long, float, double, boolean, string, date, timestamp, array<float>`... */
export type IndexSchema = Record<string, string>;

export interface CreateDirectAccessIndexOptions extends CallOptions {
  name: string;
  endpointName: string;
  primaryKey: string;
  schema: IndexSchema;
  /** Self-managed embeddings: the vector column and its dimension. */
  embeddingVectorColumn?: { name: string; dimension: number };
  /** Managed embeddings: the text column embedded by a serving endpoint at upsert time. */
  embeddingSourceColumn?: { name: string; modelEndpointName: string; modelEndpointNameForQuery?: string };
  indexSubtype?: "HYBRID" | "FULL_TEXT";
}

export interface CreateDeltaSyncIndexOptions extends CallOptions {
  name: string;
  endpointName: string;
  primaryKey: string;
  sourceTable: string;
  /** @default "TRIGGERED" */
  pipelineType?: "TRIGGERED" | "CONTINUOUS";
  embeddingVectorColumn?: { name: string; dimension: number };
  embeddingSourceColumn?: { name: string; modelEndpointName: string; modelEndpointNameForQuery?: string };
  columnsToSync?: string[];
  indexSubtype?: "HYBRID" | "FULL_TEXT";
}

export interface UpsertOptions extends CallOptions {
  /** Rows per request. @default 1000 */
  batchSize?: number;
  /** Called after each batch with rows written so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface QueryCallOptions extends CallOptions {
  /** Follow `next_page_token` until all `numResults` rows are fetched. @default true */
  allPages?: boolean;
}
