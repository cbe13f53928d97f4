import { describe, expect, it } from "vitest";
import { errorResponse, jsonResponse, mockFetch, testAuth } from "../../test-support/mock-fetch.js";
import { DatabricksAbortError, DatabricksConfigError } from "../errors.js";
import { StatementExecutionClient } from "./statement-client.js";
import {
  type FunctionInfo,
  type FunctionParameterInfo,
  functionCall,
  functionInputSchema,
  toolNameOf,
  UCFunctionToolkit,
} from "./uc-function-toolkit.js";

const param = (name: string, type_name: string, extra: Partial<FunctionParameterInfo> = {}) => ({
  name,
  type_name,
  type_text: type_name.toLowerCase(),
  ...extra,
});

const fnInfo = (over: Partial<FunctionInfo> = {}): FunctionInfo => ({
  name: "f",
  catalog_name: "main",
  schema_name: "tools",
  full_name: "main.tools.f",
  data_type: "STRING",
  ...over,
});

describe("functionInputSchema", () => {
  it("maps Spark types from type_json, and type_name when type_json is absent or broken", () => {
    const schema = functionInputSchema(
      fnInfo({
        input_params: {
          parameters: [
            param("a", "LONG"),
            param("b", "DECIMAL"),
            param("c", "BOOLEAN"),
            param("d", "BINARY"),
            param("e", "DATE"),
            param("f", "TIMESTAMP"),
            param("g", "INTERVAL"),
            param("h", "STRING", { type_json: "{not json" }),
            param("i", "ARRAY", {
              type_json: JSON.stringify({ type: { type: "array", elementType: "integer" } }),
            }),
            param("j", "MAP", {
              type_json: JSON.stringify({ type: { type: "map", keyType: "string", valueType: "double" } }),
            }),
            param("k", "STRUCT", {
              type_json: JSON.stringify({
                type: { type: "struct", fields: [{ name: "x", type: "timestamp_ntz" }] },
              }),
            }),
            param("l", "VARIANT", { type_json: JSON.stringify({ type: "variant" }) }),
            param("m", "STRUCT", { type_json: JSON.stringify({ type: { type: "struct" } }) }),
            param("n", "UDT", { type_json: JSON.stringify({ type: { type: "udt" } }) }),
          ],
        },
      }),
    );
    expect(schema.properties).toEqual({
      a: { type: "integer" },
      b: { type: "number" },
      c: { type: "boolean" },
      d: { type: "string", contentEncoding: "base64" },
      e: { type: "string", format: "date" },
      f: { type: "string", format: "date-time" },
      g: { type: "string" },
      h: { type: "string" },
      i: { type: "array", items: { type: "integer" } },
      j: { type: "object", additionalProperties: { type: "number" } },
      k: { type: "object", properties: { x: { type: "string", format: "date-time" } } },
      l: {},
      m: { type: "object", properties: {} },
      n: { type: "string" },
    });
    expect(schema.required).toHaveLength(14);
    expect(schema.additionalProperties).toBe(false);
  });

  it("makes parameters with a default optional and parses the default (JSON, NULL or a quoted string)", () => {
    const schema = functionInputSchema(
      fnInfo({
        input_params: {
          parameters: [
            param("q", "STRING", { comment: "The query" }),
            param("n", "INT", { parameter_default: "5", comment: "Rows" }),
            param("z", "STRING", { parameter_default: "null" }),
            param("s", "STRING", { parameter_default: "'en'" }),
          ],
        },
      }),
    );
    expect(schema).toEqual({
      type: "object",
      properties: {
        q: { type: "string", description: "The query" },
        n: { type: "integer", default: 5, description: "Rows (Default: 5)" },
        z: { type: "string", default: null, description: "(Default: null)" },
        s: { type: "string", default: "en", description: "(Default: 'en')" },
      },
      required: ["q"],
      additionalProperties: false,
    });
    expect(functionInputSchema(fnInfo())).toEqual({
      type: "object",
      properties: {},
      required: [],
      additionalProperties: false,
    });
  });
});

describe("functionCall", () => {
  it("binds complex types through from_json, binary through unbase64, and names parameters after an omission", () => {
    const fn = fnInfo({
      full_name: "main.tools.f",
      input_params: {
        parameters: [
          { name: "xs", type_name: "ARRAY", type_text: "array<int>" },
          { name: "blob", type_name: "BINARY", type_text: "binary" },
          { name: "skipped", type_name: "STRING", type_text: "string", parameter_default: "'x'" },
          { name: "obj", type_name: "STRING", type_text: "string" },
          { name: "nil", type_name: "INT", type_text: "int" },
        ],
      },
    });
    expect(functionCall(fn, { xs: [1, 2], blob: "AAE=", obj: { a: 1 }, nil: null })).toEqual({
      statement:
        "SELECT `main`.`tools`.`f`(from_json(:p0, :p0_type), unbase64(:p1), `obj` => :p3, `nil` => :p4)",
      parameters: [
        { name: "p0", value: "[1,2]" },
        { name: "p0_type", value: "array<int>" },
        { name: "p1", value: "AAE=" },
        { name: "p3", value: '{"a":1}', type: "STRING" },
        { name: "p4", value: null, type: "INT" },
      ],
    });
  });

  it("selects from a table function and keeps the last 64 characters of a long tool name", () => {
    expect(functionCall(fnInfo({ data_type: "TABLE_TYPE" }), {}).statement).toBe(
      "SELECT * FROM `main`.`tools`.`f`()",
    );
    const long = `c.s.${"f".repeat(70)}`;
    expect(toolNameOf(long)).toBe("f".repeat(64));
    expect(toolNameOf("c.s.fn")).toBe("c__s__fn");
  });
});

const cols = (names: string[]) =>
  names.map((name, position) => ({ name, position, type_name: "STRING", type_text: "STRING" }));

const statementReply = (rows: (string | null)[][], names: string[], truncated = false) =>
  jsonResponse({
    statement_id: "st",
    status: { state: "SUCCEEDED" },
    manifest: {
      format: "JSON_ARRAY",
      schema: { column_count: names.length, columns: cols(names) },
      total_chunk_count: 1,
      truncated,
    },
    result: { chunk_index: 0, row_offset: 0, row_count: rows.length, data_array: rows },
  });

describe("UCFunctionToolkit", () => {
  it("requires at least one function name and a catalog.schema.function shape", async () => {
    expect(() => new UCFunctionToolkit({ functionNames: [] })).toThrow(
      new DatabricksConfigError("functionNames must list at least one function (cat.sch.fn or cat.sch.*)."),
    );
    const m = mockFetch(() => jsonResponse({}));
    const toolkit = new UCFunctionToolkit({ ...testAuth(m), functionNames: ["main.f"], warehouseId: "w" });
    await expect(toolkit.getTools()).rejects.toThrow(
      "Function name 'main.f' must be catalog.schema.function or catalog.schema.*.",
    );
    expect(m.calls).toHaveLength(0);
  });

  it("lists a schema's functions across pages and builds named tools once", async () => {
    const m = mockFetch((call) => {
      const q = new URL(call.url).searchParams;
      expect([q.get("catalog_name"), q.get("schema_name"), q.get("max_results")]).toEqual([
        "main",
        "tools",
        "100",
      ]);
      return jsonResponse(
        q.get("page_token") === "2"
          ? { functions: [fnInfo({ full_name: "main.tools.b", comment: "B" })] }
          : { functions: [fnInfo({ full_name: "main.tools.a" })], next_page_token: "2" },
      );
    });
    const toolkit = new UCFunctionToolkit({
      ...testAuth(m),
      functionNames: ["main.tools.*"],
      warehouseId: "w",
    });
    const tools = await toolkit.getTools();
    expect(tools.map((t) => [t.name, t.description])).toEqual([
      ["main__tools__a", ""],
      ["main__tools__b", "B"],
    ]);
    expect(await toolkit.getTools()).toBe(tools);
    expect(m.calls).toHaveLength(2);
  });

  it("returns table output as CSV with quoting, and cuts output past maxOutputChars", async () => {
    const m = mockFetch((call) => {
      expect(call.body.row_limit).toBe(7);
      return statementReply(
        [
          ['a,"b"', null],
          ["line\nbreak", "x"],
        ],
        ["text", "other"],
        true,
      );
    });
    const client = new StatementExecutionClient({ ...testAuth(m), warehouseId: "w" });
    const toolkit = new UCFunctionToolkit({ functionNames: ["main.tools.t"], client, rowLimit: 7 });
    const out = JSON.parse(await toolkit.execute(fnInfo({ data_type: "TABLE_TYPE" }), {}));
    expect(out).toEqual({
      format: "CSV",
      value: 'text,other\n"a,""b""",\n"line\nbreak",x\n',
      truncated: true,
    });
    const small = new UCFunctionToolkit({
      functionNames: ["main.tools.t"],
      client,
      rowLimit: 7,
      maxOutputChars: 4,
    });
    expect(JSON.parse(await small.execute(fnInfo({ data_type: "TABLE_TYPE" }), {}))).toEqual({
      format: "CSV",
      value: "text\n[truncated: output was 37 characters, limit 4]",
      truncated: true,
    });
  });

  it("a scalar NULL result has no value field; statement failures come back as an error string", async () => {
    const m = mockFetch((_c, n) =>
      n === 0
        ? statementReply([[null]], ["r"])
        : n === 1
          ? jsonResponse({
              statement_id: "st",
              status: {
                state: "FAILED",
                error: { error_code: "BAD_REQUEST", message: "[DIVIDE_BY_ZERO] x" },
              },
            })
          : errorResponse(403, "PERMISSION_DENIED", "No USE on main.tools"),
    );
    const client = new StatementExecutionClient({ ...testAuth(m), warehouseId: "w" });
    const toolkit = new UCFunctionToolkit({ functionNames: ["main.tools.f"], client });
    expect(JSON.parse(await toolkit.execute(fnInfo(), {}))).toEqual({ format: "SCALAR", truncated: false });
    expect(JSON.parse(await toolkit.execute(fnInfo(), {}))).toEqual({
      error: "BAD_REQUEST: [DIVIDE_BY_ZERO] x",
    });
    const denied = JSON.parse(await toolkit.execute(fnInfo(), {}));
    expect(denied.error).toMatch(/^PERMISSION_DENIED: .*No USE on main\.tools/);
  });

  it("an aborted call throws instead of returning an error string", async () => {
    const m = mockFetch(() => statementReply([["1"]], ["r"]));
    const toolkit = new UCFunctionToolkit({
      ...testAuth(m),
      functionNames: ["main.tools.f"],
      warehouseId: "w",
    });
    await expect(toolkit.execute(fnInfo(), {}, AbortSignal.abort())).rejects.toBeInstanceOf(
      DatabricksAbortError,
    );
    expect(m.calls).toHaveLength(0);
  });
});
