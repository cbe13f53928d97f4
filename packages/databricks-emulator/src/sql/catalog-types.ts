/**
 * Unity Catalog data types (spec/sql.md "Unity Catalog"): securables and privileges, the durable state snapshot,
 * table descriptions and data, tables provided by other services, and three-level name parsing.
 */
import { ApiError, invalidParameter } from "../errors.js";
import type { SqlColumn } from "./engine.js";
import { splitName } from "./tokenize.js";

export type SecurableType = "catalog" | "schema" | "table" | "function";

export const PRIVILEGES = [
  "ALL_PRIVILEGES",
  "USE_CATALOG",
  "USE_SCHEMA",
  "SELECT",
  "MODIFY",
  "EXECUTE",
  "CREATE_SCHEMA",
  "CREATE_TABLE",
  "CREATE_FUNCTION",
] as const;
export type Privilege = (typeof PRIVILEGES)[number];

/** A UC function's stored definition (`FunctionInfo` minus the derived fields). */
export interface FunctionRecord {
  info: Record<string, unknown>;
}

export interface ObjectMeta {
  owner: string;
  comment?: string;
  created_at: number;
  created_by: string;
  id: string;
}

export interface SqlStateSnapshot {
  catalogs: Record<string, ObjectMeta>;
  schemas: Record<string, ObjectMeta>;
  tables: Record<string, ObjectMeta>;
  functions: Record<string, FunctionRecord>;
  /** `type:full_name` -> principal -> privileges. */
  grants: Record<string, Record<string, Privilege[]>>;
  warehouses: Record<string, Record<string, unknown>>;
}

/** A column of `readTable`'s answer: `type` is the Databricks type text, `typeName` its ColumnInfoTypeName. */
export interface TableColumn {
  name: string;
  type: string;
  typeName: string;
}

export interface TableData {
  columns: TableColumn[];
  /** Rows as JS values: numbers (BIGINT as number when safe, else string), strings, booleans, arrays, objects. */
  rows: unknown[][];
}

export interface TableDescription {
  catalog: string;
  schema: string;
  name: string;
  fullName: string;
  tableType: "MANAGED" | "VIEW";
  columns: SqlColumn[];
  meta: ObjectMeta;
}

const lower = (s: string) => s.toLowerCase();

/** Parses a three-level name (`a.b.c`, backticks allowed) into lower-cased parts, or throws 400. */
export const threeLevel = (fullName: string, what = "table"): [string, string, string] => {
  let parts: string[];
  try {
    parts = splitName(fullName);
  } catch {
    parts = [];
  }
  if (parts.length !== 3 || parts.some((p) => p === "")) {
    throw invalidParameter(`Invalid ${what} name '${fullName}': expected catalog.schema.${what}.`);
  }
  return parts.map(lower) as [string, string, string];
};

export const emptySnapshot = (): SqlStateSnapshot => ({
  catalogs: {},
  schemas: {},
  tables: {},
  functions: {},
  grants: {},
  warehouses: {},
});

/** A table another service serves (e.g. a Vector Search index), shown by the Unity Catalog tables API. */
export interface ProvidedTable {
  /** Lower-case `catalog.schema.name`. */
  fullName: string;
  /** e.g. `MANAGED`, `FOREIGN`. @default "MANAGED" */
  tableType?: string;
  /** e.g. `VECTOR_INDEX_FORMAT`. @default "DELTA" */
  dataSourceFormat?: string;
  columns: { name: string; type_text: string; type_name: string; comment?: string }[];
  owner?: string;
  comment?: string;
}

/** Extra tables from another emulator service: `get` one by full name, `list` those of a schema. */
export interface TableProvider {
  get(fullName: string): ProvidedTable | undefined;
  list(catalog: string, schema: string): ProvidedTable[];
}

export const tableNotFound = (fullName: string) =>
  new ApiError(404, "TABLE_DOES_NOT_EXIST", `Table '${fullName}' does not exist.`);
