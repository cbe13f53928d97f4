/**
 * Statement Execution API request parsing (spec/sql.md "Statements"): validates the body of
 * `POST /api/2.0/sql/statements` (wait_timeout, disposition, format, limits, parameters) into a typed request.
 */
import { ApiError, invalidParameter } from "../errors.js";
import { isObject, type JsonObject } from "../util/json.js";
import type { ParamValue } from "./translate.js";
import type { WarehouseStore } from "./warehouses.js";

export type StatementState = "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELED" | "CLOSED";
export type Disposition = "INLINE" | "EXTERNAL_LINKS";
export type Format = "JSON_ARRAY" | "ARROW_STREAM" | "CSV";

export interface StatementOptions {
  /** Most rows per result chunk. Default 100,000. */
  chunkRows?: number;
  /** Most bytes (JSON text) per result chunk. Default 16 MiB. */
  chunkBytes?: number;
  /** Lifetime of external links. Default 900 s (15 minutes, the real maximum). */
  linkTtlSeconds?: number;
  /** Concurrent serving requests per ai_query call. Default 16. */
  aiQueryConcurrency?: number;
  /**
   * Delay before an external link answers, ms: stands in for cloud storage's time to first byte (benchmarks of
   * parallel downloads). Default 0.
   */
  linkLatencyMs?: number;
}

/** A validated `POST /api/2.0/sql/statements` body. */
export interface StatementRequest {
  statement: string;
  warehouseId: string;
  /** Seconds to wait before answering (0 = answer at once). */
  wait: number;
  onWait: "CONTINUE" | "CANCEL";
  disposition: Disposition;
  format: Format;
  rowLimit?: number;
  byteLimit?: number;
  params: Map<string, ParamValue>;
  catalog: string;
  schema: string;
}

export const nonEmptyString = (v: unknown): v is string => typeof v === "string" && v.trim() !== "";

const waitSeconds = (raw: unknown): number => {
  if (raw === undefined) return 10;
  const m = typeof raw === "string" ? /^(\d+)s$/.exec(raw) : null;
  const n = m ? Number(m[1]) : Number.NaN;
  if (!(n === 0 || (n >= 5 && n <= 50))) {
    throw invalidParameter(
      `The wait_timeout field must be either 0s or between 5s and 50s, got ${JSON.stringify(raw)}.`,
    );
  }
  return n;
};

const paramsOf = (raw: unknown): Map<string, ParamValue> => {
  const out = new Map<string, ParamValue>();
  if (raw === undefined) return out;
  if (!Array.isArray(raw)) throw invalidParameter("parameters must be a list of {name, value, type}.");
  for (const [i, p] of raw.entries()) {
    if (!isObject(p) || !nonEmptyString(p.name)) throw invalidParameter(`parameters[${i}].name is required.`);
    const type = p.type === undefined ? "STRING" : String(p.type);
    if (/^(ARRAY|MAP|STRUCT)\b/i.test(type)) {
      throw invalidParameter(
        `parameters[${i}] has type ${type}: ARRAY, MAP and STRUCT parameters are not supported; pass JSON text and use from_json.`,
      );
    }
    const v = p.value;
    // unitycatalog-ai sends raw JSON numbers and booleans: coerce them to text (spec/sql.md "Parameters").
    const value =
      v === undefined || v === null
        ? null
        : typeof v === "string"
          ? v
          : typeof v === "object"
            ? JSON.stringify(v)
            : String(v);
    out.set(p.name, { value, type });
  }
  return out;
};

const nonNegativeInteger = (v: unknown, name: string): number | undefined => {
  if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < 0)) {
    throw invalidParameter(`${name} must be a non-negative integer.`);
  }
  return v as number | undefined;
};

/** Validates the request body (400 INVALID_PARAMETER_VALUE, 404 for an unknown warehouse). */
export const parseStatementRequest = (body: JsonObject, warehouses: WarehouseStore): StatementRequest => {
  if (!nonEmptyString(body.statement))
    throw invalidParameter("statement is required and must be a non-empty string.");
  if (Buffer.byteLength(body.statement) > 16 * 1024 * 1024)
    throw invalidParameter("statement is larger than 16 MiB.");
  if (!nonEmptyString(body.warehouse_id)) throw invalidParameter("warehouse_id is required.");
  if (!warehouses.exists(body.warehouse_id)) {
    throw new ApiError(404, "RESOURCE_DOES_NOT_EXIST", `Warehouse ${body.warehouse_id} does not exist.`);
  }
  const wait = waitSeconds(body.wait_timeout);
  const onWait = body.on_wait_timeout ?? "CONTINUE";
  if (onWait !== "CONTINUE" && onWait !== "CANCEL")
    throw invalidParameter("on_wait_timeout must be CONTINUE or CANCEL.");
  const disposition = (body.disposition ?? "INLINE") as Disposition;
  if (disposition !== "INLINE" && disposition !== "EXTERNAL_LINKS") {
    throw invalidParameter(
      `Invalid disposition ${JSON.stringify(body.disposition)}: use INLINE or EXTERNAL_LINKS.`,
    );
  }
  const format = (body.format ?? "JSON_ARRAY") as Format;
  if (!["JSON_ARRAY", "ARROW_STREAM", "CSV"].includes(format)) {
    throw invalidParameter(
      `Invalid format ${JSON.stringify(body.format)}: use JSON_ARRAY, ARROW_STREAM or CSV.`,
    );
  }
  if (disposition === "INLINE" && format !== "JSON_ARRAY") {
    throw invalidParameter(`The ${format} format is only supported with the EXTERNAL_LINKS disposition.`);
  }
  const rowLimit = nonNegativeInteger(body.row_limit, "row_limit");
  const byteLimit = nonNegativeInteger(body.byte_limit, "byte_limit");
  const params = paramsOf(body.parameters);
  if (body.query_tags !== undefined && (!Array.isArray(body.query_tags) || body.query_tags.length > 20)) {
    throw invalidParameter("query_tags must be a list of at most 20 {key, value}.");
  }
  const catalog = body.catalog === undefined ? "main" : String(body.catalog);
  const schema = body.schema === undefined ? "default" : String(body.schema);
  return {
    statement: body.statement,
    warehouseId: body.warehouse_id,
    wait,
    onWait,
    disposition,
    format,
    rowLimit,
    byteLimit,
    params,
    catalog,
    schema,
  };
};
