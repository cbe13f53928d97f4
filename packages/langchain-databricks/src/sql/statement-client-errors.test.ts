import { afterEach, describe, expect, it, vi } from "vitest";
import { errorResponse, jsonResponse, mockFetch, testAuth } from "../../test-support/mock-fetch.js";
import { DatabricksAbortError, DatabricksConfigError, DatabricksError, NotFoundError } from "../errors.js";
import {
  assertSucceeded,
  convertCell,
  DatabricksStatementError,
  StatementExecutionClient,
  type StatementResponse,
  StatementResult,
  splitDotted,
  toParameters,
} from "./statement-client.js";

const cols = [
  { name: "id", position: 0, type_name: "INT", type_text: "INT" },
  { name: "name", position: 1, type_name: "STRING", type_text: "STRING" },
];

const succeeded = (over: Partial<StatementResponse> = {}): StatementResponse => ({
  statement_id: "st-1",
  status: { state: "SUCCEEDED" },
  manifest: { format: "JSON_ARRAY", schema: { column_count: 2, columns: cols }, total_chunk_count: 1 },
  result: { chunk_index: 0, row_offset: 0, row_count: 1, data_array: [["1", "a"]] },
  ...over,
});

const catchErr = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("StatementExecutionClient.submit request body", () => {
  it("sends every option in its wire name, with EXTERNAL_LINKS as the default for non-JSON formats", async () => {
    const m = mockFetch(() => jsonResponse(succeeded()));
    const client = new StatementExecutionClient({ ...testAuth(m), warehouseId: "wh-bound" });
    await client.submit("SELECT :n", {
      format: "ARROW_STREAM",
      waitTimeout: 0,
      onWaitTimeout: "CANCEL",
      catalog: "main",
      schema: "default",
      rowLimit: 0,
      byteLimit: 1024,
      parameters: [{ name: "n", value: 1, type: "INT" }],
    });
    expect(m.calls[0]!.method).toBe("POST");
    expect(m.calls[0]!.path).toBe("/api/2.0/sql/statements");
    expect(m.calls[0]!.body).toEqual({
      statement: "SELECT :n",
      warehouse_id: "wh-bound",
      wait_timeout: "0s",
      disposition: "EXTERNAL_LINKS",
      format: "ARROW_STREAM",
      on_wait_timeout: "CANCEL",
      catalog: "main",
      schema: "default",
      row_limit: 0,
      byte_limit: 1024,
      parameters: [{ name: "n", value: "1", type: "INT" }],
    });
  });

  it("defaults to INLINE JSON_ARRAY with a 10s wait and omits unset options", async () => {
    const m = mockFetch(() => jsonResponse(succeeded()));
    const client = new StatementExecutionClient({ ...testAuth(m), warehouseId: "wh-bound" });
    await client.submit("SELECT 1", { warehouseId: "wh-call" });
    expect(m.calls[0]!.body).toEqual({
      statement: "SELECT 1",
      warehouse_id: "wh-call",
      wait_timeout: "10s",
      disposition: "INLINE",
      format: "JSON_ARRAY",
    });
  });

  it("rejects an empty statement and a fractional wait before any request", async () => {
    const m = mockFetch(() => jsonResponse(succeeded()));
    const client = new StatementExecutionClient({ ...testAuth(m), warehouseId: "w" });
    await expect(client.submit("   ")).rejects.toThrow(
      new DatabricksConfigError("statement must be a non-empty string."),
    );
    await expect(client.submit("SELECT 1", { waitTimeout: 5.5 })).rejects.toThrow(
      "waitTimeout must be 0 or 5-50 seconds, got 5.5.",
    );
    await expect(client.submit("SELECT 1", { waitTimeout: 51 })).rejects.toBeInstanceOf(
      DatabricksConfigError,
    );
    expect(m.calls).toHaveLength(0);
  });

  it("uses DATABRICKS_WAREHOUSE_ID when neither the call nor the client names a warehouse", () => {
    const m = mockFetch(() => jsonResponse({}));
    const client = new StatementExecutionClient(testAuth(m));
    vi.stubEnv("DATABRICKS_WAREHOUSE_ID", "wh-env");
    try {
      expect(client.warehouseFor()).toBe("wh-env");
      expect(client.warehouseFor("wh-explicit")).toBe("wh-explicit");
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("maps an HTTP error of the submit to the typed hierarchy", async () => {
    const m = mockFetch(() => errorResponse(404, "RESOURCE_DOES_NOT_EXIST", "No warehouse wh-x"));
    const client = new StatementExecutionClient({ ...testAuth(m), warehouseId: "wh-x" });
    const err = await client.execute("SELECT 1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).status).toBe(404);
    expect((err as NotFoundError).message).toContain("No warehouse wh-x");
  });
});

describe("StatementExecutionClient polling and failures", () => {
  it("polls a running statement to success, reporting progress for each state", async () => {
    const states = ["RUNNING", "SUCCEEDED"] as const;
    const m = mockFetch((call, n) => {
      if (n === 0) return jsonResponse({ statement_id: "st-1", status: { state: "PENDING" } });
      expect(call.path).toBe("/api/2.0/sql/statements/st-1");
      const state = states[n - 1]!;
      return jsonResponse(state === "SUCCEEDED" ? succeeded() : { statement_id: "st-1", status: { state } });
    });
    const client = new StatementExecutionClient({ ...testAuth(m), warehouseId: "w" });
    const seen: string[] = [];
    const rows = await client.query("SELECT 1", {
      maxPollIntervalMs: 1,
      onProgress: (p) => {
        expect(p.statementId).toBe("st-1");
        seen.push(p.state);
      },
    });
    expect(seen).toEqual(["PENDING", "RUNNING", "SUCCEEDED"]);
    expect(rows).toEqual([{ id: 1, name: "a" }]);
    expect(m.calls.map((c) => c.method)).toEqual(["POST", "GET", "GET"]);
  });

  it("an abort while polling cancels the statement on the warehouse and throws DatabricksAbortError", async () => {
    const ac = new AbortController();
    const m = mockFetch((call, n) => {
      if (n === 0) return jsonResponse({ statement_id: "st-9", status: { state: "RUNNING" } });
      if (call.path.endsWith("/cancel")) return jsonResponse({});
      ac.abort();
      return jsonResponse({ statement_id: "st-9", status: { state: "RUNNING" } });
    });
    const client = new StatementExecutionClient({ ...testAuth(m), warehouseId: "w" });
    const err = await client
      .execute("SELECT 1", { signal: ac.signal, maxPollIntervalMs: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabricksAbortError);
    expect((err as Error).message).toBe("Cancelled: the statement was aborted by the caller.");
    const cancel = m.calls.find((c) => c.path.endsWith("/cancel"));
    expect(cancel?.path).toBe("/api/2.0/sql/statements/st-9/cancel");
    expect(cancel?.method).toBe("POST");
  });

  it("a poll failure without an abort propagates the HTTP error unchanged", async () => {
    const m = mockFetch((_call, n) =>
      n === 0
        ? jsonResponse({ statement_id: "st-2", status: { state: "PENDING" } })
        : errorResponse(404, "RESOURCE_DOES_NOT_EXIST", "Statement st-2 not found"),
    );
    const client = new StatementExecutionClient({ ...testAuth(m), warehouseId: "w" });
    const err = await client.execute("SELECT 1", { maxPollIntervalMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(m.calls.some((c) => c.path.endsWith("/cancel"))).toBe(false);
  });

  it("execute throws DatabricksStatementError for a FAILED statement", async () => {
    const m = mockFetch(() =>
      jsonResponse({
        statement_id: "st-3",
        status: {
          state: "FAILED",
          error: { error_code: "BAD_REQUEST", message: "[TABLE_OR_VIEW_NOT_FOUND] t" },
          sql_state: "42P01",
        },
      }),
    );
    const client = new StatementExecutionClient({ ...testAuth(m), warehouseId: "w" });
    const err = (await client
      .execute("SELECT * FROM t")
      .catch((e: unknown) => e)) as DatabricksStatementError;
    expect(err).toBeInstanceOf(DatabricksStatementError);
    expect(err.errorClass).toBe("TABLE_OR_VIEW_NOT_FOUND");
    expect(err.toJSON()).toMatchObject({ statementId: "st-3", state: "FAILED", sqlState: "42P01" });
  });

  it("assertSucceeded words CANCELED, CLOSED and bare FAILED statements without a server message", () => {
    const canceled = catchErr(() =>
      assertSucceeded({ statement_id: "a", status: { state: "CANCELED" } }),
    ) as DatabricksStatementError;
    expect(canceled.message).toBe("The statement was canceled.");
    expect(canceled.errorCode).toBe("CANCELLED");
    expect(canceled.errorClass).toBeUndefined();
    const closed = catchErr(() =>
      assertSucceeded({ statement_id: "b", status: { state: "CLOSED" } }),
    ) as DatabricksStatementError;
    expect(closed.message).toBe("The statement's result was closed.");
    expect(closed.errorCode).toBeUndefined();
    const failed = catchErr(() =>
      assertSucceeded({ statement_id: "c", status: { state: "FAILED" } }),
    ) as DatabricksStatementError;
    expect(failed.message).toBe("Statement FAILED.");
    expect(failed.state).toBe("FAILED");
  });
});

describe("StatementResult readers", () => {
  it("follows INLINE next_chunk_index links and converts rows by type unless raw", async () => {
    const m = mockFetch((call) => {
      expect(call.path).toBe("/api/2.0/sql/statements/st-1/result/chunks/1");
      return jsonResponse({ chunk_index: 1, row_offset: 1, row_count: 1, data_array: [["2", null]] });
    });
    const client = new StatementExecutionClient({ ...testAuth(m), warehouseId: "w" });
    const response = succeeded({
      manifest: {
        format: "JSON_ARRAY",
        schema: { column_count: 2, columns: cols },
        total_chunk_count: 2,
        total_row_count: 2,
        truncated: true,
      },
      result: { chunk_index: 0, row_offset: 0, row_count: 1, data_array: [["1", "a"]], next_chunk_index: 1 },
    });
    const r = new StatementResult(client, response);
    expect([r.statementId, r.totalRowCount, r.truncated]).toEqual(["st-1", 2, true]);
    expect(await r.toArray()).toEqual([
      { id: 1, name: "a" },
      { id: 2, name: null },
    ]);
    const raw: unknown[][] = [];
    for await (const row of r.rows({ raw: true })) raw.push(row);
    expect(raw).toEqual([
      ["1", "a"],
      ["2", null],
    ]);
  });

  it("reports defaults for a result without rows, columns or counts", async () => {
    const m = mockFetch(() => jsonResponse({}));
    const client = new StatementExecutionClient({ ...testAuth(m), warehouseId: "w" });
    const r = new StatementResult(client, {
      statement_id: "st-0",
      status: { state: "SUCCEEDED" },
      manifest: { format: "JSON_ARRAY", schema: { column_count: 0 } },
    });
    expect([r.columns, r.truncated, r.totalRowCount]).toEqual([[], false, 0]);
    expect(await r.toArray()).toEqual([]);
    expect(m.calls).toHaveLength(0);
  });

  it("rows() refuses a non-JSON_ARRAY result with a config error naming the format", async () => {
    const m = mockFetch(() => jsonResponse({}));
    const client = new StatementExecutionClient({ ...testAuth(m), warehouseId: "w" });
    const r = new StatementResult(client, {
      statement_id: "st-c",
      status: { state: "SUCCEEDED" },
      manifest: { format: "CSV", schema: { column_count: 1 }, total_chunk_count: 1 },
    });
    await expect(r.toArray()).rejects.toThrow(
      new DatabricksConfigError("rows() reads JSON_ARRAY results; this result is CSV (use chunks())."),
    );
  });

  const linkResult = (client: StatementExecutionClient, format: "JSON_ARRAY" | "CSV", chunks: number) =>
    new StatementResult(client, {
      statement_id: "st-l",
      status: { state: "SUCCEEDED" },
      manifest: { format, schema: { column_count: 2, columns: cols }, total_chunk_count: chunks },
      result: {
        chunk_index: 0,
        row_offset: 0,
        row_count: 1,
        external_links: [
          {
            chunk_index: 0,
            row_offset: 0,
            row_count: 1,
            external_link: "https://storage.test/chunk0",
            expiration: new Date(Date.now() + 3_600_000).toISOString(),
            http_headers: { "x-ms-blob-type": "BlockBlob", Authorization: "Bearer leaked" },
          },
        ],
      },
    });

  it("downloads EXTERNAL_LINKS without Authorization, retrying a 5xx, and decodes JSON_ARRAY chunks", async () => {
    const downloads: { url: string; headers: Record<string, string> }[] = [];
    vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
      downloads.push({ url, headers: init.headers as Record<string, string> });
      if (downloads.length === 1) return new Response("busy", { status: 503 });
      const body = url.endsWith("chunk0") ? [["1", "a"]] : [["2", "b"]];
      return new Response(JSON.stringify(body), { status: 200 });
    });
    const m = mockFetch((call) => {
      expect(call.path).toBe("/api/2.0/sql/statements/st-l/result/chunks/1");
      return jsonResponse({
        chunk_index: 1,
        row_offset: 1,
        row_count: 1,
        external_links: [
          {
            chunk_index: 1,
            row_offset: 1,
            row_count: 1,
            external_link: "https://storage.test/chunk1",
            expiration: new Date(Date.now() + 3_600_000).toISOString(),
          },
        ],
      });
    });
    const client = new StatementExecutionClient({ ...testAuth(m), warehouseId: "w" });
    const rows = await linkResult(client, "JSON_ARRAY", 2).toArray({ concurrency: 1 });
    expect(rows).toEqual([
      { id: 1, name: "a" },
      { id: 2, name: "b" },
    ]);
    expect(downloads.map((d) => d.url)).toEqual([
      "https://storage.test/chunk0",
      "https://storage.test/chunk0",
      "https://storage.test/chunk1",
    ]);
    expect(downloads[0]!.headers).toEqual({ "x-ms-blob-type": "BlockBlob" });
  });

  it("yields raw bytes for CSV links and explains an expired link on a 403", async () => {
    vi.stubGlobal("fetch", async () => new Response("id,name\n1,a\n", { status: 200 }));
    const m = mockFetch(() => jsonResponse({}));
    const client = new StatementExecutionClient({ ...testAuth(m), warehouseId: "w" });
    const got: string[] = [];
    for await (const c of linkResult(client, "CSV", 1).chunks()) got.push(new TextDecoder().decode(c.bytes));
    expect(got).toEqual(["id,name\n1,a\n"]);

    vi.stubGlobal(
      "fetch",
      async () => new Response("<Error>AuthenticationFailed: Signature expired</Error>", { status: 403 }),
    );
    const err = await (async () => {
      for await (const _ of linkResult(client, "CSV", 1).chunks()) {
        // drain
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabricksError);
    expect((err as DatabricksError).status).toBe(403);
    expect((err as Error).message).toBe(
      "Downloading result chunk 0 failed with HTTP 403 (the link expired: fetch the chunk again).",
    );
  });

  it("fails with a typed error when a later chunk has no external link, and honours an aborted signal", async () => {
    vi.stubGlobal("fetch", async () => new Response("[]", { status: 200 }));
    const m = mockFetch(() => jsonResponse({ chunk_index: 1, row_offset: 1, row_count: 0 }));
    const client = new StatementExecutionClient({ ...testAuth(m), warehouseId: "w" });
    await expect(linkResult(client, "JSON_ARRAY", 2).toArray()).rejects.toThrow(
      "Chunk 1 of statement st-l has no external link.",
    );
    await expect(
      linkResult(client, "JSON_ARRAY", 1).toArray({ signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(DatabricksAbortError);
  });
});

describe("statement helpers: remaining conversions", () => {
  it("converts every numeric family, keeps safe LONGs as numbers and bad JSON as text", () => {
    const col = (type_name: string) => ({ name: "c", position: 0, type_name, type_text: type_name });
    expect(convertCell("7", col("SHORT"))).toBe(7);
    expect(convertCell("1.25", col("DOUBLE"))).toBe(1.25);
    expect(convertCell("12", col("LONG"))).toBe(12);
    expect(convertCell("false", col("BOOLEAN"))).toBe(false);
    expect(convertCell("{not json", col("STRUCT"))).toBe("{not json");
    expect(convertCell('{"a":1}', col("MAP"))).toEqual({ a: 1 });
  });

  it("parameter lists pass through with undefined values dropped; no parameters is an empty list", () => {
    expect(toParameters(undefined)).toEqual([]);
    expect(
      toParameters([
        { name: "u", value: undefined },
        { name: "t", value: true },
      ]),
    ).toEqual([{ name: "u" }, { name: "t", value: "true", type: "BOOLEAN" }]);
  });

  it("splitDotted trims parts and rejects a blank part", () => {
    expect(splitDotted(" a . b ")).toEqual(["a", "b"]);
    expect(() => splitDotted("a. .b")).toThrow("Invalid name 'a. .b'.");
  });
});
