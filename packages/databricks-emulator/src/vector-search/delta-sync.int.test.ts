/**
 * DELTA_SYNC indexes over the emulator's Unity Catalog tables (created with SQL through the Statement Execution
 * API): TRIGGERED sync, CONTINUOUS freshness, managed and self-managed embeddings, SELECT checks, refused writes.
 */
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
const h = useEmulator({
  transitionMs: 60_000,
  users: [{ userName: "nosel@example.com" }],
  foundationModels: ["databricks-gte-large-en"],
});
const settle = () => h.emu.admin.advanceClock(60_001);
const ok = (r: CallResult) => {
  expect(r.status, r.text).toBe(200);
  return asRecord(r.json);
};
// Array literals are written [a, b]: the emulator's SQL translation does not take array(...) yet.
const sql = async (statement: string) => {
  const r = ok(
    await h.call("POST", "/api/2.0/sql/statements", { statement, warehouse_id: h.emu.warehouseId }),
  );
  expect(dig(r, "status", "state"), JSON.stringify(r)).toBe("SUCCEEDED");
  return r;
};
const ids = (r: Record<string, unknown>) =>
  (asArray(dig(r, "result", "data_array")) as unknown[][]).map((row) => row[0]);

const create = (name: string, spec: Record<string, unknown>) =>
  h.call("POST", `${V}/indexes`, {
    name,
    endpoint_name: "ep",
    primary_key: "id",
    index_type: "DELTA_SYNC",
    delta_sync_index_spec: { source_table: "main.default.docs", ...spec },
  });

describe("DELTA_SYNC over Unity Catalog tables", () => {
  it("TRIGGERED with managed embeddings: initial snapshot, sync picks up new rows, writes refused", async () => {
    ok(await h.call("POST", `${V}/endpoints`, { name: "ep", endpoint_type: "STANDARD" }));
    await sql("CREATE TABLE main.default.docs (id BIGINT, body STRING, emb ARRAY<FLOAT>)");
    await sql(
      "INSERT INTO main.default.docs VALUES (1, 'vector search finds similar documents', [1.0, 0.0]), (2, 'bread recipes with flour', [0.0, 1.0])",
    );
    const c = ok(
      await create("main.default.docs_managed", {
        pipeline_type: "TRIGGERED",
        embedding_source_columns: [
          { name: "body", embedding_model_endpoint_name: "databricks-gte-large-en" },
        ],
      }),
    );
    expect(dig(c, "delta_sync_index_spec", "pipeline_id")).toEqual(expect.any(String));
    expect(dig(c, "status", "ready")).toBe(false);
    settle();
    const g = ok(await h.call("GET", `${V}/indexes/main.default.docs_managed`));
    expect(dig(g, "status", "detailed_state")).toBe("ONLINE_NO_PENDING_UPDATE");
    expect(dig(g, "status", "indexed_row_count")).toBe(2);
    const q = { columns: ["id", "body"], query_text: "similar documents search", num_results: 1 };
    expect(ids(ok(await h.call("POST", `${V}/indexes/main.default.docs_managed/query`, q)))).toEqual([1]);

    await sql(
      "INSERT INTO main.default.docs VALUES (3, 'search engines rank similar documents quickly', [0.5, 0.5])",
    );
    const before = ok(
      await h.call("POST", `${V}/indexes/main.default.docs_managed/query`, { ...q, num_results: 5 }),
    );
    expect(ids(before).sort()).toEqual([1, 2]);
    expect(ok(await h.call("POST", `${V}/indexes/main.default.docs_managed/sync`))).toEqual({});
    const after = ok(
      await h.call("POST", `${V}/indexes/main.default.docs_managed/query`, { ...q, num_results: 5 }),
    );
    expect(ids(after).sort()).toEqual([1, 2, 3]);

    expectError(
      await h.call("POST", `${V}/indexes/main.default.docs_managed/upsert-data`, { inputs_json: "[]" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /DELTA_SYNC index: its rows come from main.default.docs/,
    );
    expectError(
      await h.call("DELETE", `${V}/indexes/main.default.docs_managed/delete-data`, { primary_keys: ["1"] }),
      400,
      "INVALID_PARAMETER_VALUE",
      /DELTA_SYNC/,
    );
  });

  it("CONTINUOUS with self-managed vectors and columns_to_sync stays fresh without sync", async () => {
    ok(
      await create("main.default.docs_cont", {
        pipeline_type: "CONTINUOUS",
        columns_to_sync: ["body", "emb"],
        embedding_vector_columns: [{ name: "emb", embedding_dimension: 2 }],
      }),
    );
    settle();
    const q = { columns: ["id", "emb"], query_vector: [0, 1], num_results: 10 };
    expect(ids(ok(await h.call("POST", `${V}/indexes/main.default.docs_cont/query`, q)))[0]).toBe(2);
    await sql("INSERT INTO main.default.docs VALUES (4, 'new', [0.0, 1.0])");
    const fresh = ok(await h.call("POST", `${V}/indexes/main.default.docs_cont/query`, q));
    expect(ids(fresh).slice(0, 2).sort()).toEqual([2, 4]);
    expectError(
      await h.call("POST", `${V}/indexes/main.default.docs_cont/sync`),
      400,
      "INVALID_PARAMETER_VALUE",
      /CONTINUOUS/,
    );
  });

  it("creating needs SELECT on the source table; unknown tables are 404", async () => {
    const token = h.emu.users[0]?.token as string;
    ok(
      await callEmulator(
        h.emu,
        "POST",
        `${V}/endpoints`,
        { name: "ep2", endpoint_type: "STANDARD" },
        { token },
      ),
    );
    const r = await callEmulator(
      h.emu,
      "POST",
      `${V}/indexes`,
      {
        name: "main.default.denied",
        endpoint_name: "ep2",
        primary_key: "id",
        index_type: "DELTA_SYNC",
        delta_sync_index_spec: {
          source_table: "main.default.docs",
          embedding_vector_columns: [{ name: "emb", embedding_dimension: 2 }],
        },
      },
      { token },
    );
    expectError(r, 403, "PERMISSION_DENIED", /SELECT/);
    expectError(
      await h.call("POST", `${V}/indexes`, {
        name: "main.default.nosrc",
        endpoint_name: "ep",
        primary_key: "id",
        index_type: "DELTA_SYNC",
        delta_sync_index_spec: {
          source_table: "main.default.missing",
          embedding_vector_columns: [{ name: "emb", embedding_dimension: 2 }],
        },
      }),
      404,
      "TABLE_DOES_NOT_EXIST",
    );
  });
});
