/**
 * translate() (sql/translate.ts) on the constructs translate.test.ts leaves out: parameter types it cannot bind,
 * IDENTIFIER() arguments, from_json/named_struct/struct forms, operators and comments, name resolution in table
 * and call positions, and every ai_query argument form, each with the exact DuckDB SQL or the exact SQL error.
 */
import { describe, expect, it } from "vitest";
import { type ParamValue, SqlAnalysisError, type TranslateContext, translate } from "./translate.js";

const ctx = (params: Record<string, ParamValue> = {}, ai = false): TranslateContext => ({
  catalog: "main",
  schema: "default",
  params: new Map(Object.entries(params)),
  isCatalog: (n: string) => ["main", "sales"].includes(n.toLowerCase()),
  ...(ai ? { aiQueryReplacement: (c: { index: number }) => `lookup_${c.index}` } : {}),
});
const str = (value: string | null): ParamValue => ({ value, type: "STRING" });

const failure = (sql: string, c: TranslateContext = ctx()) => {
  try {
    translate(sql, c);
  } catch (e) {
    expect(e).toBeInstanceOf(SqlAnalysisError);
    const err = e as SqlAnalysisError;
    return [err.errorClass, err.sqlState, err.message];
  }
  throw new Error(`expected '${sql}' to fail`);
};

describe("parameters and IDENTIFIER()", () => {
  it("a parameter of a type DuckDB cannot take is UNSUPPORTED_DATATYPE", () => {
    expect(failure("SELECT :x", ctx({ x: { value: "1", type: "WIBBLE" } }))).toEqual([
      "UNSUPPORTED_DATATYPE",
      "0A000",
      "[UNSUPPORTED_DATATYPE] Unsupported data type WIBBLE for parameter x.",
    ]);
  });

  it("IDENTIFIER() needs a constant non-null string that is a valid name", () => {
    const notConstant = [
      "NOT_A_CONSTANT_STRING.NULL",
      "42601",
      "[NOT_A_CONSTANT_STRING.NULL] The expression used for the routine or clause IDENTIFIER must be a constant STRING which is NOT NULL.",
    ];
    expect(failure("SELECT * FROM IDENTIFIER(:missing)")).toEqual(notConstant);
    expect(failure("SELECT * FROM IDENTIFIER(:t)", ctx({ t: str(null) }))).toEqual(notConstant);
    expect(failure("SELECT * FROM IDENTIFIER('a' || 'b')")).toEqual(notConstant);
    expect(failure("SELECT * FROM IDENTIFIER('a..b')")).toEqual([
      "INVALID_SQL_SYNTAX",
      "42000",
      "[INVALID_SQL_SYNTAX] Invalid identifier 'a..b' in IDENTIFIER().",
    ]);
    const t = translate("SELECT * FROM IDENTIFIER(:t)", ctx({ t: str("sales.q1.orders") }));
    expect(t.sql).toBe('SELECT * FROM "sales"."q1"."orders"');
    expect(t.refs).toEqual([{ kind: "table", fullName: "sales.q1.orders", write: false }]);
  });
});

describe("functions, operators and comments", () => {
  it("from_json with a parameter schema; a bad schema is INVALID_SCHEMA.PARSE_ERROR; one argument is left alone", () => {
    const t = translate("SELECT from_json(j, :s)", ctx({ s: str("ARRAY<INT>") }));
    expect(t.sql).toBe("SELECT CAST(CAST(j AS JSON) AS INTEGER[])");
    expect(failure("SELECT from_json(j, 'WIBBLE')")).toEqual([
      "INVALID_SCHEMA.PARSE_ERROR",
      "42K07",
      "[INVALID_SCHEMA.PARSE_ERROR] Cannot parse the schema 'WIBBLE' of from_json.",
    ]);
    expect(translate("SELECT from_json(j)", ctx()).sql).toBe("SELECT from_json(j)");
  });

  it("named_struct needs pairs; struct() becomes struct_pack", () => {
    expect(failure("SELECT named_struct('a', 1, 'b')")).toEqual([
      "WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
      "42605",
      "[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `named_struct` requires an even number of parameters.",
    ]);
    expect(translate("SELECT struct(a, 2)", ctx()).sql).toBe("SELECT struct_pack(a, 2)");
  });

  it("== is =, => is :=, STRING is VARCHAR; comments and $$ strings survive as whitespace and text", () => {
    expect(
      translate("SELECT f(x => 1) WHERE a == 2 -- note\n AND CAST(b AS STRING) /* c */ = $$d$$", ctx()).sql,
    ).toBe("SELECT f(x := 1) WHERE a = 2 \n\n AND CAST(b AS VARCHAR)   = $$d$$");
  });

  it("nested generic types close on >> as well", () => {
    expect(translate("SELECT CAST(x AS ARRAY<MAP<STRING, INT>>)", ctx()).sql).toBe(
      "SELECT CAST(x AS MAP(VARCHAR, INTEGER)[])",
    );
  });
});

describe("name resolution", () => {
  it("comma-separated FROM lists, INSERT INTO and CREATE TABLE IF NOT EXISTS record table references", () => {
    const t = translate("SELECT * FROM a, q1.b WHERE x IN (SELECT y FROM c)", ctx());
    expect(t.sql).toBe('SELECT * FROM "a", "q1"."b" WHERE x IN (SELECT y FROM "c")');
    expect(t.refs.map((r) => r.fullName)).toEqual(["main.default.a", "main.q1.b", "main.default.c"]);
    const ins = translate("INSERT INTO t VALUES (1)", ctx());
    expect(ins.refs).toEqual([{ kind: "table", fullName: "main.default.t", write: true }]);
    const create = translate("CREATE TABLE IF NOT EXISTS sales.q1.n (a INT)", ctx());
    expect(create.sql).toBe('CREATE TABLE IF NOT EXISTS "sales"."q1"."n" (a INT)');
    expect(create.refs).toEqual([{ kind: "table", fullName: "sales.q1.n", write: true }]);
  });

  it("a two-part call is a function in the current catalog; a four-part name is left unrecorded", () => {
    const call = translate("SELECT q1.f(1)", ctx());
    expect(call.sql).toBe('SELECT "q1"."f"(1)');
    expect(call.refs).toEqual([{ kind: "function", fullName: "main.q1.f", write: false }]);
    const four = translate("SELECT main.default.t.col FROM main.default.t", ctx());
    expect(four.sql).toBe('SELECT "main__uc"."default"."t"."col" FROM "main__uc"."default"."t"');
    expect(four.refs.map((r) => r.fullName)).toEqual(["main.default.t"]);
  });
});

describe("ai_query arguments", () => {
  const ai = (sql: string, params: Record<string, ParamValue> = {}) => translate(sql, ctx(params, true));

  it("the endpoint must be a constant string (a literal or a bound parameter) and a request is required", () => {
    expect(failure("SELECT ai_query(ep, 'x')", ctx({}, true))).toEqual([
      "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT",
      "42K09",
      "[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] ai_query: the first argument (endpoint) must be a constant STRING.",
    ]);
    expect(failure("SELECT ai_query(:ep, 'x')", ctx({}, true))[0]).toBe(
      "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT",
    );
    expect(failure("SELECT ai_query('ep')", ctx({}, true))).toEqual([
      "WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
      "42605",
      "[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `ai_query` requires at least 2 parameters (endpoint, request).",
    ]);
    expect(ai("SELECT ai_query(:ep, 'x')", { ep: str("my-ep") }).aiQueries[0]?.endpoint).toBe("my-ep");
  });

  it("positional returnType/failOnError, literal and parameter options, and modelParameters values", () => {
    const t = ai(
      "SELECT ai_query('ep', q, 'STRING', true, responseFormat => :rf, strict => :b, modelParameters => named_struct('max_tokens', 100, 'temperature', -0.5, 'stop', 'x', 'seed', CAST(7 AS INT), 'n', NULL, 'echo', false, 'top_p', :p, 'user', :u, 'none', :z)) FROM main.default.t",
      {
        rf: str('{"type":"json_object"}'),
        b: { value: "true", type: "BOOLEAN" },
        p: { value: "0.9", type: "DOUBLE" },
        u: str("ann"),
        z: str(null),
      },
    );
    expect(t.sql).toBe('SELECT lookup_0 FROM "main__uc"."default"."t"');
    expect(t.aiQueries[0]).toMatchObject({
      endpoint: "ep",
      request: "q",
      literals: {
        returntype: "STRING",
        failonerror: true,
        responseformat: '{"type":"json_object"}',
        strict: true,
      },
      modelParameters: {
        max_tokens: 100,
        temperature: -0.5,
        stop: "x",
        seed: 7,
        n: null,
        echo: false,
        top_p: 0.9,
        user: "ann",
        none: null,
      },
      keysQuery: 'SELECT DISTINCT CAST(to_json(q) AS VARCHAR) AS k FROM "main__uc"."default"."t"',
      table: "__ai_query_0",
    });
  });

  it.each([
    ["not a named_struct", "modelParameters => map('a', 1)"],
    ["a non-string key", "modelParameters => named_struct(1, 2)"],
    ["a non-constant value", "modelParameters => named_struct('a', col)"],
    ["an expression value", "modelParameters => named_struct('a', 1 + 2)"],
    ["an unbound parameter value", "modelParameters => named_struct('a', :nope)"],
  ])("modelParameters with %s is AI_FUNCTION_INVALID_MODEL_PARAMETERS", (_label, arg) => {
    expect(failure(`SELECT ai_query('ep', q, ${arg})`, ctx({}, true))).toEqual([
      "AI_FUNCTION_INVALID_MODEL_PARAMETERS.MODEL_SCHEMA_PARSE_ERROR",
      "22023",
      "[AI_FUNCTION_INVALID_MODEL_PARAMETERS.MODEL_SCHEMA_PARSE_ERROR] modelParameters must be a named_struct of constant values, e.g. named_struct('max_tokens', 100, 'temperature', 0.0).",
    ]);
  });

  it("the keys query keeps the statement's WITH prefix; without FROM it has no FROM", () => {
    const t = ai("WITH s AS (SELECT 'hi' AS q) SELECT ai_query('ep', q) FROM s");
    expect(t.aiQueries[0]?.keysQuery).toBe(
      "WITH s AS (SELECT 'hi' AS q)  SELECT DISTINCT CAST(to_json(q) AS VARCHAR) AS k FROM \"s\"",
    );
    const bare = ai("SELECT ai_query('ep', 'hello'), ai_query('ep', 'bye')");
    expect(bare.sql).toBe("SELECT lookup_0, lookup_1");
    expect(bare.aiQueries.map((q) => q.keysQuery)).toEqual([
      "SELECT DISTINCT CAST(to_json('hello') AS VARCHAR) AS k",
      "SELECT DISTINCT CAST(to_json('bye') AS VARCHAR) AS k",
    ]);
  });
});
