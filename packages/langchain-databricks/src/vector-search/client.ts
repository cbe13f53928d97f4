/**
 * Vector Search API client (`/api/2.0/vector-search`): endpoint and index management, with the index data plane
 * (./index-data.ts), waits (./wait-until-online.ts), call options (./client-options.ts) and wire bodies
 * (./wire-format.ts) in their own files.
 * Wire shapes: packages/databricks-emulator/spec/vector-search.md.
 */
import { type CallOptions, httpClientFrom, requireName, seg } from "../clients/shared.js";
import type { DatabricksHttpClient } from "../http/client.js";
import type {
  CreateDeltaSyncIndexOptions,
  CreateDirectAccessIndexOptions,
  CreateEndpointOptions,
  QueryCallOptions,
  UpsertOptions,
  VectorSearchClientOptions,
  VectorSearchWaitOptions,
} from "./client-options.js";
import { DataPlaneRouter } from "./data-plane.js";
import {
  deleteRowsByKey,
  type IndexDataPlane,
  indexDataRequest,
  queryIndex,
  scanPage,
  upsertRows,
} from "./index-data.js";
import type {
  DeltaSyncIndexSpec,
  DirectAccessIndexSpec,
  QueryRequest,
  QueryResult,
  ScanPage,
  UpsertResult,
  VectorIndex,
  VectorSearchEndpointInfo,
} from "./types.js";
import { waitUntilOnline } from "./wait-until-online.js";
import { VECTOR_SEARCH_API as API, embeddingColumns } from "./wire-format.js";

export {
  type CreateDeltaSyncIndexOptions,
  type CreateDirectAccessIndexOptions,
  type CreateEndpointOptions,
  DEFAULT_UPSERT_BATCH_SIZE,
  type IndexSchema,
  type QueryCallOptions,
  type UpsertOptions,
  type VectorSearchClientOptions,
  type VectorSearchWaitOptions,
} from "./client-options.js";
export type { VectorSearchDataPlane } from "./data-plane.js";
export { VectorSearchIndexNotReadyError } from "./index-data.js";
export { queryBody } from "./wire-format.js";

/**
 * Vector Search API (`/api/2.0/vector-search`): endpoints, indexes and their data, with automatic query paging,
 * batched upserts and waits with progress. Management calls use the workspace URL; index data calls of a service
 * principal go to the index data-plane URL with index-scoped tokens (see `dataPlane`).
 *
 * @example
 * const vs = new VectorSearchClient();
 * await vs.createEndpoint("docs-ep");
 * await vs.waitForEndpoint("docs-ep");
 * const { rows } = await vs.query("main.docs.chunks", { columns: ["id", "text"], queryText: "refund policy" });
 */
export class VectorSearchClient {
  readonly httpClient: DatabricksHttpClient;
  readonly #plane: IndexDataPlane;

  /** Validates options only; no I/O. */
  constructor(options: VectorSearchClientOptions = {}) {
    const { dataPlane = "auto", ...clientOptions } = options;
    this.httpClient = httpClientFrom(clientOptions);
    const router = new DataPlaneRouter(this.httpClient, dataPlane, (name) => this.getIndex(name));
    this.#plane = { http: this.httpClient, router };
  }

  /** Where index data calls go: `"auto"` (service principals use the index data-plane URL) or `"workspace"`. */
  get dataPlane(): "auto" | "workspace" {
    return this.#plane.router.mode;
  }

  // ----- endpoints -----

  /** Creates an endpoint; it starts `PROVISIONING`, see {@link waitForEndpoint}. */
  async createEndpoint(name: string, options: CreateEndpointOptions = {}): Promise<VectorSearchEndpointInfo> {
    requireName(name, "Vector Search endpoint name");
    const { endpointType, budgetPolicyId, ...call } = options;
    return this.httpClient.request<VectorSearchEndpointInfo>({
      method: "POST",
      path: `${API}/endpoints`,
      body: {
        name,
        endpoint_type: endpointType ?? "STANDARD",
        ...(budgetPolicyId ? { budget_policy_id: budgetPolicyId } : {}),
      },
      ...call,
    });
  }

  getEndpoint(name: string, options: CallOptions = {}): Promise<VectorSearchEndpointInfo> {
    requireName(name, "Vector Search endpoint name");
    return this.httpClient.request({ method: "GET", path: `${API}/endpoints/${seg(name)}`, ...options });
  }

  /** All endpoints (follows `next_page_token`). */
  async listEndpoints(options: CallOptions = {}): Promise<VectorSearchEndpointInfo[]> {
    const out: VectorSearchEndpointInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.httpClient.request<{
        endpoints?: VectorSearchEndpointInfo[];
        next_page_token?: string;
      }>({
        method: "GET",
        path: `${API}/endpoints`,
        query: { page_token: token },
        ...options,
      });
      out.push(...(page.endpoints ?? []));
      token = page.next_page_token || undefined;
    } while (token);
    return out;
  }

  async deleteEndpoint(name: string, options: CallOptions = {}): Promise<void> {
    requireName(name, "Vector Search endpoint name");
    await this.httpClient.request({ method: "DELETE", path: `${API}/endpoints/${seg(name)}`, ...options });
  }

  /** Polls until the endpoint is `ONLINE`; `OFFLINE` throws `OperationFailedError`. */
  waitForEndpoint(name: string, options: VectorSearchWaitOptions = {}): Promise<VectorSearchEndpointInfo> {
    return waitUntilOnline(
      () => this.getEndpoint(name, { signal: options.signal }),
      (e) => ({ state: e.endpoint_status?.state ?? "UNKNOWN", message: e.endpoint_status?.message }),
      `Vector Search endpoint "${name}"`,
      options,
    );
  }

  // ----- indexes -----

  /** Creates an index from a raw `POST /indexes` body (see the typed helpers below). */
  createIndex(body: Record<string, unknown>, options: CallOptions = {}): Promise<VectorIndex> {
    return this.httpClient.request<VectorIndex>({ method: "POST", path: `${API}/indexes`, body, ...options });
  }

  createDirectAccessIndex(options: CreateDirectAccessIndexOptions): Promise<VectorIndex> {
    const { name, endpointName, primaryKey, schema, indexSubtype, signal, timeout, maxRetries } = options;
    requireName(name, "Index name");
    const spec: DirectAccessIndexSpec = { ...embeddingColumns(options), schema_json: JSON.stringify(schema) };
    return this.createIndex(
      {
        name,
        endpoint_name: endpointName,
        primary_key: primaryKey,
        index_type: "DIRECT_ACCESS",
        ...(indexSubtype ? { index_subtype: indexSubtype } : {}),
        direct_access_index_spec: spec,
      },
      { signal, timeout, maxRetries },
    );
  }

  createDeltaSyncIndex(options: CreateDeltaSyncIndexOptions): Promise<VectorIndex> {
    const { name, endpointName, primaryKey, sourceTable, pipelineType, columnsToSync, indexSubtype } =
      options;
    requireName(name, "Index name");
    const spec: DeltaSyncIndexSpec = {
      source_table: sourceTable,
      pipeline_type: pipelineType ?? "TRIGGERED",
      ...embeddingColumns(options),
      ...(columnsToSync ? { columns_to_sync: columnsToSync } : {}),
    };
    return this.createIndex(
      {
        name,
        endpoint_name: endpointName,
        primary_key: primaryKey,
        index_type: "DELTA_SYNC",
        ...(indexSubtype ? { index_subtype: indexSubtype } : {}),
        delta_sync_index_spec: spec,
      },
      { signal: options.signal, timeout: options.timeout, maxRetries: options.maxRetries },
    );
  }

  async getIndex(name: string, options: CallOptions = {}): Promise<VectorIndex> {
    requireName(name, "Index name");
    const index = await this.httpClient.request<VectorIndex>({
      method: "GET",
      path: `${API}/indexes/${seg(name)}`,
      ...options,
    });
    this.#plane.router.remember(index);
    return index;
  }

  /** Indexes (optionally of one endpoint), following `next_page_token`. */
  async listIndexes(endpointName?: string, options: CallOptions = {}): Promise<VectorIndex[]> {
    const out: VectorIndex[] = [];
    let token: string | undefined;
    do {
      const page = await this.httpClient.request<{
        vector_indexes?: VectorIndex[];
        next_page_token?: string;
      }>({
        method: "GET",
        path: `${API}/indexes`,
        query: { endpoint_name: endpointName, page_token: token },
        ...options,
      });
      out.push(...(page.vector_indexes ?? []));
      token = page.next_page_token || undefined;
    } while (token);
    return out;
  }

  async deleteIndex(name: string, options: CallOptions = {}): Promise<void> {
    requireName(name, "Index name");
    this.#plane.router.forget(name);
    await this.httpClient.request({ method: "DELETE", path: `${API}/indexes/${seg(name)}`, ...options });
  }

  /** Starts a sync of a TRIGGERED delta-sync index from its source table. */
  async syncIndex(name: string, options: CallOptions = {}): Promise<void> {
    requireName(name, "Index name");
    await indexDataRequest(this.#plane, "POST", name, "sync", {}, options);
  }

  /** Polls until `status.ready` and an `ONLINE*` state; an `OFFLINE*` state throws `OperationFailedError`. */
  waitForIndex(name: string, options: VectorSearchWaitOptions = {}): Promise<VectorIndex> {
    return waitUntilOnline(
      () => this.getIndex(name, { signal: options.signal }),
      (i) => ({
        state: i.status?.ready
          ? (i.status.detailed_state ?? "ONLINE")
          : (i.status?.detailed_state ?? "PROVISIONING"),
        message: i.status?.message,
        indexedRowCount: i.status?.indexed_row_count,
      }),
      `Vector Search index "${name}"`,
      options,
    );
  }

  // ----- data (./index-data.ts) -----

  /**
   * Upserts rows (objects keyed by column) into a direct-access index, `batchSize` rows per request. Returns the
   * combined result: `PARTIAL_SUCCESS` / `FAILURE` list `failed_primary_keys`.
   */
  upsert(name: string, rows: Record<string, unknown>[], options: UpsertOptions = {}): Promise<UpsertResult> {
    return upsertRows(this.#plane, name, rows, options);
  }

  /**
   * Deletes rows by primary key from a direct-access index. Keys go in the JSON body (as the
   * databricks-vectorsearch client sends them), `batchSize` keys per request.
   */
  deleteRows(
    name: string,
    primaryKeys: (string | number)[],
    options: CallOptions & { batchSize?: number } = {},
  ): Promise<UpsertResult> {
    return deleteRowsByKey(this.#plane, name, primaryKeys, options);
  }

  /** One page of rows in primary-key order. */
  scan(
    name: string,
    options: CallOptions & { lastPrimaryKey?: string; numResults?: number } = {},
  ): Promise<ScanPage> {
    return scanPage(this.#plane, name, options);
  }

  /** Every row of the index, page by page. */
  async *scanAll(
    name: string,
    options: CallOptions & { pageSize?: number } = {},
  ): AsyncGenerator<Record<string, unknown>> {
    const { pageSize, ...call } = options;
    let last: string | undefined;
    for (;;) {
      const page = await this.scan(name, {
        ...call,
        numResults: pageSize ?? 100,
        ...(last ? { lastPrimaryKey: last } : {}),
      });
      yield* page.rows;
      if (!page.lastPrimaryKey) return;
      last = page.lastPrimaryKey;
    }
  }

  /**
   * Queries an index. With `allPages` (default) it follows `next_page_token` through `query-next-page` and returns
   * every row; the last column of each row is the score.
   */
  query(name: string, request: QueryRequest, options: QueryCallOptions = {}): Promise<QueryResult> {
    return queryIndex(this.#plane, name, request, options);
  }
}
