import { describe, expect, it } from "vitest";
import { errorResponse, jsonResponse, mockFetch, testAuth } from "../../test-support/mock-fetch.js";
import {
  ConfigError,
  DatabricksAbortError,
  DatabricksConfigError,
  DatabricksTimeoutError,
  NotFoundError,
  OperationFailedError,
} from "../errors.js";
import { queryBody, VectorSearchClient, VectorSearchIndexNotReadyError } from "./client.js";

const API = "/api/2.0/vector-search";

describe("VectorSearchClient endpoints and indexes", () => {
  it("creates endpoints with defaults and an optional budget policy", async () => {
    const m = mockFetch((call) => jsonResponse({ name: call.body.name }));
    const vs = new VectorSearchClient(testAuth(m));
    await vs.createEndpoint("ep1");
    await vs.createEndpoint("ep2", { endpointType: "STORAGE_OPTIMIZED", budgetPolicyId: "bp-1" });
    expect(m.calls.map((c) => [c.method, c.path, c.body])).toEqual([
      ["POST", `${API}/endpoints`, { name: "ep1", endpoint_type: "STANDARD" }],
      [
        "POST",
        `${API}/endpoints`,
        { name: "ep2", endpoint_type: "STORAGE_OPTIMIZED", budget_policy_id: "bp-1" },
      ],
    ]);
    await expect(vs.createEndpoint("")).rejects.toThrow(ConfigError);
    expect(m.calls).toHaveLength(2);
  });

  it("lists endpoints and indexes across pages, treating an empty token as the end", async () => {
    const m = mockFetch((call) => {
      const token = new URL(call.url).searchParams.get("page_token");
      if (call.path === `${API}/endpoints`) {
        return jsonResponse(
          token === "p2"
            ? { endpoints: [{ name: "b" }], next_page_token: "" }
            : { endpoints: [{ name: "a" }], next_page_token: "p2" },
        );
      }
      expect(new URL(call.url).searchParams.get("endpoint_name")).toBe("ep");
      return jsonResponse(
        token === "i2" ? {} : { vector_indexes: [{ name: "x.y.z" }], next_page_token: "i2" },
      );
    });
    const vs = new VectorSearchClient(testAuth(m));
    expect((await vs.listEndpoints()).map((e) => e.name)).toEqual(["a", "b"]);
    expect((await vs.listIndexes("ep")).map((i) => i.name)).toEqual(["x.y.z"]);
    expect(m.calls).toHaveLength(4);
  });

  it("builds direct-access and delta-sync index bodies with the embedding columns", async () => {
    const m = mockFetch((call) => jsonResponse({ name: call.body.name }));
    const vs = new VectorSearchClient(testAuth(m));
    await vs.createDirectAccessIndex({
      name: "c.s.da",
      endpointName: "ep",
      primaryKey: "id",
      schema: { id: "string", text: "string" },
      embeddingSourceColumn: { name: "text", modelEndpointName: "emb", modelEndpointNameForQuery: "emb-q" },
      indexSubtype: "HYBRID",
    });
    await vs.createDeltaSyncIndex({
      name: "c.s.ds",
      endpointName: "ep",
      primaryKey: "id",
      sourceTable: "c.s.src",
      pipelineType: "CONTINUOUS",
      embeddingVectorColumn: { name: "v", dimension: 3 },
      columnsToSync: ["id", "v"],
      indexSubtype: "FULL_TEXT",
    });
    await vs.createDeltaSyncIndex({
      name: "c.s.ds2",
      endpointName: "ep",
      primaryKey: "id",
      sourceTable: "c.s.src",
    });
    expect(m.calls[0]!.body).toEqual({
      name: "c.s.da",
      endpoint_name: "ep",
      primary_key: "id",
      index_type: "DIRECT_ACCESS",
      index_subtype: "HYBRID",
      direct_access_index_spec: {
        embedding_source_columns: [
          { name: "text", embedding_model_endpoint_name: "emb", model_endpoint_name_for_query: "emb-q" },
        ],
        schema_json: '{"id":"string","text":"string"}',
      },
    });
    expect(m.calls[1]!.body).toEqual({
      name: "c.s.ds",
      endpoint_name: "ep",
      primary_key: "id",
      index_type: "DELTA_SYNC",
      index_subtype: "FULL_TEXT",
      delta_sync_index_spec: {
        source_table: "c.s.src",
        pipeline_type: "CONTINUOUS",
        embedding_vector_columns: [{ name: "v", embedding_dimension: 3 }],
        columns_to_sync: ["id", "v"],
      },
    });
    expect(m.calls[2]!.body.delta_sync_index_spec).toEqual({
      source_table: "c.s.src",
      pipeline_type: "TRIGGERED",
    });
  });

  it("syncs, deletes an index and an endpoint with encoded names", async () => {
    const m = mockFetch(() => jsonResponse({}));
    const vs = new VectorSearchClient(testAuth(m));
    await vs.syncIndex("c.s.i");
    await vs.deleteIndex("c.s.i");
    await vs.deleteEndpoint("ep/1");
    expect(m.calls.map((c) => [c.method, c.path])).toEqual([
      ["POST", `${API}/indexes/c.s.i/sync`],
      ["DELETE", `${API}/indexes/c.s.i`],
      ["DELETE", `${API}/endpoints/ep%2F1`],
    ]);
  });
});

describe("VectorSearchClient waits", () => {
  it("waitForIndex reports progress until ready and returns the online index", async () => {
    const replies = [
      { status: { ready: false } },
      { status: { ready: false, detailed_state: "PROVISIONING_INITIAL_SNAPSHOT", indexed_row_count: 3 } },
      { status: { ready: true } },
    ];
    const m = mockFetch((_c, n) => jsonResponse({ name: "c.s.i", ...replies[n] }));
    const vs = new VectorSearchClient(testAuth(m));
    const states: [string, number | undefined][] = [];
    const idx = await vs.waitForIndex("c.s.i", {
      pollIntervalMs: 1,
      maxPollIntervalMs: 2,
      onProgress: (p) => states.push([p.state, p.indexedRowCount]),
    });
    expect(idx.status?.ready).toBe(true);
    expect(states).toEqual([
      ["PROVISIONING", undefined],
      ["PROVISIONING_INITIAL_SNAPSHOT", 3],
      ["ONLINE", undefined],
    ]);
  });

  it("an OFFLINE endpoint fails with OperationFailedError carrying the state and message", async () => {
    const m = mockFetch(() =>
      jsonResponse({ name: "ep", endpoint_status: { state: "OFFLINE", message: "quota" } }),
    );
    const vs = new VectorSearchClient(testAuth(m));
    const err = await vs.waitForEndpoint("ep").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationFailedError);
    expect((err as OperationFailedError).message).toBe('Vector Search endpoint "ep" is OFFLINE: quota.');
    expect((err as OperationFailedError).errorCode).toBe("OFFLINE");
  });

  it("a RED_STATE index without a message fails the wait too", async () => {
    const m = mockFetch(() =>
      jsonResponse({ name: "c.s.i", status: { ready: false, detailed_state: "RED_STATE" } }),
    );
    const vs = new VectorSearchClient(testAuth(m));
    await expect(vs.waitForIndex("c.s.i")).rejects.toThrow('Vector Search index "c.s.i" is RED_STATE.');
  });

  it("times out with DatabricksTimeoutError naming the last state", async () => {
    const m = mockFetch(() => jsonResponse({ name: "ep" }));
    const vs = new VectorSearchClient(testAuth(m));
    const err = await vs.waitForEndpoint("ep", { timeout: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabricksTimeoutError);
    expect((err as Error).message).toBe(
      'Vector Search endpoint "ep" not online after 0 ms (state UNKNOWN). Raise `timeout`.',
    );
  });

  it("an aborted signal stops the wait between polls", async () => {
    const ac = new AbortController();
    const m = mockFetch(() => {
      ac.abort();
      return jsonResponse({ name: "ep", endpoint_status: { state: "PROVISIONING" } });
    });
    const vs = new VectorSearchClient(testAuth(m));
    const err = await vs
      .waitForEndpoint("ep", { signal: ac.signal, pollIntervalMs: 10_000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabricksAbortError);
  });
});

describe("VectorSearchClient data", () => {
  it("upserts in batches, reports progress and sums a partial success", async () => {
    const m = mockFetch((_c, n) =>
      jsonResponse(
        n === 0
          ? { status: "SUCCESS", result: { success_row_count: 2 } }
          : { status: "FAILURE", result: { failed_primary_keys: ["3"] } },
      ),
    );
    const vs = new VectorSearchClient(testAuth(m));
    const progress: [number, number][] = [];
    const r = await vs.upsert("c.s.i", [{ id: "1" }, { id: "2" }, { id: "3" }], {
      batchSize: 2,
      onProgress: (d, t) => progress.push([d, t]),
    });
    expect(r).toEqual({
      status: "PARTIAL_SUCCESS",
      result: { success_row_count: 2, failed_primary_keys: ["3"] },
    });
    expect(progress).toEqual([
      [2, 3],
      [3, 3],
    ]);
    expect(m.calls[1]!.body).toEqual({ inputs_json: '[{"id":"3"}]' });
  });

  it("an upsert where every row fails is FAILURE; deleteRows sends string keys in batches", async () => {
    const m = mockFetch((call) =>
      call.path.endsWith("upsert-data")
        ? jsonResponse({ result: { failed_primary_keys: ["1"] } })
        : jsonResponse({ result: { success_row_count: 1 } }),
    );
    const vs = new VectorSearchClient(testAuth(m));
    expect((await vs.upsert("c.s.i", [{ id: "1" }])).status).toBe("FAILURE");
    const d = await vs.deleteRows("c.s.i", [1, "2"], { batchSize: 1 });
    expect(d).toEqual({ status: "SUCCESS", result: { success_row_count: 2, failed_primary_keys: [] } });
    expect(m.calls.slice(1).map((c) => [c.method, c.path, c.body])).toEqual([
      ["DELETE", `${API}/indexes/c.s.i/delete-data`, { primary_keys: ["1"] }],
      ["DELETE", `${API}/indexes/c.s.i/delete-data`, { primary_keys: ["2"] }],
    ]);
    const failed = mockFetch(() =>
      jsonResponse({ result: { success_row_count: 1, failed_primary_keys: ["9"] } }),
    );
    expect((await new VectorSearchClient(testAuth(failed)).deleteRows("c.s.i", ["8", "9"])).status).toBe(
      "PARTIAL_SUCCESS",
    );
    expect((await new VectorSearchClient(testAuth(failed)).upsert("c.s.i", [{ id: 1 }])).status).toBe(
      "PARTIAL_SUCCESS",
    );
  });

  it("scanAll pages by last_primary_key and converts protobuf values to JSON", async () => {
    const m = mockFetch((_c, n) => {
      if (n === 0) {
        return jsonResponse({
          data: [
            {
              fields: [
                { key: "id", value: { string_value: "a" } },
                { key: "n", value: { number_value: 1.5 } },
                { key: "ok", value: { bool_value: true } },
                { key: "v", value: { list_value: { values: [{ number_value: 1 }, { number_value: 2 }] } } },
                { key: "empty", value: { list_value: {} } },
                {
                  key: "meta",
                  value: { struct_value: { fields: [{ key: "lang", value: { string_value: "en" } }] } },
                },
                { key: "nothing", value: { null_value: null } },
              ],
            },
          ],
          last_primary_key: "a",
        });
      }
      return jsonResponse({ data: [], last_primary_key: "a" });
    });
    const vs = new VectorSearchClient(testAuth(m));
    const rows: Record<string, unknown>[] = [];
    for await (const r of vs.scanAll("c.s.i", { pageSize: 1 })) rows.push(r);
    expect(rows).toEqual([
      { id: "a", n: 1.5, ok: true, v: [1, 2], empty: [], meta: { lang: "en" }, nothing: null },
    ]);
    expect(m.calls.map((c) => c.body)).toEqual([
      { num_results: 1 },
      { num_results: 1, last_primary_key: "a" },
    ]);
  });

  it("scan without a page size asks for 100 rows and returns no cursor for an empty page", async () => {
    const m = mockFetch(() => jsonResponse({}));
    const vs = new VectorSearchClient(testAuth(m));
    expect(await vs.scan("c.s.i")).toEqual({ rows: [] });
    expect(m.calls[0]!.body).toEqual({ num_results: 100 });
  });

  it("query follows next_page_token unless allPages is false, and keeps debug info", async () => {
    const m = mockFetch((call) =>
      call.path.endsWith("/query")
        ? jsonResponse({
            manifest: { column_count: 2, columns: [{ name: "id" }, { name: "score" }] },
            result: { row_count: 1, data_array: [["a", 0.9]] },
            next_page_token: "t2",
            debug_info: { response_time: 5 },
          })
        : jsonResponse({ result: { row_count: 1, data_array: [["b", 0.8]] } }),
    );
    const vs = new VectorSearchClient(testAuth(m));
    expect(await vs.query("c.s.i", { columns: ["id"], queryText: "q" })).toEqual({
      columns: ["id", "score"],
      rows: [
        ["a", 0.9],
        ["b", 0.8],
      ],
      pages: 2,
      debugInfo: { response_time: 5 },
    });
    expect(m.calls[1]!.body).toEqual({ page_token: "t2" });
    const one = await vs.query("c.s.i", { columns: ["id"], queryText: "q" }, { allPages: false });
    expect([one.pages, one.rows.length]).toEqual([1, 1]);
    await expect(vs.query("c.s.i", { columns: [] })).rejects.toThrow(
      new DatabricksConfigError("query: columns must list at least one column to return."),
    );
  });

  it("maps FAILED_PRECONDITION to VectorSearchIndexNotReadyError and passes other errors through", async () => {
    const m = mockFetch((_c, n) =>
      n === 0
        ? errorResponse(400, "FAILED_PRECONDITION", "Index c.s.i is not ready")
        : errorResponse(404, "RESOURCE_DOES_NOT_EXIST", "Index c.s.j does not exist"),
    );
    const vs = new VectorSearchClient(testAuth(m));
    const notReady = await vs.query("c.s.i", { columns: ["id"] }).catch((e: unknown) => e);
    expect(notReady).toBeInstanceOf(VectorSearchIndexNotReadyError);
    expect((notReady as VectorSearchIndexNotReadyError).errorCode).toBe("FAILED_PRECONDITION");
    expect((notReady as Error).message).toContain("Index c.s.i is not ready");
    expect(await vs.query("c.s.j", { columns: ["id"] }).catch((e: unknown) => e)).toBeInstanceOf(
      NotFoundError,
    );
  });

  it("queryBody carries the reranker model type and debug level", () => {
    expect(
      queryBody({
        columns: ["id"],
        reranker: { model: "m", modelType: "MODEL_TYPE_FINETUNED", columnsToRerank: ["t"] },
        debugLevel: 1,
      }),
    ).toEqual({
      columns: ["id"],
      num_results: 10,
      reranker: { model: "m", model_type: "MODEL_TYPE_FINETUNED", parameters: { columns_to_rerank: ["t"] } },
      debug_level: 1,
    });
  });
});
