import { describe, expect, it } from "vitest";
import { DatabricksAbortError, DatabricksConfigError } from "../errors.js";
import { runBatchInference } from "./batch.js";
import {
  assertSucceeded,
  convertCell,
  DatabricksStatementError,
  quoteName,
  StatementExecutionClient,
  toParameters,
} from "./statement-client.js";

describe("statement client helpers", () => {
  it("turns parameter records into wire parameters with inferred types", () => {
    expect(
      toParameters({ n: 5, x: 1.5, b: false, s: "hi", z: null, d: { value: "2024-01-02", type: "DATE" } }),
    ).toEqual([
      { name: "n", value: "5", type: "BIGINT" },
      { name: "x", value: "1.5", type: "DOUBLE" },
      { name: "b", value: "false", type: "BOOLEAN" },
      { name: "s", value: "hi" },
      { name: "z" },
      { name: "d", value: "2024-01-02", type: "DATE" },
    ]);
  });

  it("quotes dotted names part by part and rejects empty parts", () => {
    expect(quoteName("main.default.t")).toBe("`main`.`default`.`t`");
    expect(quoteName("`we.ird`.`x``y`")).toBe("`we.ird`.`x``y`");
    expect(() => quoteName("a.`b")).toThrow(DatabricksConfigError);
    expect(() => quoteName("a..b")).toThrow(DatabricksConfigError);
  });

  it("converts JSON_ARRAY cells by column type", () => {
    const col = (type_name: string) => ({ name: "c", position: 0, type_name, type_text: type_name });
    expect(convertCell("42", col("INT"))).toBe(42);
    expect(convertCell("9007199254740993", col("LONG"))).toBe(9007199254740993n);
    expect(convertCell("true", col("BOOLEAN"))).toBe(true);
    expect(convertCell("[1,2]", col("ARRAY"))).toEqual([1, 2]);
    expect(convertCell("12.50", col("DECIMAL"))).toBe("12.50");
    expect(convertCell(null, col("INT"))).toBeNull();
  });

  it("assertSucceeded raises DatabricksStatementError with the error class", () => {
    const e = (() => {
      try {
        assertSucceeded({
          statement_id: "s1",
          status: {
            state: "FAILED",
            error: {
              error_code: "BAD_REQUEST",
              message: "[PARSE_SYNTAX_ERROR] Syntax error SQLSTATE: 42601",
            },
            sql_state: "42601",
          },
        });
      } catch (err) {
        return err as DatabricksStatementError;
      }
      throw new Error("expected a throw");
    })();
    expect(e).toBeInstanceOf(DatabricksStatementError);
    expect([e.errorClass, e.sqlState, e.errorCode, e.statementId]).toEqual([
      "PARSE_SYNTAX_ERROR",
      "42601",
      "BAD_REQUEST",
      "s1",
    ]);
  });

  it("validates before any I/O: warehouse, wait timeout, aborted signal", async () => {
    const client = new StatementExecutionClient({ host: "https://example.invalid", token: "dapi-x" });
    const before = process.env.DATABRICKS_WAREHOUSE_ID;
    delete process.env.DATABRICKS_WAREHOUSE_ID;
    try {
      await expect(client.submit("SELECT 1")).rejects.toThrow(/DATABRICKS_WAREHOUSE_ID/);
    } finally {
      if (before !== undefined) process.env.DATABRICKS_WAREHOUSE_ID = before;
    }
    await expect(client.submit("SELECT 1", { warehouseId: "w", waitTimeout: 3 })).rejects.toThrow(
      /waitTimeout/,
    );
    await expect(
      client.submit("SELECT 1", { warehouseId: "w", signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(DatabricksAbortError);
    await expect(
      runBatchInference({
        client,
        endpoint: "e",
        source: { table: "a.b.c" },
        inputColumn: "x",
        key: "id",
        outputTable: "a.b.o",
        signal: AbortSignal.abort(),
      }),
    ).rejects.toBeInstanceOf(DatabricksAbortError);
  });
});
