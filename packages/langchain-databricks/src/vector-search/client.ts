import { type CallOptions, type ClientOptions, httpClientFrom, requireName, seg } from "../clients/shared.js";
import {
  BadRequestError,
  DatabricksAbortError,
  DatabricksConfigError,
  DatabricksTimeoutError,
  isDatabricksError,
  OperationFailedError,
} from "../errors.js";
import type { DatabricksHttpClient } from "../http/client.js";
import type {
  DeltaSyncIndexSpec,
  DirectAccessIndexSpec,
  QueryRequest,
  QueryResponseWire,
  QueryResult,
  ScanPage,
  UpsertResult,
  VectorIndex,
  VectorSearchEndpointInfo,
  VectorSearchEndpointType,
} from "./types.js";

const API = "/api/2.0/vector-search";
/** Rows per `upsert-data` request when {@link VectorSearchClient.upsert} batches. */
export const DEFAULT_UPSERT_BATCH_SIZE = 1000;

/** The index is not online yet (`FAILED_PRECONDITION`), or {@link VectorSearchClient.waitForIndex} saw it go offline. */
export class VectorSearchIndexNotReadyError extends BadRequestError {
  override name = "VectorSearchIndexNotReadyError";
}

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

const embeddingColumns = (o: {
  embeddingVectorColumn?: { name: string; dimension: number };
  embeddingSourceColumn?: { name: string; modelEndpointName: string; modelEndpointNameForQuery?: string };
}) => ({
  ...(o.embeddingVectorColumn
    ? {
        embedding_vector_columns: [
          { name: o.embeddingVectorColumn.name, embedding_dimension: o.embeddingVectorColumn.dimension },
        ],
      }
    : {}),
  ...(o.embeddingSourceColumn
    ? {
        embedding_source_columns: [
          {
            name: o.embeddingSourceColumn.name,
            embedding_model_endpoint_name: o.embeddingSourceColumn.modelEndpointName,
            ...(o.embeddingSourceColumn.modelEndpointNameForQuery
              ? { model_endpoint_name_for_query: o.embeddingSourceColumn.modelEndpointNameForQuery }
              : {}),
          },
        ],
      }
    : {}),
});

/** The wire body of a query request (also what the CLI prints with --dry-run). */
export function queryBody(req: QueryRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { columns: req.columns, num_results: req.numResults ?? 10 };
  if (req.queryText !== undefined) body.query_text = req.queryText;
  if (req.queryVector !== undefined) body.query_vector = req.queryVector;
  if (req.queryType !== undefined) body.query_type = req.queryType;
  if (typeof req.filters === "string") body.filter_string = req.filters;
  else if (req.filters && Object.keys(req.filters).length > 0)
    body.filters_json = JSON.stringify(req.filters);
  if (req.scoreThreshold !== undefined) body.score_threshold = req.scoreThreshold;
  if (req.reranker) {
    body.reranker = {
      model: req.reranker.model ?? "databricks_reranker",
      ...(req.reranker.modelType ? { model_type: req.reranker.modelType } : {}),
      parameters: { columns_to_rerank: req.reranker.columnsToRerank },
    };
  }
  if (req.debugLevel !== undefined) body.debug_level = req.debugLevel;
  return body;
}

const sleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new DatabricksAbortError("Cancelled: wait aborted."));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DatabricksAbortError("Cancelled: wait aborted."));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** Turns the wire's protobuf `Value` of a scan field into plain JSON. */
const fromProto = (v: Record<string, unknown> | undefined): unknown => {
  if (!v) return null;
  if ("string_value" in v) return v.string_value;
  if ("number_value" in v) return v.number_value;
  if ("bool_value" in v) return v.bool_value;
  if ("list_value" in v) {
    const values = (v.list_value as { values?: Record<string, unknown>[] } | undefined)?.values ?? [];
    return values.map(fromProto);
  }
  if ("struct_value" in v) {
    const fields =
      (v.struct_value as { fields?: { key: string; value: Record<string, unknown> }[] }).fields ?? [];
    return Object.fromEntries(fields.map((f) => [f.key, fromProto(f.value)]));
  }
  return null;
};

/**
 * Vector Search API (`/api/2.0/vector-search`): endpoints, indexes and their data, with automatic query paging,
 * batched upserts and waits with progress. Uses the workspace URL with the client's credentials (PAT or OAuth).
 *
 * @example
 * const vs = new VectorSearchClient();
 * await vs.createEndpoint("docs-ep");
 * await vs.waitForEndpoint("docs-ep");
 * const { rows } = await vs.query("main.docs.chunks", { columns: ["id", "text"], queryText: "refund policy" });
 */
export class VectorSearchClient {
  readonly httpClient: DatabricksHttpClient;

  constructor(options: ClientOptions = {}) {
    this.httpClient = httpClientFrom(options);
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
    return this.#wait(
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

  getIndex(name: string, options: CallOptions = {}): Promise<VectorIndex> {
    requireName(name, "Index name");
    return this.httpClient.request<VectorIndex>({
      method: "GET",
      path: `${API}/indexes/${seg(name)}`,
      ...options,
    });
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
    await this.httpClient.request({ method: "DELETE", path: `${API}/indexes/${seg(name)}`, ...options });
  }

  /** Starts a sync of a TRIGGERED delta-sync index from its source table. */
  async syncIndex(name: string, options: CallOptions = {}): Promise<void> {
    requireName(name, "Index name");
    await this.#data("POST", name, "sync", {}, options);
  }

  /** Polls until `status.ready` and an `ONLINE*` state; an `OFFLINE*` state throws `OperationFailedError`. */
  waitForIndex(name: string, options: VectorSearchWaitOptions = {}): Promise<VectorIndex> {
    return this.#wait(
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

  // ----- data -----

  /**
   * Upserts rows (objects keyed by column) into a direct-access index, `batchSize` rows per request. Returns the
   * combined result: `PARTIAL_SUCCESS` / `FAILURE` list `failed_primary_keys`.
   */
  async upsert(
    name: string,
    rows: Record<string, unknown>[],
    options: UpsertOptions = {},
  ): Promise<UpsertResult> {
    requireName(name, "Index name");
    const { batchSize = DEFAULT_UPSERT_BATCH_SIZE, onProgress, ...call } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new DatabricksConfigError(`batchSize must be a positive integer, got ${batchSize}.`);
    }
    let success = 0;
    const failed: unknown[] = [];
    for (let i = 0; i < rows.length; i += batchSize) {
      const batch = rows.slice(i, i + batchSize);
      const r = await this.#data<UpsertResult>(
        "POST",
        name,
        "upsert-data",
        { inputs_json: JSON.stringify(batch) },
        call,
      );
      success += r.result?.success_row_count ?? 0;
      failed.push(...(r.result?.failed_primary_keys ?? []));
      onProgress?.(Math.min(i + batch.length, rows.length), rows.length);
    }
    return {
      status: failed.length === 0 ? "SUCCESS" : success > 0 ? "PARTIAL_SUCCESS" : "FAILURE",
      result: { success_row_count: success, failed_primary_keys: failed },
    };
  }

  /**
   * Deletes rows by primary key from a direct-access index. Keys go in the JSON body (as the
   * databricks-vectorsearch client sends them), `batchSize` keys per request.
   */
  async deleteRows(
    name: string,
    primaryKeys: (string | number)[],
    options: CallOptions & { batchSize?: number } = {},
  ): Promise<UpsertResult> {
    requireName(name, "Index name");
    const { batchSize = DEFAULT_UPSERT_BATCH_SIZE, ...call } = options;
    let success = 0;
    const failed: unknown[] = [];
    for (let i = 0; i < primaryKeys.length; i += batchSize) {
      const keys = primaryKeys.slice(i, i + batchSize).map(String);
      const r = await this.#data<UpsertResult>("DELETE", name, "delete-data", { primary_keys: keys }, call);
      success += r.result?.success_row_count ?? 0;
      failed.push(...(r.result?.failed_primary_keys ?? []));
    }
    return {
      status: failed.length === 0 ? "SUCCESS" : success > 0 ? "PARTIAL_SUCCESS" : "FAILURE",
      result: { success_row_count: success, failed_primary_keys: failed },
    };
  }

  /** One page of rows in primary-key order. */
  async scan(
    name: string,
    options: CallOptions & { lastPrimaryKey?: string; numResults?: number } = {},
  ): Promise<ScanPage> {
    const { lastPrimaryKey, numResults, ...call } = options;
    const r = await this.#data<{
      data?: { fields?: { key: string; value: Record<string, unknown> }[] }[];
      last_primary_key?: string;
    }>(
      "POST",
      name,
      "scan",
      {
        num_results: numResults ?? 100,
        ...(lastPrimaryKey !== undefined ? { last_primary_key: lastPrimaryKey } : {}),
      },
      call,
    );
    const rows = (r.data ?? []).map((d) =>
      Object.fromEntries((d.fields ?? []).map((f) => [f.key, fromProto(f.value)])),
    );
    return {
      rows,
      ...(rows.length > 0 && r.last_primary_key !== undefined ? { lastPrimaryKey: r.last_primary_key } : {}),
    };
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
  async query(name: string, request: QueryRequest, options: QueryCallOptions = {}): Promise<QueryResult> {
    requireName(name, "Index name");
    const { allPages = true, ...call } = options;
    if (!Array.isArray(request.columns) || request.columns.length === 0) {
      throw new DatabricksConfigError("query: columns must list at least one column to return.");
    }
    const first = await this.#data<QueryResponseWire>("POST", name, "query", queryBody(request), call);
    const columns = (first.manifest?.columns ?? []).map((c) => c.name);
    const rows = [...(first.result?.data_array ?? [])];
    let pages = 1;
    let token = first.next_page_token;
    while (allPages && token) {
      const next = await this.#data<QueryResponseWire>(
        "POST",
        name,
        "query-next-page",
        { page_token: token },
        call,
      );
      rows.push(...(next.result?.data_array ?? []));
      token = next.next_page_token;
      pages++;
    }
    return { columns, rows, pages, ...(first.debug_info ? { debugInfo: first.debug_info } : {}) };
  }

  async #data<T>(
    method: "GET" | "POST" | "DELETE",
    name: string,
    op: string,
    body: unknown,
    options: CallOptions,
  ): Promise<T> {
    requireName(name, "Index name");
    try {
      return await this.httpClient.request<T>({
        method,
        path: `${API}/indexes/${seg(name)}/${op}`,
        ...(body !== undefined ? { body } : {}),
        ...options,
      });
    } catch (e) {
      if (isDatabricksError(e) && e.errorCode === "FAILED_PRECONDITION") {
        throw new VectorSearchIndexNotReadyError(e.message, {
          status: e.status,
          errorCode: e.errorCode,
          requestId: e.requestId,
          endpoint: name,
          cause: e,
        });
      }
      throw e;
    }
  }

  async #wait<T>(
    get: () => Promise<T>,
    read: (t: T) => { state: string; message?: string; indexedRowCount?: number },
    what: string,
    options: VectorSearchWaitOptions,
  ): Promise<T> {
    const started = Date.now();
    const timeout = options.timeout ?? 3_600_000;
    let interval = options.pollIntervalMs ?? 1_000;
    const maxInterval = options.maxPollIntervalMs ?? 30_000;
    for (;;) {
      const t = await get();
      const p = read(t);
      options.onProgress?.({ ...p, elapsedMs: Date.now() - started });
      if (p.state.includes("OFFLINE") || p.state === "RED_STATE") {
        throw new OperationFailedError(`${what} is ${p.state}${p.message ? `: ${p.message}` : ""}.`, {
          errorCode: p.state,
        });
      }
      if (p.state.includes("ONLINE")) return t;
      const left = started + timeout - Date.now();
      if (left <= 0) {
        throw new DatabricksTimeoutError(
          `${what} not online after ${timeout} ms (state ${p.state}). Raise \`timeout\`.`,
        );
      }
      await sleep(Math.min(interval, left), options.signal);
      interval = Math.min(maxInterval, interval * 1.5);
    }
  }
}
