/**
 * The statements the emulator runs itself (sql/commands.ts) against a real in-memory Unity Catalog: the catalog,
 * function and grant state each statement leaves, and the SQL error class, SQLSTATE and message of each bad one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Identity, makeIdentity } from "../auth/identity.js";
import { Clock } from "../util/clock.js";
import { UnityCatalog } from "./catalog.js";
import { type CommandContext, runCommand } from "./commands.js";
import { type ParamValue, SqlAnalysisError } from "./translate.js";

let uc: UnityCatalog;
beforeAll(async () => {
  uc = await UnityCatalog.open(new Clock(), undefined);
});
afterAll(() => uc.close());

const admin = makeIdentity("user", "admin@example.com", { admin: true });
const bob = makeIdentity("user", "bob@example.com");

const ctx = (identity: Identity = admin, params: Record<string, string> = {}): CommandContext => ({
  uc,
  identity,
  params: new Map(
    Object.entries(params).map(([k, v]): [string, ParamValue] => [k, { value: v } as ParamValue]),
  ),
  catalog: "main",
  schema: "default",
});

const run = (sql: string, identity?: Identity, params?: Record<string, string>) =>
  runCommand(sql, ctx(identity, params));

/** The SqlAnalysisError a statement fails with (fails the test when it does not fail). */
const failure = async (sql: string, identity?: Identity, params?: Record<string, string>) => {
  try {
    await run(sql, identity, params);
  } catch (e) {
    expect(e).toBeInstanceOf(SqlAnalysisError);
    const err = e as SqlAnalysisError;
    return { errorClass: err.errorClass, sqlState: err.sqlState, message: err.message };
  }
  throw new Error(`expected '${sql}' to fail`);
};

const syntaxError = (m: string) => ({
  errorClass: "PARSE_SYNTAX_ERROR",
  sqlState: "42601",
  message: `[PARSE_SYNTAX_ERROR] Syntax error: ${m}.`,
});

describe("runCommand: what is and is not a command", () => {
  it("USE is accepted with an empty result; queries and table DDL go to the engine (undefined)", async () => {
    expect(await run("USE CATALOG main")).toEqual({ columns: [], rows: [] });
    expect(await run("SELECT 1")).toBeUndefined();
    expect(await run("CREATE TABLE main.default.t (a INT)")).toBeUndefined();
    expect(await run("DROP TABLE main.default.t")).toBeUndefined();
    expect(await run("CREATE OR REPLACE VIEW v AS SELECT 1")).toBeUndefined();
  });

  it("a statement the tokenizer cannot read is a PARSE_SYNTAX_ERROR", async () => {
    const f = await failure("CREATE CATALOG 'unterminated");
    expect(f.errorClass).toBe("PARSE_SYNTAX_ERROR");
    expect(f.sqlState).toBe("42601");
  });
});

describe("CREATE / DROP CATALOG", () => {
  it("creates a catalog with its comment and a default schema; IF NOT EXISTS is quiet; a second create is 409", async () => {
    await run("CREATE CATALOG sales COMMENT 'the sales data';");
    expect(uc.catalogMeta("sales")).toMatchObject({ owner: "admin@example.com", comment: "the sales data" });
    expect(await uc.schemaNames("sales")).toContain("default");
    expect(await run("CREATE CATALOG IF NOT EXISTS sales")).toEqual({ columns: [], rows: [] });
    expect(await failure("CREATE CATALOG Sales")).toEqual({
      errorClass: "CATALOG_ALREADY_EXISTS",
      sqlState: "42723",
      message: "[CATALOG_ALREADY_EXISTS] Catalog 'sales' already exists.",
    });
  });

  it("only admins create or drop catalogs", async () => {
    expect(await failure("CREATE CATALOG bobs", bob)).toEqual({
      errorClass: "PERMISSION_DENIED",
      sqlState: "42501",
      message: "[PERMISSION_DENIED] User does not have CREATE CATALOG on Metastore.",
    });
    expect(uc.catalogMeta("bobs")).toBeUndefined();
    expect(await failure("DROP CATALOG sales", bob)).toEqual({
      errorClass: "PERMISSION_DENIED",
      sqlState: "42501",
      message: "[PERMISSION_DENIED] Only admins can drop catalogs.",
    });
    expect(uc.catalogMeta("sales")).toBeDefined();
  });

  it("rejects trailing words and malformed names", async () => {
    expect(await failure("CREATE CATALOG x y")).toEqual(syntaxError("unexpected 'y'"));
    expect(await failure("CREATE CATALOG a.b")).toEqual(syntaxError("invalid name 'a.b'"));
    expect(await failure("CREATE CATALOG")).toEqual(syntaxError("expected a name near 'end of input'"));
    expect(await failure("CREATE CATALOG IF NOT x")).toEqual(syntaxError("expected EXISTS near 'x'"));
  });

  it("IDENTIFIER() takes the name from a string or a named parameter, and nothing else", async () => {
    await run("CREATE CATALOG IDENTIFIER('lit_cat')");
    expect(uc.catalogMeta("lit_cat")).toBeDefined();
    await run("CREATE CATALOG IDENTIFIER(:cat)", admin, { cat: "Param_Cat" });
    expect(uc.catalogMeta("param_cat")).toBeDefined();
    expect(await failure("CREATE CATALOG IDENTIFIER(42)")).toEqual(
      syntaxError("IDENTIFIER() needs a constant string"),
    );
    expect(await failure("CREATE CATALOG IDENTIFIER(:missing)")).toEqual(
      syntaxError("IDENTIFIER() needs a constant string"),
    );
  });

  it("drops a catalog; a missing one is 404 unless IF EXISTS", async () => {
    await run("DROP CATALOG lit_cat");
    expect(uc.catalogMeta("lit_cat")).toBeUndefined();
    expect(await failure("DROP CATALOG lit_cat")).toEqual({
      errorClass: "CATALOG_DOES_NOT_EXIST",
      sqlState: "42883",
      message: "[CATALOG_DOES_NOT_EXIST] Catalog 'lit_cat' does not exist.",
    });
    expect(await run("DROP CATALOG IF EXISTS lit_cat")).toEqual({ columns: [], rows: [] });
  });
});

describe("CREATE / DROP FUNCTION", () => {
  it("a scalar SQL function: parameters with defaults and comments, characteristics, RETURN body", async () => {
    await run(
      "CREATE FUNCTION add_n(x INT NOT NULL COMMENT 'the input', n INT DEFAULT 1) RETURNS INT " +
        "LANGUAGE SQL NOT DETERMINISTIC CONTAINS SQL SQL SECURITY DEFINER COMMENT 'adds n' RETURN x + n;",
    );
    const info = uc.getFunction("main.default.add_n")?.info;
    expect(info).toMatchObject({
      full_name: "main.default.add_n",
      data_type: "INT",
      full_data_type: "int",
      routine_body: "SQL",
      routine_definition: "x + n",
      is_deterministic: false,
      sql_data_access: "CONTAINS_SQL",
      comment: "adds n",
      owner: "admin@example.com",
    });
    const params =
      (info?.input_params as { parameters: Record<string, unknown>[] } | undefined)?.parameters ?? [];
    expect(params.map((p) => [p.name, p.type_text, p.comment, p.parameter_default])).toEqual([
      ["x", "int", "the input", undefined],
      ["n", "int", undefined, "1"],
    ]);
    // The macro is real: DuckDB evaluates it with the default.
    const res = await uc.engine.run(`SELECT ${uc.duckTable("main", "default", "add_n")}(41) AS v`);
    expect(res.getRows()).toEqual([[42]]);
  });

  it("a table function (RETURNS TABLE) and a Python function (AS $$ body $$, stored as EXTERNAL)", async () => {
    await run(
      "CREATE OR REPLACE FUNCTION main.default.pairs() RETURNS TABLE (a INT, b STRING) DETERMINISTIC READS SQL DATA RETURN SELECT 1 AS a, 'x' AS b",
    );
    expect(uc.getFunction("main.default.pairs")?.info).toMatchObject({
      data_type: "TABLE_TYPE",
      full_data_type: "a INT, b STRING",
      is_deterministic: true,
    });
    await run(
      "CREATE FUNCTION default.shout(s STRING) RETURNS STRING LANGUAGE PYTHON NO SQL AS $$ return s.upper() $$",
    );
    expect(uc.getFunction("main.default.shout")?.info).toMatchObject({
      routine_body: "EXTERNAL",
      routine_definition: " return s.upper() ",
      sql_data_access: "NO_SQL",
    });
  });

  it("accepts every Databricks SQL type form for parameters and the return type", async () => {
    await run(
      "CREATE FUNCTION typed(a DECIMAL(10, 2) COMMENT 'amount', b MAP<STRING, ARRAY<INT>>, " +
        "c STRUCT<x: INT, y STRING NOT NULL COMMENT 'why'>, d TIMESTAMP, e BINARY, f VARIANT, g TINYINT, " +
        "h INTERVAL DAY TO SECOND, i VARCHAR(3) DEFAULT 'abc') RETURNS ARRAY<STRUCT<a: BIGINT>> RETURN NULL",
    );
    const params = (
      uc.getFunction("main.default.typed")!.info.input_params as { parameters: Record<string, unknown>[] }
    ).parameters;
    expect(params.map((p) => p.type_text)).toEqual([
      "decimal(10,2)",
      "map<string,array<int>>",
      "struct<x: int,y string not null comment 'why'>",
      "timestamp",
      "binary",
      "variant",
      "tinyint",
      "interval day to second",
      "varchar(3)",
    ]);
  });

  it("an existing function: 409, quiet with IF NOT EXISTS, replaced with OR REPLACE", async () => {
    expect(await failure("CREATE FUNCTION add_n(x INT) RETURNS INT RETURN x")).toEqual({
      errorClass: "FUNCTION_ALREADY_EXISTS",
      sqlState: "42723",
      message: "[FUNCTION_ALREADY_EXISTS] Function 'main.default.add_n' already exists.",
    });
    await run("CREATE FUNCTION IF NOT EXISTS add_n(x INT) RETURNS INT RETURN x");
    expect(uc.getFunction("main.default.add_n")?.info.routine_definition).toBe("x + n");
    await run("CREATE OR REPLACE FUNCTION add_n(x INT) RETURNS BIGINT RETURN x * 2");
    expect(uc.getFunction("main.default.add_n")?.info).toMatchObject({
      routine_definition: "x * 2",
      data_type: "LONG",
    });
  });

  it.each([
    ["CREATE FUNCTION bad1 RETURNS INT RETURN 1", "expected ( after the function name"],
    ["CREATE FUNCTION bad2(1) RETURNS INT RETURN 1", "expected a parameter name"],
    ["CREATE FUNCTION bad3(a INT RETURNS INT RETURN 1", "expected , or ) after parameter 'a' near 'RETURNS'"],
    ["CREATE FUNCTION bad4() INT RETURN 1", "expected RETURNS near 'INT'"],
    ["CREATE FUNCTION bad5() RETURNS INT LANGUAGE SQL", "expected RETURN <expression> or AS $$ body $$"],
    ["CREATE FUNCTION bad6() RETURNS INT AS 42", "expected $$ body $$ after AS"],
    ["CREATE FUNCTION bad7() RETURNS INT LANGUAGE SQL BOGUS RETURN 1", "unexpected 'BOGUS'"],
    ["CREATE FUNCTION bad8(a INT NOT 1) RETURNS INT RETURN 1", "expected NULL near '1'"],
    // Types are Databricks SQL types, read structurally: a missing comma or a stray word is not part of a type.
    [
      "CREATE FUNCTION bad9(a INT b INT) RETURNS INT RETURN 1",
      "expected , or ) after parameter 'a' near 'b'",
    ],
    ["CREATE FUNCTION bad10() RETURNS INT BOGUS RETURN 1", "unexpected 'BOGUS'"],
    ["CREATE FUNCTION bad11(a FOO) RETURNS INT RETURN 1", "unknown data type 'FOO'"],
    ["CREATE FUNCTION bad12() RETURNS BOGUS RETURN 1", "unknown data type 'BOGUS'"],
    ["CREATE FUNCTION bad13(a) RETURNS INT RETURN 1", "expected a data type near ')'"],
    ["CREATE FUNCTION bad14(a ARRAY<INT) RETURNS INT RETURN 1", "expected > near ')'"],
    ["CREATE FUNCTION bad15(a MAP<STRING>) RETURNS INT RETURN 1", "expected , near '>'"],
    ["CREATE FUNCTION bad16(a DECIMAL(10, x)) RETURNS INT RETURN 1", "expected a number near 'x'"],
    ["CREATE FUNCTION bad17(a STRUCT<x INT y INT>) RETURNS INT RETURN 1", "expected , or > near 'y'"],
    [
      "CREATE FUNCTION bad18() RETURNS TABLE (a INT b STRING) RETURN SELECT 1",
      "expected , or ) after column 'a' near 'b'",
    ],
  ])("%s -> syntax error", async (sql, message) => {
    expect(await failure(sql)).toEqual(syntaxError(message));
    expect(
      uc
        .listFunctions("main", "default")
        .map(([k]) => k)
        .filter((k) => k.includes(".bad")),
    ).toEqual([]);
  });

  it("a function in a missing catalog or schema is 404; a non-admin without CREATE FUNCTION is 403", async () => {
    expect(await failure("CREATE FUNCTION nocat.default.f() RETURNS INT RETURN 1")).toEqual({
      errorClass: "CATALOG_DOES_NOT_EXIST",
      sqlState: "42883",
      message: "[CATALOG_DOES_NOT_EXIST] Catalog 'nocat' does not exist.",
    });
    expect(await failure("CREATE FUNCTION main.nosch.f() RETURNS INT RETURN 1")).toEqual({
      errorClass: "SCHEMA_DOES_NOT_EXIST",
      sqlState: "42883",
      message: "[SCHEMA_DOES_NOT_EXIST] Schema 'main.nosch' does not exist.",
    });
    expect(await failure("CREATE FUNCTION f() RETURNS INT RETURN 1", bob)).toEqual({
      errorClass: "PERMISSION_DENIED",
      sqlState: "42501",
      message: "[PERMISSION_DENIED] User does not have CREATE FUNCTION on Schema 'main.default'.",
    });
  });

  it("DROP FUNCTION: owner or admin only; missing is ROUTINE_NOT_FOUND unless IF EXISTS", async () => {
    expect(await failure("DROP FUNCTION add_n", bob)).toEqual({
      errorClass: "PERMISSION_DENIED",
      sqlState: "42501",
      message: "[PERMISSION_DENIED] User is not the owner of function 'main.default.add_n'.",
    });
    await run("DROP FUNCTION main.default.add_n");
    expect(uc.getFunction("main.default.add_n")).toBeUndefined();
    expect(await failure("DROP FUNCTION add_n")).toEqual({
      errorClass: "ROUTINE_NOT_FOUND",
      sqlState: "42883",
      message: "[ROUTINE_NOT_FOUND] The function main.default.add_n cannot be found.",
    });
    expect(await run("DROP FUNCTION IF EXISTS add_n")).toEqual({ columns: [], rows: [] });
  });
});

describe("GRANT / REVOKE", () => {
  it("grants several privileges on each securable kind and revokes them", async () => {
    await run("GRANT USE CATALOG ON CATALOG sales TO `bob@example.com`");
    await run("GRANT USE SCHEMA, CREATE FUNCTION ON DATABASE sales.default TO `bob@example.com`");
    await run("GRANT SELECT, MODIFY ON TABLE sales.default.orders TO analysts");
    await run("GRANT EXECUTE ON FUNCTION main.default.pairs TO `bob@example.com`");
    await run("GRANT ALL ON VIEW sales.default.v TO analysts");
    expect(uc.grantsOn("catalog", "sales")).toEqual({ "bob@example.com": ["USE_CATALOG"] });
    expect(uc.grantsOn("schema", "sales.default")).toEqual({
      "bob@example.com": ["CREATE_FUNCTION", "USE_SCHEMA"],
    });
    expect(uc.grantsOn("table", "sales.default.orders")).toEqual({ analysts: ["MODIFY", "SELECT"] });
    expect(uc.grantsOn("function", "main.default.pairs")).toEqual({ "bob@example.com": ["EXECUTE"] });
    expect(uc.grantsOn("table", "sales.default.v")).toEqual({ analysts: ["ALL_PRIVILEGES"] });
    await run("REVOKE MODIFY ON TABLE sales.default.orders FROM analysts");
    expect(uc.grantsOn("table", "sales.default.orders")).toEqual({ analysts: ["SELECT"] });
    // Bob now may create functions in sales.default (granted above).
    await run("CREATE FUNCTION sales.default.bobs() RETURNS INT RETURN 7", bob);
    expect(uc.getFunction("sales.default.bobs")?.info.owner).toBe("bob@example.com");
  });

  it("a non-admin grants only on what they own", async () => {
    expect(await failure("GRANT SELECT ON TABLE sales.default.orders TO `bob@example.com`", bob)).toEqual({
      errorClass: "PERMISSION_DENIED",
      sqlState: "42501",
      message: "[PERMISSION_DENIED] User does not have MANAGE on TABLE 'sales.default.orders'.",
    });
    expect(await failure("GRANT USE CATALOG ON CATALOG sales TO analysts", bob)).toEqual({
      errorClass: "PERMISSION_DENIED",
      sqlState: "42501",
      message: "[PERMISSION_DENIED] User does not have MANAGE on CATALOG 'sales'.",
    });
    expect((await failure("GRANT USE SCHEMA ON SCHEMA sales.default TO analysts", bob)).errorClass).toBe(
      "PERMISSION_DENIED",
    );
    // Bob owns sales.default.bobs: he may grant on it.
    await run("GRANT EXECUTE ON FUNCTION sales.default.bobs TO analysts", bob);
    expect(uc.grantsOn("function", "sales.default.bobs")).toEqual({ analysts: ["EXECUTE"] });
  });

  it.each([
    ["GRANT FLY ON TABLE a.b.c TO x", "unknown privilege 'FLY'"],
    ["GRANT SELECT ON VOLUME a.b.c TO x", "unsupported securable 'VOLUME'"],
    ["GRANT SELECT ON TABLE a.b.c FROM x", "expected TO"],
    ["REVOKE SELECT ON TABLE a.b.c TO x", "expected FROM"],
    ["GRANT SELECT TABLE a.b.c TO x", "unknown privilege 'SELECT TABLE a'"],
    ["GRANT select, Fly Away ON TABLE a.b.c TO x", "unknown privilege 'Fly Away'"],
    ["GRANT SELECT ON TABLE a.b.c.d TO x", "invalid name 'a.b.c.d'"],
  ])("%s -> syntax error", async (sql, message) => {
    expect(await failure(sql)).toEqual(syntaxError(message));
  });
});
