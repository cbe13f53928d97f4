/**
 * ARROW_STREAM result chunks (spec/sql.md "Formats"): an Arrow IPC stream per chunk. Numeric and boolean columns
 * keep their Arrow types; every other type (strings, dates, decimals, arrays, structs) is sent as Utf8 text in
 * the same form JSON_ARRAY uses (a documented simplification of the real typed Arrow schema).
 */
import {
  Bool,
  type DataType,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  Table,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import type { SqlColumn } from "./engine.js";

const arrowType = (c: SqlColumn): { type: DataType; parse: (s: string) => unknown } => {
  switch (c.type_name) {
    case "BYTE":
      return { type: new Int8(), parse: Number };
    case "SHORT":
      return { type: new Int16(), parse: Number };
    case "INT":
      return { type: new Int32(), parse: Number };
    case "LONG":
      return { type: new Int64(), parse: (s) => BigInt(s) };
    case "FLOAT":
      return { type: new Float32(), parse: Number };
    case "DOUBLE":
      return { type: new Float64(), parse: Number };
    case "BOOLEAN":
      return { type: new Bool(), parse: (s) => s === "true" };
    default:
      return { type: new Utf8(), parse: (s) => s };
  }
};

export const toArrowIpc = (columns: SqlColumn[], rows: (string | null)[][]): Buffer => {
  const vectors: Record<string, Vector> = {};
  columns.forEach((c, i) => {
    const { type, parse } = arrowType(c);
    const values = rows.map((r) => (r[i] === null || r[i] === undefined ? null : parse(r[i]!)));
    vectors[c.name] = vectorFromArray(values as never[], type) as Vector;
  });
  return Buffer.from(tableToIPC(new Table(vectors), "stream"));
};
