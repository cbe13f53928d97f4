/**
 * Vector Search index create and upsert validation (vector-search/store.ts, schema.ts): each malformed request
 * is a 400 INVALID_PARAMETER_VALUE with the exact message and leaves no index or row behind; rows without a
 * primary key are reported as failed keys, not stored.
 */
import { describe, expect, it } from "vitest";
import { dig, expectError, useEmulator } from "../../test-support/conformance.js";

const V = "/api/2.0/vector-search";
const schemaJson = JSON.stringify({
  id: "string",
  text: "string",
  n: "integer",
  ok: "boolean",
  v: "array<float>",
});
const direct = (extra: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) => ({
  name: "c.s.idx",
  endpoint_name: "vs-ep",
  primary_key: "id",
  index_type: "DIRECT_ACCESS",
  direct_access_index_spec: {
    embedding_vector_columns: [{ name: "v", embedding_dimension: 2 }],
    schema_json: schemaJson,
    ...spec,
  },
  ...extra,
});

describe("Vector Search: index create and upsert validation", () => {
  const h = useEmulator();
  const SPEC = "direct_access_index_spec";

  it("setup: a STANDARD endpoint", async () => {
    const res = await h.call("POST", `${V}/endpoints`, { name: "vs-ep", endpoint_type: "STANDARD" });
    expect(res.status, res.text).toBe(200);
  });

  it.each([
    [
      { name: "two.parts" },
      {},
      'name must be a three-part Unity Catalog name catalog.schema.index; got "two.parts".',
    ],
    [{ endpoint_name: "" }, {}, "endpoint_name is required."],
    [{ primary_key: "" }, {}, "primary_key is required."],
    [{ index_type: "IVF" }, {}, 'index_type must be DIRECT_ACCESS or DELTA_SYNC, got "IVF".'],
    [{ index_subtype: "SPARSE" }, {}, 'index_subtype must be HYBRID or FULL_TEXT, got "SPARSE".'],
    [
      { direct_access_index_spec: "x" },
      {},
      "direct_access_index_spec is required for a DIRECT_ACCESS index.",
    ],
    [
      {},
      { schema_json: { id: "string" } },
      'direct_access_index_spec.schema_json must be a JSON string such as "{\\"id\\": \\"int\\", \\"text\\": \\"string\\", \\"v\\": \\"array<float>\\"}".',
    ],
    [{}, { schema_json: "{id" }, "direct_access_index_spec.schema_json is not valid JSON."],
    [
      {},
      { schema_json: "{}" },
      "direct_access_index_spec.schema_json must map at least one column name to a type.",
    ],
    [
      {},
      { schema_json: JSON.stringify({ id: "string", m: "map<string,int>" }) },
      `direct_access_index_spec.schema_json: column 'm' has unsupported type "map<string,int>"; use one of integer, long, float, double, boolean, string, date, timestamp, array<float>, array<double>, array<string>.`,
    ],
    [{ primary_key: "pk" }, {}, "primary_key 'pk' is not a column of the index schema."],
    [{ primary_key: "ok" }, {}, "primary_key 'ok' must be an integer, long or string column."],
    [
      {},
      {
        embedding_vector_columns: [
          { name: "v", embedding_dimension: 2 },
          { name: "v", embedding_dimension: 2 },
        ],
      },
      "Only one embedding_vector_columns entry is supported.",
    ],
    [
      {},
      { embedding_vector_columns: [{ embedding_dimension: 2 }] },
      `${SPEC}.embedding_vector_columns[0].name is required.`,
    ],
    [
      {},
      { embedding_vector_columns: [{ name: "text", embedding_dimension: 2 }] },
      `${SPEC}.embedding_vector_columns[0].name: column 'text' must exist with type array<float> or array<double>.`,
    ],
    [
      {},
      { embedding_vector_columns: [{ name: "v", embedding_dimension: 4097 }] },
      `${SPEC}.embedding_vector_columns[0].embedding_dimension must be an integer between 1 and 4096.`,
    ],
    [
      {},
      {
        embedding_source_columns: [
          { name: "text", embedding_model_endpoint_name: "databricks-bge-large-en" },
        ],
      },
      `${SPEC}: give embedding_source_columns or embedding_vector_columns, not both.`,
    ],
    [
      {},
      { embedding_vector_columns: [], embedding_source_columns: [{ name: "text" }] },
      `${SPEC}.embedding_source_columns[0].embedding_model_endpoint_name is required.`,
    ],
    [
      {},
      {
        embedding_vector_columns: [],
        embedding_source_columns: [
          { name: "a", embedding_model_endpoint_name: "e" },
          { name: "b", embedding_model_endpoint_name: "e" },
        ],
      },
      "Only one embedding_source_columns entry is supported.",
    ],
    [
      {},
      {
        embedding_vector_columns: [],
        embedding_source_columns: [{ name: "n", embedding_model_endpoint_name: "databricks-bge-large-en" }],
      },
      `${SPEC}.embedding_source_columns[0].name: column 'n' must exist with type string.`,
    ],
    [
      {},
      { embedding_vector_columns: [] },
      `${SPEC} needs embedding_vector_columns (self-managed) or embedding_source_columns (managed embeddings).`,
    ],
  ])("create %j %j -> 400", async (extra, spec, message) => {
    expectError(
      await h.call("POST", `${V}/indexes`, direct(extra, spec)),
      400,
      "INVALID_PARAMETER_VALUE",
      message,
    );
    expect((await h.call("GET", `${V}/indexes/c.s.idx`)).status).toBe(404);
  });

  it.each([
    [{ source_table: "t" }, "delta_sync_index_spec.source_table must be a three-part table name."],
    [
      { source_table: "main.default.t", pipeline_type: "HOURLY" },
      "delta_sync_index_spec.pipeline_type must be TRIGGERED or CONTINUOUS.",
    ],
    [
      { source_table: "main.default.t", columns_to_sync: "id" },
      "delta_sync_index_spec.columns_to_sync must be a list of column names.",
    ],
  ])("create DELTA_SYNC %j -> 400", async (spec, message) => {
    const body = {
      name: "c.s.sync",
      endpoint_name: "vs-ep",
      primary_key: "id",
      index_type: "DELTA_SYNC",
      delta_sync_index_spec: spec,
    };
    expectError(await h.call("POST", `${V}/indexes`, body), 400, "INVALID_PARAMETER_VALUE", message);
  });

  it("a second index of the same name is 409", async () => {
    expect((await h.call("POST", `${V}/indexes`, direct())).status).toBe(200);
    expectError(
      await h.call("POST", `${V}/indexes`, direct()),
      409,
      "RESOURCE_ALREADY_EXISTS",
      "Index c.s.idx already exists.",
    );
  });

  const upsert = (rows: unknown) =>
    h.call("POST", `${V}/indexes/c.s.idx/upsert-data`, { inputs_json: JSON.stringify(rows) });

  it.each([
    [[7], "inputs_json[0] must be an object."],
    [
      [{ id: "a", v: [1, 2], colour: "red" }],
      `inputs_json[0] (primary key "a"): unknown column 'colour'. Known columns: id, text, n, ok, v.`,
    ],
    [
      [{ id: "a", v: [1, 2], n: 1.5 }],
      `inputs_json[0] (primary key "a"): column 'n' expected an integer, got 1.5.`,
    ],
    [
      [{ id: "a", v: [1, 2], ok: "yes" }],
      `inputs_json[0] (primary key "a"): column 'ok' expected a boolean, got "yes".`,
    ],
    [
      [{ id: "a", v: [1, 2], text: 3 }],
      `inputs_json[0] (primary key "a"): column 'text' expected a string, got 3.`,
    ],
    [[{ id: "a", v: [1, "x"] }], `inputs_json[0] (primary key "a"): column 'v' expected a list of numbers.`],
    [
      [{ id: "a", v: [1, 2, 3] }],
      `inputs_json[0] (primary key "a"): column 'v' has 3 dimensions; the index expects embedding_dimension 2.`,
    ],
    [
      [{ id: "a", text: "no vector" }],
      `inputs_json[0] (primary key "a"): the embedding column 'v' is required.`,
    ],
  ])("upsert %j -> 400, nothing stored", async (rows, message) => {
    expectError(await upsert(rows), 400, "INVALID_PARAMETER_VALUE", message);
    const idx = await h.call("GET", `${V}/indexes/c.s.idx`);
    expect(dig(idx.json, "status", "indexed_row_count")).toBe(0);
  });

  it("rows without a primary key are failed keys: PARTIAL_SUCCESS, then FAILURE when none is good", async () => {
    const partial = await upsert([
      { id: "a", v: [1, 0], n: 1, ok: true, text: null },
      { id: "", v: [0, 1] },
      { v: [0, 1] },
    ]);
    expect(partial.json).toEqual({
      status: "PARTIAL_SUCCESS",
      result: { success_row_count: 1, failed_primary_keys: ["", null] },
    });
    const none = await upsert([{ id: null, v: [0, 1] }]);
    expect(none.json).toEqual({
      status: "FAILURE",
      result: { success_row_count: 0, failed_primary_keys: [null] },
    });
    const idx = await h.call("GET", `${V}/indexes/c.s.idx`);
    expect(dig(idx.json, "status", "indexed_row_count")).toBe(1);
  });
});
