/**
 * Index schemas and row validation (pure). Column types: packages/databricks-emulator/spec/vector-search.md
 * section "Direct Access schema".
 */
import { invalidParameter } from "../errors.js";
import { isObject } from "../util/json.js";
import type { ColumnType, RowValues, Schema } from "./filters.js";

const ALIASES: Record<string, ColumnType> = {
  integer: "int",
  int: "int",
  long: "long",
  bigint: "long",
  float: "float",
  double: "double",
  boolean: "boolean",
  string: "string",
  date: "date",
  timestamp: "timestamp",
  "array<float>": "array<float>",
  "array<double>": "array<double>",
  "array<string>": "array<string>",
  "array<int>": "array<int>",
  "array<integer>": "array<int>",
  "array<long>": "array<long>",
  "array<bigint>": "array<long>",
};

/** UC canonical type for a user spelling (`integer` -> `int`), or undefined when unsupported. */
export const canonicalType = (t: string): ColumnType | undefined =>
  ALIASES[t.toLowerCase().replace(/\s+/g, "")];

/** Parses `schema_json` (a JSON *string* mapping column -> type). */
export const parseSchemaJson = (raw: unknown): Schema => {
  if (typeof raw !== "string") {
    throw invalidParameter(
      'direct_access_index_spec.schema_json must be a JSON string such as "{\\"id\\": \\"int\\", \\"text\\": \\"string\\", \\"v\\": \\"array<float>\\"}".',
    );
  }
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw invalidParameter("direct_access_index_spec.schema_json is not valid JSON.");
  }
  if (!isObject(v) || Object.keys(v).length === 0) {
    throw invalidParameter(
      "direct_access_index_spec.schema_json must map at least one column name to a type.",
    );
  }
  const schema: Schema = {};
  for (const [col, t] of Object.entries(v)) {
    const c = typeof t === "string" ? canonicalType(t) : undefined;
    if (!c) {
      throw invalidParameter(
        `direct_access_index_spec.schema_json: column '${col}' has unsupported type ${JSON.stringify(t)}; use one of integer, long, float, double, boolean, string, date, timestamp, array<float>, array<double>, array<string>.`,
      );
    }
    schema[col] = c;
  }
  return schema;
};

export const isVectorType = (t: ColumnType | undefined) => t === "array<float>" || t === "array<double>";

/** Checks one cell against its column type; returns an error text or undefined. */
export const checkCell = (type: ColumnType, v: unknown): string | undefined => {
  if (v === null) return undefined;
  switch (type) {
    case "int":
    case "long":
      return typeof v === "number" && Number.isInteger(v)
        ? undefined
        : `expected an integer, got ${JSON.stringify(v)}`;
    case "float":
    case "double":
      return typeof v === "number" && Number.isFinite(v)
        ? undefined
        : `expected a number, got ${JSON.stringify(v)}`;
    case "boolean":
      return typeof v === "boolean" ? undefined : `expected a boolean, got ${JSON.stringify(v)}`;
    case "string":
    case "date":
    case "timestamp":
      return typeof v === "string" ? undefined : `expected a string, got ${JSON.stringify(v)}`;
    case "array<string>":
      return Array.isArray(v) && v.every((x) => typeof x === "string")
        ? undefined
        : "expected a list of strings";
    default:
      return Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isFinite(x))
        ? undefined
        : "expected a list of numbers";
  }
};

/** The key under which a primary-key value is stored (strings and numbers share one key space, as on the wire). */
export const pkKey = (v: unknown): string => String(v);

/** Ascending primary-key order: numeric for numeric keys, else by string. */
export const comparePk = (numeric: boolean) =>
  numeric
    ? (a: string, b: string) => Number(a) - Number(b)
    : (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** `Struct`-style protobuf value of one cell (the `scan` response shape). */
export const protoValue = (v: unknown): Record<string, unknown> => {
  if (v === null || v === undefined) return { null_value: "NULL_VALUE" };
  if (typeof v === "number") return { number_value: v };
  if (typeof v === "boolean") return { bool_value: v };
  if (Array.isArray(v)) return { list_value: { values: v.map(protoValue) } };
  if (typeof v === "object") {
    return {
      struct_value: {
        fields: Object.entries(v as RowValues).map(([key, value]) => ({ key, value: protoValue(value) })),
      },
    };
  }
  return { string_value: String(v) };
};
