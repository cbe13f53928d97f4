import { AIMessage, ToolMessage } from "@langchain/core/messages";
import { startEmulator } from "databricks-emulator";
import { createAgent } from "langchain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatDatabricks } from "../chat-models/chat-databricks.js";
import { DatabricksAbortError } from "../errors.js";
import { type BatchInferenceOptions, runBatchInference } from "./batch.js";
import { DatabricksStatementError, StatementExecutionClient } from "./statement-client.js";
import { functionCall, toolNameOf, UCFunctionToolkit } from "./uc-function-toolkit.js";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
let emu: Emulator;
let sql: StatementExecutionClient;
const CHAT = "databricks-meta-llama-3-3-70b-instruct";

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    sql: { chunkRows: 1000 },
    models: {
      "cat.sch.flaky": {
        predict: (records) =>
          (records as { x: number }[]).map((r) => {
            if (r.x % 5 === 0) throw new Error(`cannot score ${r.x}`);
            return r.x * 10;
          }),
      },
    },
  });
  sql = new StatementExecutionClient({ host: emu.url, token: emu.token, warehouseId: emu.warehouseId });
  await sql.execute(
    "CREATE TABLE main.default.nums AS SELECT range AS id, 'item ' || range AS txt FROM range(2500)",
  );
});
afterAll(async () => {
  await emu?.close();
});

describe("StatementExecutionClient", () => {
  it("binds typed parameters and converts cells by column type", async () => {
    const rows = await sql.query("SELECT :n + 1 AS y, :s AS s, :b AS b, [1, 2] AS arr, :missing AS m", {
      parameters: { n: { value: 41, type: "INT" }, s: "text", b: true, missing: null },
    });
    expect(rows).toEqual([{ y: 42, s: "text", b: true, arr: [1, 2], m: null }]);
  });

  it("reads every row across INLINE chunks", async () => {
    const result = await sql.execute("SELECT id FROM main.default.nums ORDER BY id");
    expect(result.manifest.total_chunk_count).toBe(3);
    const ids: unknown[] = [];
    for await (const [id] of result.rows()) ids.push(id);
    expect(ids).toHaveLength(2500);
    expect(ids[2499]).toBe(2499);
  });

  it("downloads EXTERNAL_LINKS chunks in parallel without an Authorization header", async () => {
    const seen: (string | null)[] = [];
    const original = globalThis.fetch;
    globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes("__emulator-sql-results")) seen.push(new Headers(init?.headers).get("authorization"));
      return original(input, init);
    }) as typeof fetch;
    try {
      const result = await sql.execute("SELECT id, txt FROM main.default.nums ORDER BY id", {
        disposition: "EXTERNAL_LINKS",
      });
      const rows = await result.toArray({ concurrency: 3 });
      expect(rows).toHaveLength(2500);
      expect(rows[1234]).toEqual({ id: 1234, txt: "item 1234" });
    } finally {
      globalThis.fetch = original;
    }
    expect(seen).toHaveLength(3);
    expect(seen.every((h) => h === null)).toBe(true);
  });

  it("retries a link download after a connection failure or a 5xx", async () => {
    const original = globalThis.fetch;
    let failures = 0;
    globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes("__emulator-sql-results") && failures < 2) {
        failures++;
        if (failures === 1) throw new TypeError("fetch failed");
        return new Response("busy", { status: 503 });
      }
      return original(input, init);
    }) as typeof fetch;
    try {
      const result = await sql.execute("SELECT id FROM main.default.nums WHERE id < 3 ORDER BY id", {
        disposition: "EXTERNAL_LINKS",
      });
      expect(await result.toArray()).toEqual([{ id: 0 }, { id: 1 }, { id: 2 }]);
    } finally {
      globalThis.fetch = original;
    }
    expect(failures).toBe(2);
  });

  it("returns Arrow IPC bytes for ARROW_STREAM", async () => {
    const result = await sql.execute("SELECT id FROM main.default.nums WHERE id < 10", {
      format: "ARROW_STREAM",
    });
    const chunks: Uint8Array[] = [];
    for await (const c of result.chunks()) chunks.push(c.bytes!);
    expect(chunks).toHaveLength(1);
    const { tableFromIPC } = await import("apache-arrow");
    expect(tableFromIPC(chunks[0]!).numRows).toBe(10);
  });

  it("throws DatabricksStatementError with sqlState, errorCode and errorClass", async () => {
    const err = await sql.execute("SELECT * FROM main.default.missing").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabricksStatementError);
    const e = err as DatabricksStatementError;
    expect(e.sqlState).toBe("42P01");
    expect(e.errorCode).toBe("BAD_REQUEST");
    expect(e.errorClass).toBe("TABLE_OR_VIEW_NOT_FOUND");
    expect(e.state).toBe("FAILED");
    expect(JSON.stringify(e)).not.toContain(emu.token);
  });

  it("an aborted signal cancels the running statement on the warehouse", async () => {
    const controller = new AbortController();
    const ids: string[] = [];
    const pending = sql.execute("SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3", {
      waitTimeout: 0,
      signal: controller.signal,
      onProgress: (p) => {
        ids.push(p.statementId);
        controller.abort();
      },
    });
    await expect(pending).rejects.toBeInstanceOf(DatabricksAbortError);
    const state = await emu.sql.statementExecution(ids[0]!);
    expect(state.state).toBe("CANCELED");
  });

  it("uses DATABRICKS_WAREHOUSE_ID when no warehouse is given", async () => {
    const bare = new StatementExecutionClient({ host: emu.url, token: emu.token });
    const before = process.env.DATABRICKS_WAREHOUSE_ID;
    process.env.DATABRICKS_WAREHOUSE_ID = emu.warehouseId;
    try {
      expect(await bare.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      if (before === undefined) delete process.env.DATABRICKS_WAREHOUSE_ID;
      else process.env.DATABRICKS_WAREHOUSE_ID = before;
    }
  });
});

describe("runBatchInference", () => {
  /** Scores main.default.scores_src (all of it unless `source` says otherwise) with the flaky BIGINT model. */
  const scoreFlaky = (o: Partial<BatchInferenceOptions> & { outputTable: string }) =>
    runBatchInference({
      client: sql,
      endpoint: "flaky",
      source: { table: "main.default.scores_src" },
      requestExpression: "named_struct('x', src.x)",
      returnType: "BIGINT",
      key: "x",
      ...o,
    });

  it("creates the output table, counts per-row errors, and resumes without redoing rows", async () => {
    await sql.execute("CREATE TABLE main.default.scores_src AS SELECT range AS x FROM range(1, 21)");
    await emu.admin.registerModel("cat.sch.flaky", {
      predict: (records) =>
        (records as { x: number }[]).map((r) => {
          if (r.x % 5 === 0) throw new Error(`cannot score ${r.x}`);
          return r.x * 10;
        }),
    });
    const ep = await fetch(`${emu.url}/api/2.0/serving-endpoints`, {
      method: "POST",
      headers: { Authorization: `Bearer ${emu.token}` },
      body: JSON.stringify({
        name: "flaky",
        config: {
          served_entities: [
            {
              entity_name: "cat.sch.flaky",
              entity_version: "1",
              workload_size: "Small",
              scale_to_zero_enabled: true,
            },
          ],
        },
      }),
    });
    expect(ep.status).toBe(200);
    emu.admin.advanceClock(10_000);
    const progress: string[] = [];
    const first = await scoreFlaky({
      source: { query: "SELECT x FROM main.default.scores_src WHERE x <= 10" },
      outputTable: "main.default.scores",
      onProgress: (p) => progress.push(p.state),
    });
    expect(first).toMatchObject({ created: true, inserted: 10, totalRows: 10, errors: 2 });
    expect(progress.at(-1)).toBe("SUCCEEDED");
    const second = await scoreFlaky({ outputTable: "main.default.scores" });
    expect(second).toMatchObject({ created: false, inserted: 10, totalRows: 20, errors: 4 });
    const rows = await sql.query(
      "SELECT x, response, error FROM main.default.scores WHERE x IN (3, 15) ORDER BY x",
    );
    expect(rows).toEqual([
      { x: 3, response: 30, error: null },
      { x: 15, response: null, error: expect.stringContaining("cannot score 15") },
    ]);
  });

  it("runs chat over an input column and fails the statement (writing nothing) with failOnError", async () => {
    const chat = await runBatchInference({
      client: sql,
      endpoint: CHAT,
      source: { query: "SELECT id, txt FROM main.default.nums WHERE id < 5" },
      inputColumn: "txt",
      key: "id",
      outputTable: "main.default.chat_out",
      modelParameters: { max_tokens: 50 },
    });
    expect(chat).toMatchObject({ created: true, inserted: 5, errors: 0 });
    const failing = scoreFlaky({ outputTable: "main.default.strict_out", failOnError: true });
    await expect(failing).rejects.toMatchObject({ errorClass: "AI_FUNCTION_HTTP_REQUEST_ERROR" });
    const exists = await fetch(`${emu.url}/api/2.1/unity-catalog/tables/main.default.strict_out`, {
      headers: { Authorization: `Bearer ${emu.token}` },
    });
    expect(exists.status).toBe(404);
  });
});

describe("UCFunctionToolkit", () => {
  beforeAll(async () => {
    await sql.execute(
      "CREATE FUNCTION main.default.multiply(a BIGINT COMMENT 'first factor', b BIGINT DEFAULT 2 COMMENT 'second factor') RETURNS BIGINT COMMENT 'Multiply two numbers together and return the product' RETURN a * b",
    );
    await sql.execute(
      "CREATE FUNCTION main.default.list_items(max_id BIGINT COMMENT 'largest id') RETURNS TABLE (id BIGINT, txt STRING) COMMENT 'List catalog items up to an id' RETURN SELECT id, txt FROM main.default.nums WHERE id <= max_id ORDER BY id",
    );
  });

  it("builds tools with UC names, descriptions and JSON schemas; runs scalar and table functions", async () => {
    const toolkit = new UCFunctionToolkit({
      functionNames: ["main.default.*"],
      host: emu.url,
      token: emu.token,
      warehouseId: emu.warehouseId,
      maxOutputChars: 200,
    });
    const tools = await toolkit.getTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect([...byName.keys()].sort()).toEqual(["main__default__list_items", "main__default__multiply"]);
    const multiply = byName.get("main__default__multiply")!;
    expect(multiply.description).toBe("Multiply two numbers together and return the product");
    expect(multiply.schema).toEqual({
      type: "object",
      properties: {
        a: { type: "integer", description: "first factor" },
        b: { type: "integer", description: "second factor (Default: 2)", default: 2 },
      },
      required: ["a"],
      additionalProperties: false,
    });
    expect(JSON.parse(await multiply.invoke({ a: 6, b: 7 }))).toEqual({
      format: "SCALAR",
      value: "42",
      truncated: false,
    });
    expect(JSON.parse(await multiply.invoke({ a: 6 }))).toMatchObject({ value: "12" });
    const list = byName.get("main__default__list_items")!;
    const small = JSON.parse(await list.invoke({ max_id: 2 }));
    expect(small).toEqual({
      format: "CSV",
      value: "id,txt\n0,item 0\n1,item 1\n2,item 2\n",
      truncated: false,
    });
    const big = JSON.parse(await list.invoke({ max_id: 1000 }));
    expect(big.truncated).toBe(true);
    expect(big.value).toMatch(/\[truncated: output was \d+ characters, limit 200\]$/);
    const failed = JSON.parse(
      await multiply
        .invoke({ a: "not a number" as unknown as number })
        .catch((e: Error) => JSON.stringify({ thrown: e.message })),
    );
    expect(failed.error ?? failed.thrown).toBeDefined();
  });

  it("returns execution failures as readable tool output", async () => {
    const toolkit = new UCFunctionToolkit({
      functionNames: ["main.default.multiply"],
      host: emu.url,
      token: emu.token,
      warehouseId: emu.warehouseId,
    });
    const fn = {
      name: "gone",
      catalog_name: "main",
      schema_name: "default",
      full_name: "main.default.gone",
      data_type: "LONG",
      input_params: { parameters: [] },
    };
    const out = JSON.parse(await toolkit.execute(fn, {}));
    expect(out.error).toMatch(/^BAD_REQUEST: \[UNRESOLVED_ROUTINE\]/);
  });

  it("generates unitycatalog-ai's SQL: named arguments after the first omitted one", () => {
    const fn = {
      name: "f",
      catalog_name: "c",
      schema_name: "s",
      full_name: "c.s.f",
      data_type: "STRING",
      input_params: {
        parameters: [
          { name: "a", type_text: "int", type_name: "INT", parameter_default: "1" },
          { name: "b", type_text: "array<string>", type_name: "ARRAY" },
          { name: "c", type_text: "string", type_name: "STRING" },
        ],
      },
    };
    expect(functionCall(fn, { b: ["x"], c: "y" })).toEqual({
      statement: "SELECT `c`.`s`.`f`(`b` => from_json(:p1, :p1_type), `c` => :p2)",
      parameters: [
        { name: "p1", value: '["x"]' },
        { name: "p1_type", value: "array<string>" },
        { name: "p2", value: "y", type: "STRING" },
      ],
    });
    expect(toolNameOf(`cat.sch.${"x".repeat(80)}`)).toHaveLength(64);
  });

  it("createAgent calls a UC function tool and answers from its result", async () => {
    const toolkit = new UCFunctionToolkit({
      functionNames: ["main.default.multiply"],
      host: emu.url,
      token: emu.token,
      warehouseId: emu.warehouseId,
    });
    const model = new ChatDatabricks({ model: CHAT, host: emu.url, token: emu.token, maxRetries: 0 });
    const agent = createAgent({ model, tools: await toolkit.getTools() });
    const result = await agent.invoke({ messages: [{ role: "user", content: "Multiply 6 by 7" }] });
    const toolMessages = result.messages.filter((m) => ToolMessage.isInstance(m));
    expect(toolMessages.length).toBeGreaterThan(0);
    for (const m of toolMessages) {
      expect(m.name).toBe("main__default__multiply");
      expect(JSON.parse(String(m.content))).toMatchObject({ format: "SCALAR", truncated: false });
    }
    const final = result.messages.at(-1);
    expect(AIMessage.isInstance(final)).toBe(true);
  });
});
