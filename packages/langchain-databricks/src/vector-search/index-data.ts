/**
 * Vector Search data plane of an index (`/indexes/{name}/{op}`): batched upserts and deletes, scans and queries
 * with paging. {@link VectorSearchClient} delegates its data methods here.
 * Wire shapes: packages/databricks-emulator/spec/vector-search.md.
 */
import { type CallOptions, requireName } from "../clients/shared.js";
import { BadRequestError, DatabricksConfigError, isDatabricksError } from "../errors.js";
import type { DatabricksHttpClient } from "../http/client.js";
import { DEFAULT_UPSERT_BATCH_SIZE, type QueryCallOptions, type UpsertOptions } from "./client-options.js";
import type { DataPlaneRouter } from "./data-plane.js";
import type { QueryRequest, QueryResponseWire, QueryResult, ScanPage, UpsertResult } from "./types.js";
import { fromProto, queryBody } from "./wire-format.js";

/** The HTTP client and the router of its data calls (./data-plane.ts). */
export interface IndexDataPlane {
  http: DatabricksHttpClient;
  router: DataPlaneRouter;
}

/** The index is not online yet (`FAILED_PRECONDITION`), or {@link VectorSearchClient.waitForIndex} saw it go offline. */
export class VectorSearchIndexNotReadyError extends BadRequestError {
  override name = "VectorSearchIndexNotReadyError";
}

/**
 * One index data request, routed by ./data-plane.ts (workspace URL, or the index data-plane URL with a scoped token);
 * `FAILED_PRECONDITION` becomes {@link VectorSearchIndexNotReadyError}.
 */
export async function indexDataRequest<T>(
  plane: IndexDataPlane,
  method: "GET" | "POST" | "DELETE",
  name: string,
  op: string,
  body: unknown,
  options: CallOptions,
): Promise<T> {
  requireName(name, "Index name");
  try {
    const route = await plane.router.route(name, op, options.signal);
    return await plane.http.request<T>({
      method,
      ...route,
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

/** See {@link VectorSearchClient.upsert}. */
export function upsertRows(
  plane: IndexDataPlane,
  name: string,
  rows: Record<string, unknown>[],
  options: UpsertOptions = {},
): Promise<UpsertResult> {
  requireName(name, "Index name");
  const { batchSize = DEFAULT_UPSERT_BATCH_SIZE, onProgress, ...call } = options;
  return writeInBatches(
    rows,
    batchSize,
    (batch) =>
      indexDataRequest<UpsertResult>(
        plane,
        "POST",
        name,
        "upsert-data",
        { inputs_json: JSON.stringify(batch) },
        call,
      ),
    onProgress,
  );
}

/** See {@link VectorSearchClient.deleteRows}. */
export function deleteRowsByKey(
  plane: IndexDataPlane,
  name: string,
  primaryKeys: (string | number)[],
  options: CallOptions & { batchSize?: number } = {},
): Promise<UpsertResult> {
  requireName(name, "Index name");
  const { batchSize = DEFAULT_UPSERT_BATCH_SIZE, ...call } = options;
  return writeInBatches(primaryKeys, batchSize, (keys) =>
    indexDataRequest<UpsertResult>(
      plane,
      "DELETE",
      name,
      "delete-data",
      { primary_keys: keys.map(String) },
      call,
    ),
  );
}

/**
 * Sends `items` in batches of `batchSize`, one request at a time, and sums the per-batch results into one report:
 * SUCCESS, PARTIAL_SUCCESS (some rows failed) or FAILURE (none written).
 */
async function writeInBatches<T>(
  items: T[],
  batchSize: number,
  send: (batch: T[]) => Promise<UpsertResult>,
  onProgress?: (done: number, total: number) => void,
): Promise<UpsertResult> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new DatabricksConfigError(`batchSize must be a positive integer, got ${batchSize}.`);
  }
  let success = 0;
  const failed: unknown[] = [];
  for (let i = 0; i < items.length; i += batchSize) {
    const batch = items.slice(i, i + batchSize);
    const r = await send(batch);
    success += r.result?.success_row_count ?? 0;
    failed.push(...(r.result?.failed_primary_keys ?? []));
    onProgress?.(i + batch.length, items.length);
  }
  return {
    status: failed.length === 0 ? "SUCCESS" : success > 0 ? "PARTIAL_SUCCESS" : "FAILURE",
    result: { success_row_count: success, failed_primary_keys: failed },
  };
}

/** See {@link VectorSearchClient.scan}. */
export async function scanPage(
  plane: IndexDataPlane,
  name: string,
  options: CallOptions & { lastPrimaryKey?: string; numResults?: number } = {},
): Promise<ScanPage> {
  const { lastPrimaryKey, numResults, ...call } = options;
  const r = await indexDataRequest<{
    data?: { fields?: { key: string; value: Record<string, unknown> }[] }[];
    last_primary_key?: string;
  }>(
    plane,
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

/** See {@link VectorSearchClient.query}: follows `next_page_token` through `query-next-page` with `allPages`. */
export async function queryIndex(
  plane: IndexDataPlane,
  name: string,
  request: QueryRequest,
  options: QueryCallOptions = {},
): Promise<QueryResult> {
  requireName(name, "Index name");
  const { allPages = true, ...call } = options;
  if (!Array.isArray(request.columns) || request.columns.length === 0) {
    throw new DatabricksConfigError("query: columns must list at least one column to return.");
  }
  const first = await indexDataRequest<QueryResponseWire>(
    plane,
    "POST",
    name,
    "query",
    queryBody(request),
    call,
  );
  const columns = (first.manifest?.columns ?? []).map((c) => c.name);
  const rows = [...(first.result?.data_array ?? [])];
  let pages = 1;
  let token = first.next_page_token;
  while (allPages && token) {
    const next = await indexDataRequest<QueryResponseWire>(
      plane,
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
