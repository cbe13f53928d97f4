/**
 * Types shared by the Databricks SQL -> DuckDB translation (translate.ts) and its users: parameters, the
 * `ai_query` calls and object references a statement contains, and SqlAnalysisError (a Databricks error class
 * with its SQLSTATE).
 */

export interface ParamValue {
  /** Text of the value (non-string JSON values are stringified); null is SQL NULL. */
  value: string | null;
  /** Databricks type text; STRING by default. */
  type: string;
}

/** One `ai_query(...)` call found in a statement. */
export interface AiQueryCall {
  index: number;
  endpoint: string;
  /** DuckDB SQL of the request expression. */
  request: string;
  /** DuckDB SQL of a query producing the distinct request values (`k` = to_json(request)::VARCHAR). */
  keysQuery: string;
  /** Named options as DuckDB SQL expressions (returnType, failOnError, modelParameters, responseFormat). */
  options: Record<string, string>;
  /** Literal values of options given as literals (strings, booleans). */
  literals: Record<string, string | boolean>;
  /** `modelParameters => named_struct(...)` as a JSON-able object of literal values. */
  modelParameters?: Record<string, unknown>;
  /** Name of the temp table holding the results. */
  table: string;
}

export interface ObjectRef {
  kind: "table" | "function";
  /** Lower-cased catalog.schema.name. */
  fullName: string;
  /** Write target (INSERT INTO, CREATE TABLE, ...). */
  write?: boolean;
}

export interface Translation {
  sql: string;
  /** Parameters actually referenced, as DuckDB bind values. */
  binds: Record<string, string | null>;
  refs: ObjectRef[];
  aiQueries: AiQueryCall[];
}

export interface TranslateContext {
  catalog: string;
  schema: string;
  params: Map<string, ParamValue>;
  isCatalog(name: string): boolean;
  /** Replacement SQL for an ai_query call (given the parsed call). */
  aiQueryReplacement?(call: AiQueryCall): string;
}

export class SqlAnalysisError extends Error {
  override readonly name = "SqlAnalysisError";
  constructor(
    readonly errorClass: string,
    readonly sqlState: string,
    message: string,
  ) {
    super(`[${errorClass}] ${message}`);
  }
}
