/** Conformance: SQL warehouses, Statement Execution API and ai_query (spec/sql.md, cases S1-S16). */
import { describe, expect, it } from "vitest";
import {
  asArray,
  asRecord,
  createReady,
  customEndpoint,
  dig,
  expectError,
  useEmulator,
} from "../../test-support/conformance.js";

const VIEWER = { userName: "viewer@example.com", token: "dapi-viewer-0000000000000000000000" };
const CHAT = "databricks-meta-llama-3-3-70b-instruct";
const EMBED = "databricks-gte-large-en";

describe("SQL statements", () => {
  const h = useEmulator({
    users: [VIEWER],
    sql: { chunkRows: 2 },
    models: {
      "cat.sch.echo": { predict: (records) => (records as { x: number }[]).map((r) => r.x * 2) },
      "cat.sch.broken": {
        predict: () => {
          throw new Error("model exploded");
        },
      },
    },
  });
  const exec = async (statement: string, extra: Record<string, unknown> = {}, token?: string) => {
    const res = await h.call(
      "POST",
      "/api/2.0/sql/statements",
      { statement, warehouse_id: h.emu.warehouseId, ...extra },
      token === undefined ? {} : { token },
    );
    return res;
  };
  const ok = async (statement: string, extra: Record<string, unknown> = {}) => {
    const res = await exec(statement, extra);
    expect(res.status, res.text).toBe(200);
    expect(dig(res.json, "status", "state"), res.text).toBe("SUCCEEDED");
    return asRecord(res.json);
  };
  const poll = async (id: string): Promise<Record<string, unknown>> => {
    for (;;) {
      const res = await h.call("GET", `/api/2.0/sql/statements/${id}`);
      expect(res.status, res.text).toBe(200);
      const state = dig(res.json, "status", "state");
      if (state !== "PENDING" && state !== "RUNNING") return asRecord(res.json);
      await h.emu.sql.statementExecution(id);
    }
  };

  it("S1: SELECT 1 AS x -> SUCCEEDED, INT column, data_array [['1']]", async () => {
    const body = await ok("SELECT 1 AS x");
    expect(dig(body, "manifest", "schema", "columns")).toEqual([
      { name: "x", position: 0, type_name: "INT", type_text: "INT" },
    ]);
    expect(dig(body, "result", "data_array")).toEqual([["1"]]);
    expect(dig(body, "manifest", "truncated")).toBe(false);
  });

  it("S2: wait_timeout 0s -> PENDING without result; polling reaches SUCCEEDED with chunk 0", async () => {
    const res = await exec("SELECT 42 AS answer", { wait_timeout: "0s" });
    expect(res.status).toBe(200);
    expect(dig(res.json, "status", "state")).toBe("PENDING");
    expect(asRecord(res.json).result).toBeUndefined();
    const done = await poll(String(dig(res.json, "statement_id")));
    expect(dig(done, "status", "state")).toBe("SUCCEEDED");
    expect(dig(done, "result", "data_array")).toEqual([["42"]]);
  });

  it("S3: wait_timeout 3s or 60s -> 400 INVALID_PARAMETER_VALUE", async () => {
    expectError(await exec("SELECT 1", { wait_timeout: "3s" }), 400, "INVALID_PARAMETER_VALUE");
    expectError(await exec("SELECT 1", { wait_timeout: "60s" }), 400, "INVALID_PARAMETER_VALUE");
  });

  it("S4: a slow statement with 5s + CANCEL -> CANCELED; cancel on RUNNING -> 200 {} then CANCELED", async () => {
    const slow = "SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3";
    const canceled = await exec(slow, { wait_timeout: "5s", on_wait_timeout: "CANCEL" });
    expect(canceled.status).toBe(200);
    expect(dig(canceled.json, "status", "state")).toBe("CANCELED");
    const running = await exec(slow, { wait_timeout: "0s" });
    const id = String(dig(running.json, "statement_id"));
    // The server keeps answering while the statement runs on DuckDB's threads.
    const meanwhile = await h.call("GET", "/api/2.0/sql/warehouses");
    expect(meanwhile.status).toBe(200);
    expect(["PENDING", "RUNNING"]).toContain(
      dig((await h.call("GET", `/api/2.0/sql/statements/${id}`)).json, "status", "state"),
    );
    const c = await h.call("POST", `/api/2.0/sql/statements/${id}/cancel`, {});
    expect(c.status).toBe(200);
    expect(c.json).toEqual({});
    expect(dig(await poll(id), "status", "state")).toBe("CANCELED");
  });

  it("S5: bad SQL -> 200 FAILED with error_code, message and sql_state", async () => {
    const res = await exec("SELEC 1");
    expect(res.status).toBe(200);
    expect(dig(res.json, "status", "state")).toBe("FAILED");
    expect(dig(res.json, "status", "sql_state")).toBe("42601");
    expect(dig(res.json, "status", "error", "error_code")).toBe("BAD_REQUEST");
    expect(String(dig(res.json, "status", "error", "message"))).toMatch(/^\[PARSE_SYNTAX_ERROR\] .*SELEC/);
    const missing = await exec("SELECT * FROM main.default.no_such_table");
    expect(dig(missing.json, "status", "sql_state")).toBe("42P01");
    expect(String(dig(missing.json, "status", "error", "message"))).toMatch(/^\[TABLE_OR_VIEW_NOT_FOUND\]/);
  });

  it("S6: unknown warehouse_id -> 404 envelope, not a FAILED statement", async () => {
    const res = await h.call("POST", "/api/2.0/sql/statements", {
      statement: "SELECT 1",
      warehouse_id: "nope",
    });
    expectError(res, 404, "RESOURCE_DOES_NOT_EXIST");
  });

  it("S7: named parameters: typed INT, missing value is NULL, numeric value accepted, unbound fails", async () => {
    const body = await ok("SELECT :n + 1 AS y, :m AS m, :k * 2 AS k", {
      parameters: [
        { name: "n", value: "5", type: "INT" },
        { name: "m" },
        { name: "k", value: 21, type: "BIGINT" },
      ],
    });
    expect(dig(body, "result", "data_array")).toEqual([["6", null, "42"]]);
    const unbound = await exec("SELECT :nope AS x");
    expect(dig(unbound.json, "status", "state")).toBe("FAILED");
    expect(String(dig(unbound.json, "status", "error", "message"))).toMatch(/UNBOUND_SQL_PARAMETER/);
  });

  it("S8/S9: row_limit truncates; INLINE chunks chain through next_chunk_internal_link", async () => {
    await ok(
      "CREATE OR REPLACE TABLE main.default.five AS SELECT range AS id, 'row ' || range AS txt FROM range(5)",
    );
    const limited = await ok("SELECT * FROM main.default.five ORDER BY id", { row_limit: 2 });
    expect(dig(limited, "manifest", "truncated")).toBe(true);
    expect(dig(limited, "manifest", "total_row_count")).toBe(2);
    const all = await ok("SELECT * FROM `main`.`default`.five ORDER BY id");
    expect(dig(all, "manifest", "total_chunk_count")).toBe(3);
    const rows = [...asArray(dig(all, "result", "data_array"))];
    let link = dig(all, "result", "next_chunk_internal_link");
    expect(dig(all, "result", "next_chunk_index")).toBe(1);
    while (typeof link === "string") {
      const next = await h.call("GET", link);
      expect(next.status).toBe(200);
      rows.push(...asArray(dig(next.json, "data_array")));
      link = dig(next.json, "next_chunk_internal_link");
    }
    expect(rows).toEqual([0, 1, 2, 3, 4].map((i) => [String(i), `row ${i}`]));
    const c2 = await h.call("GET", `/api/2.0/sql/statements/${String(all.statement_id)}/result/chunks/2`);
    expect(dig(c2.json, "row_offset")).toBe(4);
    expect(asRecord(c2.json).next_chunk_index).toBeUndefined();
  });

  it("S10: INLINE with CSV or ARROW_STREAM -> 400", async () => {
    expectError(await exec("SELECT 1", { format: "CSV" }), 400, "INVALID_PARAMETER_VALUE");
    expectError(
      await exec("SELECT 1", { format: "ARROW_STREAM", disposition: "INLINE" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
  });

  it("S11: EXTERNAL_LINKS + CSV: fetchable without auth, refused with auth, header in chunk 0 only, tamper/expiry 403", async () => {
    const body = await ok("SELECT id, txt FROM main.default.five ORDER BY id", {
      disposition: "EXTERNAL_LINKS",
      format: "CSV",
    });
    const links = asArray(dig(body, "result", "external_links"));
    expect(links).toHaveLength(1);
    const first = asRecord(links[0]);
    expect(Date.parse(String(first.expiration))).toBeGreaterThan(h.emu.admin.now());
    const url = String(first.external_link);
    const plain = await fetch(url);
    expect(plain.status).toBe(200);
    expect(await plain.text()).toBe("id,txt\n0,row 0\n1,row 1\n");
    const withAuth = await fetch(url, { headers: { Authorization: `Bearer ${h.emu.token}` } });
    expect(withAuth.status).toBe(400);
    const chunk1 = await h.call(
      "GET",
      `/api/2.0/sql/statements/${String(body.statement_id)}/result/chunks/1`,
    );
    const link1 = String(dig(chunk1.json, "external_links", 0, "external_link"));
    expect(await (await fetch(link1)).text()).toBe("2,row 2\n3,row 3\n");
    // Change the signature's first character to a different one (replacing it by a fixed "0" was a no-op for the
    // one signature in 16 that starts with "0").
    const tampered = url.replace(
      /X-Signature=(.)/,
      (_m, c: string) => `X-Signature=${c === "0" ? "1" : "0"}`,
    );
    expect(tampered).not.toBe(url);
    expect((await fetch(tampered)).status).toBe(403);
    h.emu.admin.advanceClock(16 * 60 * 1000);
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain("Request has expired");
  });

  it("ARROW_STREAM links carry an Arrow IPC stream", async () => {
    const body = await ok("SELECT id, txt FROM main.default.five ORDER BY id", {
      disposition: "EXTERNAL_LINKS",
      format: "ARROW_STREAM",
    });
    const res = await fetch(String(dig(body, "result", "external_links", 0, "external_link")));
    expect(res.headers.get("content-type")).toContain("arrow");
    const { tableFromIPC } = await import("apache-arrow");
    const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
    expect(table.numRows).toBe(2);
    expect(table.getChild("txt")?.toArray()).toEqual(["row 0", "row 1"]);
  });

  it("S13: GET on an unknown statement id -> 404", async () => {
    expectError(await h.call("GET", "/api/2.0/sql/statements/01f0-nope"), 404, "RESOURCE_DOES_NOT_EXIST");
  });

  it("S14: warehouse create -> STARTING -> RUNNING; stop -> STOPPED; start -> RUNNING; delete -> 404", async () => {
    const created = await h.call("POST", "/api/2.0/sql/warehouses", {
      name: "wh-test",
      cluster_size: "Small",
    });
    expect(created.status, created.text).toBe(200);
    const id = String(dig(created.json, "id"));
    const state = async () => dig((await h.call("GET", `/api/2.0/sql/warehouses/${id}`)).json, "state");
    expect(await state()).toBe("RUNNING"); // transitionMs 0 in this suite
    expect((await h.call("POST", `/api/2.0/sql/warehouses/${id}/stop`, {})).json).toEqual({});
    expect(await state()).toBe("STOPPED");
    // A statement on a stopped warehouse starts it.
    const res = await h.call("POST", "/api/2.0/sql/statements", {
      statement: "SELECT 1 AS one",
      warehouse_id: id,
    });
    expect(dig(res.json, "status", "state")).toBe("SUCCEEDED");
    expect(await state()).toBe("RUNNING");
    await h.call("POST", `/api/2.0/sql/warehouses/${id}/edit`, { name: "wh-renamed", auto_stop_mins: 30 });
    expect(dig((await h.call("GET", `/api/2.0/sql/warehouses/${id}`)).json, "name")).toBe("wh-renamed");
    expectError(
      await h.call("POST", `/api/2.0/sql/warehouses/${id}/edit`, { auto_stop_mins: 5 }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    expect((await h.call("DELETE", `/api/2.0/sql/warehouses/${id}`)).status).toBe(200);
    expectError(await h.call("GET", `/api/2.0/sql/warehouses/${id}`), 404, "RESOURCE_DOES_NOT_EXIST");
    const list = await h.call("GET", "/api/2.0/sql/warehouses");
    expect(asArray(dig(list.json, "warehouses")).map((w) => dig(w, "id"))).toEqual([h.emu.warehouseId]);
  });

  it("S15: ai_query over chat and embeddings endpoints", async () => {
    const chat = await ok(`SELECT ai_query('${CHAT}', txt) AS r FROM main.default.five ORDER BY id LIMIT 2`);
    expect(dig(chat, "manifest", "schema", "columns", 0, "type_text")).toBe("STRING");
    expect(String(dig(chat, "result", "data_array", 0, 0))).toContain("row 0");
    const emb = await ok(`SELECT ai_query('${EMBED}', 'hello') AS e`);
    expect(dig(emb, "manifest", "schema", "columns", 0, "type_text")).toBe("ARRAY<FLOAT>");
    const vec = JSON.parse(String(dig(emb, "result", "data_array", 0, 0))) as number[];
    expect(vec.length).toBeGreaterThan(100);
  });

  it("S15b: custom models with returnType; failOnError => false returns {result, errorMessage}", async () => {
    await createReady(h, customEndpoint("echo-ep", "cat.sch.echo"));
    await createReady(h, customEndpoint("broken-ep", "cat.sch.broken"));
    const doubled = await ok(
      "SELECT ai_query('echo-ep', named_struct('x', id), returnType => 'BIGINT') AS d FROM main.default.five ORDER BY id",
    );
    expect(asArray(dig(doubled, "result", "data_array"))).toEqual([["0"], ["2"]]);
    const failed = await exec(
      "SELECT ai_query('broken-ep', named_struct('x', 1), returnType => 'BIGINT') AS d",
    );
    expect(dig(failed.json, "status", "state")).toBe("FAILED");
    expect(String(dig(failed.json, "status", "error", "message"))).toMatch(
      /^\[AI_FUNCTION_HTTP_REQUEST_ERROR\].*model exploded/,
    );
    const soft = await ok(
      "SELECT ai_query('broken-ep', named_struct('x', 1), returnType => 'BIGINT', failOnError => false) AS d",
    );
    const cell = JSON.parse(String(dig(soft, "result", "data_array", 0, 0))) as Record<string, unknown>;
    expect(cell.result).toBeNull();
    expect(String(cell.errorMessage)).toContain("model exploded");
    const unknown = await exec("SELECT ai_query('no-such-endpoint', 'hi') AS r");
    expect(String(dig(unknown.json, "status", "error", "message"))).toMatch(
      /AI_FUNCTION_HTTP_REQUEST_ERROR.*no-such-endpoint/,
    );
  });

  it("S16: modelParameters on a custom endpoint -> FAILED AI_FUNCTION_INVALID_MODEL_PARAMETERS; valid on chat", async () => {
    const res = await exec(
      "SELECT ai_query('echo-ep', named_struct('x', 1), modelParameters => named_struct('max_tokens', 5)) AS r",
    );
    expect(dig(res.json, "status", "state")).toBe("FAILED");
    expect(dig(res.json, "status", "sql_state")).toBe("22023");
    expect(String(dig(res.json, "status", "error", "message"))).toMatch(
      /AI_FUNCTION_INVALID_MODEL_PARAMETERS\.UNSUPPORTED_ENDPOINT_TYPE/,
    );
    const reserved = await exec(
      `SELECT ai_query('${CHAT}', 'hi', modelParameters => named_struct('messages', 'x')) AS r`,
    );
    expect(String(dig(reserved.json, "status", "error", "message"))).toMatch(/FOUND_RESERVED_PARAMETER_NAME/);
    await ok(
      `SELECT ai_query('${CHAT}', 'hi', modelParameters => named_struct('max_tokens', 20, 'temperature', CAST(0.0 AS DOUBLE))) AS r`,
    );
  });

  it("bad input: type mismatch, unknown function, oversized INLINE result, responseFormat DDL", async () => {
    const mismatch = await exec("SELECT 1 + 'abc' AS x");
    expect(dig(mismatch.json, "status", "state")).toBe("FAILED");
    expect(dig(mismatch.json, "status", "sql_state")).toBe("42K09");
    expect(String(dig(mismatch.json, "status", "error", "message"))).toMatch(/^\[DATATYPE_MISMATCH\]/);
    const cast = await exec("SELECT CAST('abc' AS INT) AS x");
    expect(dig(cast.json, "status", "sql_state")).toBe("22018");
    const unknownFn = await exec("SELECT no_such_function(1) AS x");
    expect(String(dig(unknownFn.json, "status", "error", "message"))).toMatch(/^\[UNRESOLVED_ROUTINE\]/);
    const huge = await exec("SELECT repeat('x', 1000000) AS big FROM range(30)");
    expect(dig(huge.json, "status", "state")).toBe("FAILED");
    expect(String(dig(huge.json, "status", "error", "message"))).toMatch(
      /INLINE_RESULT_TOO_LARGE.*EXTERNAL_LINKS/,
    );
    const viaLinks = await ok("SELECT repeat('x', 1000000) AS big FROM range(30)", {
      disposition: "EXTERNAL_LINKS",
    });
    expect(dig(viaLinks, "manifest", "total_row_count")).toBe(30);
    const structured = await ok(
      `SELECT ai_query('${CHAT}', 'Classify: great product', responseFormat => 'STRUCT<label: STRING>') AS r`,
    );
    expect(dig(structured, "manifest", "schema", "columns", 0, "type_name")).toBe("STRUCT");
    const badFormat = await exec(`SELECT ai_query('${CHAT}', 'x', responseFormat => 'STRUCT<') AS r`);
    expect(String(dig(badFormat.json, "status", "error", "message"))).toMatch(
      /AI_FUNCTION_UNSUPPORTED_RESPONSE_FORMAT/,
    );
  });

  it("permissions: a non-admin needs USE CATALOG, USE SCHEMA and SELECT; GRANT through SQL works", async () => {
    const denied = await exec("SELECT * FROM main.default.five", {}, VIEWER.token);
    expect(dig(denied.json, "status", "state")).toBe("FAILED");
    expect(dig(denied.json, "status", "sql_state")).toBe("42501");
    expect(String(dig(denied.json, "status", "error", "message"))).toMatch(/INSUFFICIENT_PERMISSIONS/);
    await ok("GRANT USE CATALOG ON CATALOG main TO `viewer@example.com`");
    await ok("GRANT USE SCHEMA ON SCHEMA main.default TO `viewer@example.com`");
    const stillDenied = await exec("SELECT * FROM five", {}, VIEWER.token);
    expect(String(dig(stillDenied.json, "status", "error", "message"))).toMatch(/SELECT/);
    await ok("GRANT SELECT ON TABLE main.default.five TO `viewer@example.com`");
    const allowed = await exec("SELECT count(*) AS n FROM five", {}, VIEWER.token);
    expect(dig(allowed.json, "result", "data_array")).toEqual([["5"]]);
    // Another principal's statement is not readable.
    const other = await h.call(
      "GET",
      `/api/2.0/sql/statements/${String(asRecord(allowed.json).statement_id)}`,
    );
    expect(other.status).toBe(200); // admins can read everything
    const adminStmt = await ok("SELECT 1");
    expectError(
      await h.call("GET", `/api/2.0/sql/statements/${String(adminStmt.statement_id)}`, undefined, {
        token: VIEWER.token,
      }),
      403,
      "PERMISSION_DENIED",
    );
  });
});
