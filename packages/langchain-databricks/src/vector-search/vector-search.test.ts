import { describe, expect, it } from "vitest";
import { DatabricksAbortError, DatabricksConfigError } from "../errors.js";
import { queryBody, VectorSearchClient } from "./client.js";
import { defaultToolName, VectorSearchRetrieverTool } from "./retriever-tool.js";
import { DatabricksVectorSearch, describeIndex } from "./vector-store.js";

describe("queryBody", () => {
  it("maps the request to the wire: dict filters as filters_json, strings as filter_string, reranker object", () => {
    expect(
      queryBody({
        columns: ["id"],
        queryText: "q",
        queryVector: [1, 2],
        queryType: "HYBRID",
        filters: { "price <": 5 },
        scoreThreshold: 0.5,
        reranker: { columnsToRerank: ["text"] },
      }),
    ).toEqual({
      columns: ["id"],
      num_results: 10,
      query_text: "q",
      query_vector: [1, 2],
      query_type: "HYBRID",
      filters_json: '{"price <":5}',
      score_threshold: 0.5,
      reranker: { model: "databricks_reranker", parameters: { columns_to_rerank: ["text"] } },
    });
    expect(queryBody({ columns: ["id"], filters: "lang = 'en'", numResults: 3 })).toEqual({
      columns: ["id"],
      num_results: 3,
      filter_string: "lang = 'en'",
    });
    expect(queryBody({ columns: ["id"], filters: {} })).toEqual({ columns: ["id"], num_results: 10 });
  });
});

describe("describeIndex", () => {
  it("reads the key, type, vector or source column and schema columns", () => {
    const d = describeIndex({
      name: "a.b.c",
      endpoint_name: "ep",
      primary_key: "id",
      index_type: "DIRECT_ACCESS",
      direct_access_index_spec: {
        schema_json: '{"id":"string","v":"array<float>"}',
        embedding_vector_columns: [{ name: "v", embedding_dimension: 8 }],
      },
    });
    expect(d).toMatchObject({
      primaryKey: "id",
      vectorColumn: "v",
      dimension: 8,
      schemaColumns: ["id", "v"],
    });
    const m = describeIndex({
      name: "a.b.d",
      endpoint_name: "ep",
      primary_key: "id",
      index_type: "DELTA_SYNC",
      delta_sync_index_spec: {
        source_table: "a.b.t",
        embedding_source_columns: [{ name: "text", embedding_model_endpoint_name: "e" }],
      },
    });
    expect(m).toMatchObject({ sourceColumn: "text", sourceTable: "a.b.t", indexType: "DELTA_SYNC" });
    expect(m.schemaColumns).toBeUndefined();
  });
});

describe("construction does no I/O and validates eagerly", () => {
  it("rejects bad names and options before any request", () => {
    expect(() => new DatabricksVectorSearch({ indexName: "a.b", host: "http://127.0.0.1:9" })).toThrow(
      DatabricksConfigError,
    );
    expect(defaultToolName("cat.schema.index")).toBe("cat__schema__index");
    expect(defaultToolName(`a.b.${"x".repeat(80)}`)).toHaveLength(64);
    expect(() => new VectorSearchRetrieverTool({ indexName: "a.b.c", numResults: 0 })).toThrow(/numResults/);
    expect(new VectorSearchRetrieverTool({ indexName: "a.b.c" }).schema).toEqual({
      type: "object",
      properties: { query: { type: "string", description: "The string used to query the index." } },
      required: ["query"],
      additionalProperties: false,
    });
  });

  it("an aborted signal rejects before any request (the host is unreachable)", async () => {
    const store = new DatabricksVectorSearch({ indexName: "a.b.c", host: "http://127.0.0.1:9", token: "t" });
    const ac = new AbortController();
    ac.abort();
    await expect(store.search("q", { signal: ac.signal })).rejects.toBeInstanceOf(DatabricksAbortError);
    const vs = new VectorSearchClient({ host: "http://127.0.0.1:9", token: "t" });
    await expect(vs.upsert("a.b.c", [{ id: 1 }], { batchSize: 0 })).rejects.toThrow(
      /batchSize must be a positive integer/,
    );
  });

  it("deleteRows refuses a batch size that is not a positive integer before any request", async () => {
    const vs = new VectorSearchClient({ host: "http://127.0.0.1:9", token: "t" });
    for (const batchSize of [0, -1, 1.5]) {
      await expect(vs.deleteRows("a.b.c", ["k"], { batchSize })).rejects.toThrow(
        `batchSize must be a positive integer, got ${batchSize}.`,
      );
    }
  });
});
