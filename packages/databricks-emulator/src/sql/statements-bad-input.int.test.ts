/**
 * Statement Execution API request validation (sql/statements.ts): each malformed request is a 400 (404 for an
 * unknown warehouse) envelope with the exact message, and the parameter forms clients really send (raw JSON
 * numbers, booleans, objects, null) bind as their text.
 */
import { describe, expect, it } from "vitest";
import { dig, expectError, useEmulator } from "../../test-support/conformance.js";

const ST = "/api/2.0/sql/statements";

describe("Statement Execution: bad requests", () => {
  const h = useEmulator();
  const post = (body: Record<string, unknown>, withWarehouse = true) =>
    h.call("POST", ST, withWarehouse ? { warehouse_id: h.emu.warehouseId, ...body } : body);

  it.each([
    [{ statement: "   " }, "statement is required and must be a non-empty string."],
    [{ statement: 7 }, "statement is required and must be a non-empty string."],
    [{ statement: "SELECT 1", warehouse_id: "" }, "warehouse_id is required."],
    [
      { statement: "SELECT 1", wait_timeout: "3s" },
      'The wait_timeout field must be either 0s or between 5s and 50s, got "3s".',
    ],
    [
      { statement: "SELECT 1", wait_timeout: 10 },
      "The wait_timeout field must be either 0s or between 5s and 50s, got 10.",
    ],
    [
      { statement: "SELECT 1", wait_timeout: "51s" },
      'The wait_timeout field must be either 0s or between 5s and 50s, got "51s".',
    ],
    [{ statement: "SELECT 1", on_wait_timeout: "ABORT" }, "on_wait_timeout must be CONTINUE or CANCEL."],
    [
      { statement: "SELECT 1", disposition: "HYBRID" },
      'Invalid disposition "HYBRID": use INLINE or EXTERNAL_LINKS.',
    ],
    [
      { statement: "SELECT 1", disposition: "EXTERNAL_LINKS", format: "XML" },
      'Invalid format "XML": use JSON_ARRAY, ARROW_STREAM or CSV.',
    ],
    [
      { statement: "SELECT 1", format: "CSV" },
      "The CSV format is only supported with the EXTERNAL_LINKS disposition.",
    ],
    [{ statement: "SELECT 1", row_limit: -1 }, "row_limit must be a non-negative integer."],
    [{ statement: "SELECT 1", row_limit: "10" }, "row_limit must be a non-negative integer."],
    [{ statement: "SELECT 1", byte_limit: 1.5 }, "byte_limit must be a non-negative integer."],
    [{ statement: "SELECT :a", parameters: { a: 1 } }, "parameters must be a list of {name, value, type}."],
    [{ statement: "SELECT :a", parameters: [{ value: "1" }] }, "parameters[0].name is required."],
    [{ statement: "SELECT :a", parameters: ["a"] }, "parameters[0].name is required."],
    [
      { statement: "SELECT :a", parameters: [{ name: "a", value: "[1]", type: "ARRAY<INT>" }] },
      "parameters[0] has type ARRAY<INT>: ARRAY, MAP and STRUCT parameters are not supported; pass JSON text and use from_json.",
    ],
    [
      { statement: "SELECT 1", query_tags: Array.from({ length: 21 }, (_, i) => ({ key: `k${i}` })) },
      "query_tags must be a list of at most 20 {key, value}.",
    ],
    [
      { statement: "SELECT 1", query_tags: "team=a" },
      "query_tags must be a list of at most 20 {key, value}.",
    ],
  ])("%j -> 400", async (body, message) => {
    expectError(await post(body), 400, "INVALID_PARAMETER_VALUE", message);
  });

  it("a missing warehouse_id is 400, an unknown one 404", async () => {
    expectError(
      await post({ statement: "SELECT 1" }, false),
      400,
      "INVALID_PARAMETER_VALUE",
      "warehouse_id is required.",
    );
    expectError(
      await post({ statement: "SELECT 1", warehouse_id: "nope123" }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
      "Warehouse nope123 does not exist.",
    );
  });

  it("raw JSON parameter values bind as text: numbers, booleans, objects and null", async () => {
    const res = await post({
      statement: "SELECT :n + 1 AS n, :b AS b, :o AS o, :z IS NULL AS z, :s AS s",
      wait_timeout: "30s",
      parameters: [
        { name: "n", value: 41, type: "INT" },
        { name: "b", value: true, type: "BOOLEAN" },
        { name: "o", value: { k: [1, 2] } },
        { name: "z", value: null },
        { name: "s" },
      ],
    });
    expect(dig(res.json, "status", "state"), res.text).toBe("SUCCEEDED");
    expect(dig(res.json, "result", "data_array")).toEqual([["42", "true", '{"k":[1,2]}', "true", null]]);
  });

  it("DML answers with affected-row counts and DDL with an empty result", async () => {
    const run = async (statement: string) => {
      const res = await post({ statement, wait_timeout: "30s" });
      expect(dig(res.json, "status", "state"), res.text).toBe("SUCCEEDED");
      return res.json;
    };
    const ddl = await run("CREATE TABLE main.default.st_bad (a INT)");
    expect(dig(ddl, "manifest", "schema", "column_count")).toBe(0);
    const ins = await run("INSERT INTO main.default.st_bad VALUES (1), (2), (3)");
    expect(dig(ins, "manifest", "schema", "columns")).toEqual([
      { name: "num_affected_rows", position: 0, type_name: "LONG", type_text: "BIGINT" },
      { name: "num_inserted_rows", position: 1, type_name: "LONG", type_text: "BIGINT" },
    ]);
    expect(dig(ins, "result", "data_array")).toEqual([["3", "3"]]);
    const del = await run("DELETE FROM main.default.st_bad WHERE a > 1");
    expect(dig(del, "result", "data_array")).toEqual([["2"]]);
    const upd = await run("UPDATE main.default.st_bad SET a = 5");
    expect(dig(upd, "result", "data_array")).toEqual([["1"]]);
  });
});
