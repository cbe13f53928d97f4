/**
 * How a failed statement reports its error (spec/sql.md "Statements"): DuckDB messages mapped to Databricks
 * error classes and SQLSTATEs, as `status.error` = `{error_code, message: "[CLASS] text SQLSTATE: xxxxx"}`.
 */
import { ApiError } from "../errors.js";
import { SqlAnalysisError } from "./translate.js";

/** Maps a DuckDB error message to a Databricks error class and SQLSTATE. */
const classify = (message: string): { cls: string; state: string; text: string } => {
  const text = message
    .replace(/\n+LINE \d+:[\s\S]*$/, "")
    .replace(/\nDid you mean[\s\S]*$/, "")
    .replace(
      /^(Parser|Catalog|Binder|Conversion|Invalid Input|Constraint|Out of Range|Not implemented) Error: /,
      "",
    )
    .trim();
  const rules: [RegExp, string, string][] = [
    [/^Parser Error/i, "PARSE_SYNTAX_ERROR", "42601"],
    [
      /Table with name .* does not exist|Table .* does not exist|Schema with name .* does not exist/i,
      "TABLE_OR_VIEW_NOT_FOUND",
      "42P01",
    ],
    [/(Scalar |Table |Macro )?Function with name .* does not exist/i, "UNRESOLVED_ROUTINE", "42883"],
    [/Catalog with name .* does not exist|Catalog .* does not exist/i, "NO_SUCH_CATALOG_EXCEPTION", "42704"],
    [
      /Referenced column .* not found|column .* not found|Referenced table .* not found/i,
      "UNRESOLVED_COLUMN.WITH_SUGGESTION",
      "42703",
    ],
    [/Conversion Error|Could not convert/i, "CAST_INVALID_INPUT", "22018"],
    [/Division by zero/i, "DIVIDE_BY_ZERO", "22012"],
    [/already exists/i, "TABLE_OR_VIEW_ALREADY_EXISTS", "42P07"],
    [
      /No function matches|Binder Error: .*type|Cannot compare values of type|can only be applied to/i,
      "DATATYPE_MISMATCH",
      "42K09",
    ],
    [/Constraint Error/i, "CONSTRAINT_VIOLATION", "23000"],
    [/Invalid Input Error|Out of Range/i, "INVALID_INPUT", "22023"],
  ];
  for (const [re, cls, state] of rules) if (re.test(message)) return { cls, state, text };
  return { cls: "INTERNAL_ERROR", state: "XX000", text };
};

export interface StatementFailure {
  error: { error_code: string; message: string };
  sqlState: string;
}

/** The error a statement that threw `e` reports. */
export const failureOf = (e: unknown): StatementFailure => {
  let cls: string;
  let state: string;
  let text: string;
  let code = "BAD_REQUEST";
  if (e instanceof SqlAnalysisError) {
    const m = /^\[([^\]]+)\] (.*)$/s.exec(e.message)!;
    cls = e.errorClass;
    state = e.sqlState;
    text = m[2]!;
  } else if (e instanceof ApiError) {
    cls = String(e.errorCode);
    state = e.status === 403 ? "42501" : e.status === 404 ? "42704" : "42000";
    text = e.message;
  } else {
    ({ cls, state, text } = classify(e instanceof Error ? e.message : String(e)));
    if (cls === "INTERNAL_ERROR") code = "INTERNAL_ERROR";
  }
  return { error: { error_code: code, message: `[${cls}] ${text} SQLSTATE: ${state}` }, sqlState: state };
};
