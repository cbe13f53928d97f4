/**
 * Vector Search conformance (packages/databricks-emulator/spec/vector-search.md, "Conformance cases") against a
 * started emulator: raw HTTP, including GET with a JSON body as the databricks-vectorsearch client sends it.
 */
import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import {
  asArray,
  asRecord,
  type CallResult,
  callEmulator,
  dig,
  expectError,
  useEmulator,
} from "../../test-support/conformance.js";

const V = "/api/2.0/vector-search";
const SP = { clientId: "vs-sp", clientSecret: "vs-sp-secret", name: "VS SP" };
const h = useEmulator({
  transitionMs: 60_000,
  users: [{ userName: "reader@example.com" }],
  servicePrincipals: [SP],
  foundationModels: ["databricks-gte-large-en"],
});

/** GET (or any method) with a JSON body, which `fetch` refuses to send. */
const rawCall = (method: string, url: string, token: string, body?: unknown): Promise<CallResult> =>
  new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      url,
      {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload
            ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") headers.set(k, v);
          resolve({ status: res.statusCode ?? 0, headers, text, json });
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });

const settle = () => h.emu.admin.advanceClock(h.transitionMs + 1);

const ok = (r: CallResult) => {
  expect(r.status, r.text).toBe(200);
  return asRecord(r.json);
};

const schema = JSON.stringify({
  id: "integer",
  text: "string",
  cat: "string",
  price: "double",
  tags: "array<string>",
  in_stock: "boolean",
  v: "array<float>",
});
const createDirect = async (name: string, extra: Record<string, unknown> = {}) =>
  h.call("POST", `${V}/indexes`, {
    name,
    endpoint_name: "ep",
    primary_key: "id",
    index_type: "DIRECT_ACCESS",
    direct_access_index_spec: {
      embedding_vector_columns: [{ name: "v", embedding_dimension: 3 }],
      schema_json: schema,
    },
    ...extra,
  });

const rows = [
  { id: 1, text: "red car fast", cat: "a", price: 10, tags: ["x", "y"], in_stock: true, v: [1, 0, 0] },
  { id: 2, text: "reddish boat", cat: "b", price: 20, tags: ["y"], in_stock: false, v: [0.9, 0.1, 0] },
  { id: 3, text: "blue car slow", cat: "c", price: 30, tags: ["z"], in_stock: true, v: [0, 1, 0] },
  { id: 4, text: "green bike", cat: "a", price: 40, tags: [], in_stock: false, v: [0, 0, 1] },
  { id: 5, text: "red bike", cat: "b", price: 50, tags: ["x"], in_stock: true, v: [0.5, 0.5, 0] },
];

const IDX = "main.default.docs";
const q = (body: Record<string, unknown>) => h.call("POST", `${V}/indexes/${IDX}/query`, body);
const ids = (r: CallResult) =>
  asArray(dig(r.json, "result", "data_array")).map((row) => (row as unknown[])[0]);

describe("endpoints", () => {
  it("creates PROVISIONING then ONLINE; duplicate 409; missing 404; list", async () => {
    const c = ok(await h.call("POST", `${V}/endpoints`, { name: "ep", endpoint_type: "STANDARD" }));
    expect(c.name).toBe("ep");
    expect(dig(c, "endpoint_status", "state")).toBe("PROVISIONING");
    expectError(
      await h.call("POST", `${V}/endpoints`, { name: "ep", endpoint_type: "STANDARD" }),
      409,
      "RESOURCE_ALREADY_EXISTS",
    );
    expectError(await h.call("GET", `${V}/endpoints/nope`), 404, "RESOURCE_DOES_NOT_EXIST");
    expectError(
      await h.call("POST", `${V}/endpoints`, { name: "x", endpoint_type: "HUGE" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /endpoint_type/,
    );
    settle();
    expect(dig(ok(await h.call("GET", `${V}/endpoints/ep`)), "endpoint_status", "state")).toBe("ONLINE");
    ok(await h.call("POST", `${V}/endpoints`, { name: "so", endpoint_type: "STORAGE_OPTIMIZED" }));
    const list = ok(await h.call("GET", `${V}/endpoints`));
    expect(asArray(list.endpoints).map((e) => asRecord(e).name)).toEqual(["ep", "so"]);
    expect(list.next_page_token).toBeUndefined();
  });
});

describe("direct access index", () => {
  it("creates, reports provisioning, then ONLINE_DIRECT_ACCESS with index_url", async () => {
    const c = ok(await createDirect(IDX));
    expect(c.index_type).toBe("DIRECT_ACCESS");
    expect(dig(c, "direct_access_index_spec", "schema_json")).toContain('"id":"int"');
    expect(dig(c, "direct_access_index_spec", "requested_schema_json")).toBe(schema);
    expect(dig(c, "status", "ready")).toBe(false);
    expect(dig(c, "status", "detailed_state")).toBe("PROVISIONING_INITIAL_SNAPSHOT");
    expectError(
      await h.call("POST", `${V}/indexes/${IDX}/upsert-data`, { inputs_json: "[]" }),
      400,
      "FAILED_PRECONDITION",
      /not ready/,
    );
    settle();
    const g = ok(await h.call("GET", `${V}/indexes/${IDX}`));
    expect(dig(g, "status", "ready")).toBe(true);
    expect(dig(g, "status", "detailed_state")).toBe("ONLINE_DIRECT_ACCESS");
    expect(dig(g, "status", "index_url")).toBe(
      `${h.emu.url.replace("http://", "")}${V}/data-plane/indexes/${IDX}`,
    );
    expectError(await createDirect(IDX), 409, "RESOURCE_ALREADY_EXISTS");
    const list = ok(await h.call("GET", `${V}/indexes`, undefined, { query: { endpoint_name: "ep" } }));
    expect(asArray(list.vector_indexes).map((i) => asRecord(i).name)).toEqual([IDX]);
    const legacy = ok(await h.call("GET", `${V}/endpoints/ep/indexes/${IDX}`));
    expect(legacy.name).toBe(IDX);
    const rr = ok(
      await h.call("GET", `${V}/indexes/${IDX}`, undefined, {
        query: { ensure_reranker_compatible: "true" },
      }),
    );
    expect(dig(rr, "status", "index_url")).toBe(dig(g, "status", "index_url"));
    // VSC joins workspace_url and path without stripping a trailing slash.
    expect(ok(await rawCall("GET", `${h.emu.url}/${V}/indexes/${IDX}`, h.emu.token)).name).toBe(IDX);
  });

  it("rejects bad create requests naming the field", async () => {
    expectError(await createDirect("nodots"), 400, "INVALID_PARAMETER_VALUE", /three-part/);
    expectError(
      await h.call("POST", `${V}/indexes`, {
        name: "main.default.bad",
        endpoint_name: "ep",
        primary_key: "nope",
        index_type: "DIRECT_ACCESS",
        direct_access_index_spec: {
          embedding_vector_columns: [{ name: "v", embedding_dimension: 3 }],
          schema_json: schema,
        },
      }),
      400,
      "INVALID_PARAMETER_VALUE",
      /primary_key 'nope'/,
    );
    expectError(
      await h.call("POST", `${V}/indexes`, {
        name: "main.default.bad",
        endpoint_name: "ep",
        primary_key: "id",
        index_type: "DIRECT_ACCESS",
        direct_access_index_spec: {
          embedding_vector_columns: [{ name: "v", embedding_dimension: 3 }],
          schema_json: '{"id":"int","v":"vector"}',
        },
      }),
      400,
      "INVALID_PARAMETER_VALUE",
      /column 'v' has unsupported type/,
    );
    expectError(
      await createDirect("main.default.bad", { endpoint_name: "missing" }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    expectError(
      await h.call("POST", `${V}/indexes`, {
        name: "main.default.delta",
        endpoint_name: "ep",
        primary_key: "id",
        index_type: "DELTA_SYNC",
        delta_sync_index_spec: {
          source_table: "main.default.src",
          pipeline_type: "TRIGGERED",
          embedding_source_columns: [
            { name: "text", embedding_model_endpoint_name: "databricks-gte-large-en" },
          ],
        },
      }),
      404,
      "TABLE_DOES_NOT_EXIST",
      /main.default.src/,
    );
  });

  it("upserts, reports PARTIAL_SUCCESS for rows without a key, rejects bad rows whole", async () => {
    const up = ok(
      await h.call("POST", `${V}/indexes/${IDX}/upsert-data`, { inputs_json: JSON.stringify(rows) }),
    );
    expect(up).toEqual({ status: "SUCCESS", result: { success_row_count: 5, failed_primary_keys: [] } });
    const partial = ok(
      await h.call("POST", `${V}/indexes/${IDX}/upsert-data`, {
        inputs_json: JSON.stringify([
          { text: "no key", v: [0, 0, 0] },
          { id: 99, text: "t", v: [0, 0, 0.5] },
        ]),
      }),
    );
    expect(partial).toEqual({
      status: "PARTIAL_SUCCESS",
      result: { success_row_count: 1, failed_primary_keys: [null] },
    });
    expectError(
      await h.call("POST", `${V}/indexes/${IDX}/upsert-data`, {
        inputs_json: JSON.stringify([
          { id: 100, text: "ok", v: [0, 0, 1] },
          { id: 101, text: "t", v: [1, 2] },
        ]),
      }),
      400,
      "INVALID_PARAMETER_VALUE",
      /inputs_json\[1\] \(primary key 101\): column 'v' has 2 dimensions; the index expects embedding_dimension 3/,
    );
    expectError(
      await h.call("POST", `${V}/indexes/${IDX}/upsert-data`, {
        inputs_json: JSON.stringify([{ id: 102, colour: "x", v: [0, 0, 1] }]),
      }),
      400,
      "INVALID_PARAMETER_VALUE",
      /unknown column 'colour'/,
    );
    expectError(
      await h.call("POST", `${V}/indexes/${IDX}/upsert-data`, {
        inputs_json: JSON.stringify(Array.from({ length: 10_001 }, (_, i) => ({ id: i }))),
      }),
      400,
      "RESOURCE_LIMIT_EXCEEDED",
      /at most 10000 rows/,
    );
    // Nothing of the rejected requests was applied: 100 is absent.
    const scan = ok(await h.call("POST", `${V}/indexes/${IDX}/scan`, { num_results: 100 }));
    expect(asArray(scan.data).map((d) => dig(d, "fields", 0, "value", "number_value"))).toEqual([
      1, 2, 3, 4, 5, 99,
    ]);
    ok(
      await h.call("DELETE", `${V}/indexes/${IDX}/delete-data`, undefined, { query: { primary_keys: "99" } }),
    );
  });

  it("queries with GET + JSON body (VSC) and POST alike; score is the last column", async () => {
    const body = {
      num_results: 3,
      columns: ["id", "text"],
      filters_json: null,
      filter_string: null,
      debug_level: 0,
      query_vector: [1, 0, 0],
    };
    const viaGet = await rawCall("GET", `${h.emu.url}${V}/indexes/${IDX}/query`, h.emu.token, body);
    const r = ok(viaGet);
    expect(r.manifest).toEqual({
      column_count: 3,
      columns: [{ name: "id" }, { name: "text" }, { name: "score" }],
    });
    expect(r.next_page_token).toBe("");
    const data = asArray(dig(r, "result", "data_array")) as unknown[][];
    expect(data.map((row) => row[0])).toEqual([1, 2, 5]);
    expect(data[0]?.[2]).toBe(1);
    const scores = data.map((row) => row[2] as number);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(ok(await q(body))).toEqual(r);
  });

  it("filters_json grammar: comparisons, NOT, lists, OR keys, LIKE tokens, booleans, arrays", async () => {
    const base = { columns: ["id"], query_vector: [0, 0, 0], num_results: 10 };
    const f = async (filters: unknown) =>
      (ids(await q({ ...base, filters_json: JSON.stringify(filters) })) as number[]).sort();
    expect(await f({ "id <": 3 })).toEqual([1, 2]);
    expect(await f({ "price >=": 20, "price <=": 40 })).toEqual([2, 3, 4]);
    expect(await f({ "id NOT": 3 })).toEqual([1, 2, 4, 5]);
    expect(await f({ cat: ["a", "b"] })).toEqual([1, 2, 4, 5]);
    expect(await f({ "cat OR text": ["c", "green bike"] })).toEqual([3, 4]);
    expect(await f({ "text LIKE": "red" })).toEqual([1, 5]);
    expect(await f({ in_stock: true })).toEqual([1, 3, 5]);
    expect(await f({ tags: "x" })).toEqual([1, 5]);
    expect(await f({ "id NOT": [1, 2] })).toEqual([3, 4, 5]);
    expectError(
      await q({ ...base, filters_json: '{"colour": "x"}' }),
      400,
      "INVALID_PARAMETER_VALUE",
      /unknown column 'colour'/,
    );
    expectError(
      await q({ ...base, filters_json: '{"id <> ": 1}' }),
      400,
      "INVALID_PARAMETER_VALUE",
      /malformed filter key 'id <> '/,
    );
    expectError(
      await q({ ...base, filters_json: "{bad" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /filters_json is not valid JSON/,
    );
    expectError(
      await q({ ...base, filter_string: "id < 3" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /STORAGE_OPTIMIZED/,
    );
  });

  it("validates columns, dimensions and query types", async () => {
    expectError(
      await q({ columns: ["id", "nope"], query_vector: [1, 0, 0] }),
      400,
      "INVALID_PARAMETER_VALUE",
      /columns: unknown column 'nope'/,
    );
    expectError(
      await q({ columns: ["id"], query_vector: [1, 0] }),
      400,
      "INVALID_PARAMETER_VALUE",
      /query_vector has 2 dimensions but index 'main.default.docs' has embedding dimension 3/,
    );
    expectError(
      await q({ columns: ["id"], query_text: "red" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /query_vector is required/,
    );
    expectError(
      await q({ columns: ["id"], query_vector: [1, 0, 0], query_type: "SEMANTIC" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /query_type must be one of/,
    );
    expectError(
      await q({ columns: ["id"], query_vector: [1, 0, 0], num_results: 10_001 }),
      400,
      "INVALID_PARAMETER_VALUE",
      /num_results must be at most 10000/,
    );
    expectError(await q({ query_vector: [1, 0, 0] }), 400, "INVALID_PARAMETER_VALUE", /columns is required/);
    ok(
      await h.call("POST", `${V}/indexes`, {
        name: "main.default.notext",
        endpoint_name: "ep",
        primary_key: "id",
        index_type: "DIRECT_ACCESS",
        direct_access_index_spec: {
          embedding_vector_columns: [{ name: "v", embedding_dimension: 2 }],
          schema_json: JSON.stringify({ id: "int", v: "array<float>" }),
        },
      }),
    );
    settle();
    expectError(
      await h.call("POST", `${V}/indexes/main.default.notext/query`, {
        columns: ["id"],
        query_text: "x",
        query_vector: [1, 0],
        query_type: "HYBRID",
      }),
      400,
      "INVALID_PARAMETER_VALUE",
      /query_type HYBRID is not supported by index 'main.default.notext': it has no text columns/,
    );
  });

  it("HYBRID (lowercase accepted) fuses ranks; FULL_TEXT ranks by BM25; score_threshold; rerankers", async () => {
    const hy = ok(
      await q({
        columns: ["id"],
        query_vector: [0, 0, 1],
        query_text: "red bike",
        query_type: "hybrid",
        num_results: 3,
      }),
    );
    const hyIds = (asArray(dig(hy, "result", "data_array")) as unknown[][]).map((r) => r[0]);
    // id 4 is the nearest vector and matches "bike"; id 5 matches both words.
    expect(hyIds.slice(0, 2).sort()).toEqual([4, 5]);
    const ft = ok(await q({ columns: ["id"], query_text: "red", query_type: "FULL_TEXT", num_results: 10 }));
    expect((asArray(dig(ft, "result", "data_array")) as unknown[][]).map((r) => r[0]).sort()).toEqual([1, 5]);
    const th = ok(await q({ columns: ["id"], query_vector: [1, 0, 0], score_threshold: 0.8 }));
    expect((asArray(dig(th, "result", "data_array")) as unknown[][]).map((r) => r[0])).toEqual([1, 2]);
    const rr = ok(
      await q({
        columns: ["id", "text"],
        query_vector: [0, 1, 0],
        query_text: "red bike",
        reranker: { model: "databricks_reranker", parameters: { columns_to_rerank: ["text"] } },
        num_results: 2,
      }),
    );
    const rrRows = asArray(dig(rr, "result", "data_array")) as unknown[][];
    expect(rrRows.map((r) => r[0])).toEqual([5, 1]);
    expect(rrRows[0]?.[2]).toBe(1);
    const legacy = ok(
      await q({
        columns: ["id", "text"],
        query_vector: [0, 1, 0],
        query_text: "red bike",
        columns_to_rerank: ["text"],
        num_results: 2,
      }),
    );
    expect(legacy.result).toEqual(rr.result);
  });

  it("scans by primary key and deletes by repeated, comma-joined and body keys", async () => {
    const p1 = ok(
      await rawCall("GET", `${h.emu.url}${V}/indexes/${IDX}/scan`, h.emu.token, {
        num_results: 2,
        endpoint_name: "ep",
      }),
    );
    expect(p1.last_primary_key).toBe("2");
    expect(asArray(p1.data)[0]).toEqual({
      fields: [
        { key: "id", value: { number_value: 1 } },
        { key: "text", value: { string_value: "red car fast" } },
        { key: "cat", value: { string_value: "a" } },
        { key: "price", value: { number_value: 10 } },
        { key: "tags", value: { list_value: { values: [{ string_value: "x" }, { string_value: "y" }] } } },
        { key: "in_stock", value: { bool_value: true } },
        {
          key: "v",
          value: { list_value: { values: [{ number_value: 1 }, { number_value: 0 }, { number_value: 0 }] } },
        },
      ],
    });
    const p2 = ok(
      await h.call("POST", `${V}/indexes/${IDX}/scan`, {
        num_results: 2,
        last_primary_key: p1.last_primary_key,
      }),
    );
    expect(asArray(p2.data).map((d) => dig(d, "fields", 0, "value", "number_value"))).toEqual([3, 4]);
    const url = `${h.emu.url}${V}/indexes/${IDX}/delete-data`;
    expect(ok(await rawCall("DELETE", `${url}?primary_keys=1&primary_keys=2`, h.emu.token)).status).toBe(
      "SUCCESS",
    );
    ok(await rawCall("DELETE", `${url}?primary_keys=3,4`, h.emu.token));
    ok(await rawCall("DELETE", url, h.emu.token, { primary_keys: ["5"] }));
    expect(ok(await h.call("POST", `${V}/indexes/${IDX}/scan`, {}))).toEqual({});
    expect(dig(ok(await h.call("GET", `${V}/indexes/${IDX}`)), "status", "indexed_row_count")).toBe(0);
  });

  it("pages 1500 matches as 1000 + 500 with query-next-page (GET and POST)", async () => {
    const many = Array.from({ length: 1500 }, (_, i) => ({
      id: i + 1,
      text: `doc ${i}`,
      v: [i / 1500, 1, 0],
    }));
    ok(await h.call("POST", `${V}/indexes/${IDX}/upsert-data`, { inputs_json: JSON.stringify(many) }));
    const first = ok(await q({ columns: ["id"], query_vector: [0, 1, 0], num_results: 1500 }));
    expect(dig(first, "result", "row_count")).toBe(1000);
    const token = first.next_page_token as string;
    expect(token).not.toBe("");
    const next = ok(
      await rawCall("GET", `${h.emu.url}${V}/indexes/${IDX}/query-next-page`, h.emu.token, {
        page_token: token,
        endpoint_name: "ep",
      }),
    );
    expect(dig(next, "result", "row_count")).toBe(500);
    expect(next.next_page_token).toBe("");
    expectError(
      await h.call("POST", `${V}/indexes/${IDX}/query-next-page`, { page_token: token }),
      400,
      "INVALID_PARAMETER_VALUE",
      /invalid or expired/,
    );
    const all = [
      ...asArray(dig(first, "result", "data_array")),
      ...asArray(dig(next, "result", "data_array")),
    ];
    expect(new Set(all.map((r) => (r as unknown[])[0])).size).toBe(1500);
    const capped = ok(
      await q({
        columns: ["id"],
        query_vector: [0, 1, 0],
        query_text: "doc",
        query_type: "HYBRID",
        num_results: 500,
      }),
    );
    expect(dig(capped, "result", "row_count")).toBe(200);
  });
});

describe("managed embeddings, storage-optimized filters, auth", () => {
  const M = "main.default.managed";
  it("embeds the source column with the workspace embedding endpoint; queries by text", async () => {
    ok(
      await h.call("POST", `${V}/endpoints/so/indexes`, {
        name: M,
        primary_key: "id",
        index_type: "DIRECT_ACCESS",
        direct_access_index_spec: {
          embedding_source_columns: [
            { name: "text", embedding_model_endpoint_name: "databricks-gte-large-en" },
          ],
          schema_json: JSON.stringify({ id: "string", text: "string", lang: "string", n: "int" }),
        },
      }),
    );
    settle();
    const docs = [
      { id: "a", text: "Databricks vector search indexes embeddings", lang: "en", n: 1 },
      { id: "b", text: "Le chat dort sur le canapé", lang: "fr", n: 2 },
      { id: "c", text: "Vector search finds similar embeddings fast", lang: "en", n: 3 },
    ];
    ok(await h.call("POST", `${V}/indexes/${M}/upsert-data`, { inputs_json: JSON.stringify(docs) }));
    const r = ok(
      await h.call("POST", `${V}/indexes/${M}/query`, {
        columns: ["id", "text"],
        query_text: "vector search embeddings",
        num_results: 3,
      }),
    );
    const got = (asArray(dig(r, "result", "data_array")) as unknown[][]).map((x) => x[0]);
    expect(got[2]).toBe("b");
    const fs = ok(
      await h.call("POST", `${V}/indexes/${M}/query`, {
        columns: ["id"],
        query_text: "x",
        filter_string: "lang = 'en' AND n >= 3",
      }),
    );
    expect((asArray(dig(fs, "result", "data_array")) as unknown[][]).map((x) => x[0])).toEqual(["c"]);
    expectError(
      await h.call("POST", `${V}/indexes/${M}/query`, {
        columns: ["id"],
        query_text: "x",
        filter_string: "lang = ",
      }),
      400,
      "INVALID_PARAMETER_VALUE",
      /filter_string: expected a value/,
    );
    expectError(
      await h.call("POST", `${V}/indexes/${M}/query`, {
        columns: ["id"],
        query_text: "x",
        filters_json: '{"lang":"en"}',
      }),
      400,
      "INVALID_PARAMETER_VALUE",
      /not supported on STORAGE_OPTIMIZED/,
    );
  });

  it("service principals use the data-plane URL with a token scoped by authorization_details; PATs do not", async () => {
    const tokenFor = async (details: unknown[]) => {
      const form = new URLSearchParams({ grant_type: "client_credentials", scope: "all-apis" });
      if (details.length > 0) form.set("authorization_details", JSON.stringify(details));
      const res = await fetch(`${h.emu.url}/oidc/v1/token`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${SP.clientId}:${SP.clientSecret}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: form,
      });
      const j = asRecord(await res.json());
      expect(Object.keys(j).sort()).toEqual(["access_token", "expires_in", "scope", "token_type"]);
      return j.access_token as string;
    };
    const read = [
      {
        type: "unity_catalog_permission",
        securable_type: "table",
        securable_object_name: M,
        operation: "ReadVectorIndex",
      },
    ];
    const scoped = await tokenFor(read);
    const idx = ok(await h.call("GET", `${V}/indexes/${M}`));
    const dataUrl = `http://${dig(idx, "status", "index_url") as string}`;
    const body = { columns: ["id"], query_text: "vector", num_results: 1 };
    // The SP has no grant yet: scoped token but no SELECT.
    expectError(
      await rawCall("GET", `${dataUrl}/query`, scoped, body),
      403,
      "PERMISSION_DENIED",
      /does not have SELECT/,
    );
    ok(
      await h.call("PATCH", `${V}/indexes/${M}/permissions`, {
        changes: [{ principal: SP.clientId, add: ["SELECT"] }],
      }),
    );
    expect(dig(ok(await rawCall("GET", `${dataUrl}/query`, scoped, body)), "result", "row_count")).toBe(1);
    // Read scope does not allow writes; an unscoped token and a PAT are refused on the data plane.
    expectError(
      await rawCall("POST", `${dataUrl}/upsert-data`, scoped, { inputs_json: "[]" }),
      403,
      "PERMISSION_DENIED",
      /WriteVectorIndex/,
    );
    expectError(
      await rawCall("POST", `${dataUrl}/query`, await tokenFor([]), body),
      403,
      "PERMISSION_DENIED",
      /not scoped/,
    );
    expectError(
      await rawCall("POST", `${dataUrl}/query`, h.emu.token, body),
      403,
      "PERMISSION_DENIED",
      /personal access token/,
    );
    // Users without a grant cannot see the index; ACLs are per principal.
    const reader = h.emu.users[0]?.token as string;
    expectError(
      await callEmulator(h.emu, "POST", `${V}/indexes/${M}/query`, body, { token: reader }),
      403,
      "PERMISSION_DENIED",
    );
    expect(ok(await callEmulator(h.emu, "GET", `${V}/indexes`, undefined, { token: reader }))).toEqual({});
  });

  it("sync is refused on direct access; delete then 404", async () => {
    expectError(
      await h.call("POST", `${V}/indexes/${M}/sync`),
      400,
      "INVALID_PARAMETER_VALUE",
      /DIRECT_ACCESS/,
    );
    expect(ok(await h.call("DELETE", `${V}/indexes/${M}`))).toEqual({});
    expectError(await h.call("GET", `${V}/indexes/${M}`), 404, "RESOURCE_DOES_NOT_EXIST");
    expect(ok(await h.call("DELETE", `${V}/endpoints/so`))).toEqual({});
  });
});
