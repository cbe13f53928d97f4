/**
 * Validation of a create-index request body (after the name, endpoint and uniqueness checks): primary key, index
 * type and subtype, the DIRECT_ACCESS schema or the DELTA_SYNC source table, and the embedding columns. Error
 * messages name the offending field. Wire shapes: packages/databricks-emulator/spec/vector-search.md.
 */
import { randomUUID } from "node:crypto";
import type { Identity } from "../auth/identity.js";
import { invalidParameter } from "../errors.js";
import { isObject, type JsonObject } from "../util/json.js";
import type { ColumnType, Schema } from "./filters.js";
import { canonicalType, isVectorType, parseSchemaJson } from "./schema.js";
import type { VsIndexMeta, VsStoreOptions } from "./store-types.js";

/** What a valid create request describes, before the store assigns id, timestamps and grants. */
export interface IndexSpec {
  pk: string;
  type: VsIndexMeta["indexType"];
  subtype: unknown;
  specKey: "direct_access_index_spec" | "delta_sync_index_spec";
  spec: JsonObject;
  schema: Schema;
  delta: VsIndexMeta["delta"];
  vectorColumn: string | undefined;
  dim: number;
  sourceColumn: string | undefined;
  embeddingEndpoint: string | undefined;
  queryEndpoint: string | undefined;
}

/**
 * Checks a create request's spec, reading a DELTA_SYNC source table as `caller` and probing a managed embedding
 * endpoint for its dimension.
 */
export const resolveIndexSpec = async (
  caller: Identity,
  body: JsonObject,
  opts: Pick<VsStoreOptions, "sourceTables" | "embed">,
): Promise<IndexSpec> => {
  const pk = body.primary_key;
  if (typeof pk !== "string" || pk === "") throw invalidParameter("primary_key is required.");
  const type = body.index_type;
  if (type !== "DIRECT_ACCESS" && type !== "DELTA_SYNC") {
    throw invalidParameter(`index_type must be DIRECT_ACCESS or DELTA_SYNC, got ${JSON.stringify(type)}.`);
  }
  const subtype = body.index_subtype;
  if (
    subtype !== undefined &&
    subtype !== null &&
    !["HYBRID", "FULL_TEXT", "VECTOR"].includes(String(subtype))
  ) {
    throw invalidParameter(`index_subtype must be HYBRID or FULL_TEXT, got ${JSON.stringify(subtype)}.`);
  }
  const specKey = type === "DIRECT_ACCESS" ? "direct_access_index_spec" : "delta_sync_index_spec";
  const spec = body[specKey];
  if (!isObject(spec)) throw invalidParameter(`${specKey} is required for a ${type} index.`);
  let schema: Schema;
  let delta: VsIndexMeta["delta"];
  if (type === "DIRECT_ACCESS") {
    schema = parseSchemaJson(spec.schema_json);
  } else {
    const table = spec.source_table;
    if (typeof table !== "string" || table.split(".").length !== 3) {
      throw invalidParameter("delta_sync_index_spec.source_table must be a three-part table name.");
    }
    const pipeline = spec.pipeline_type ?? "TRIGGERED";
    if (pipeline !== "TRIGGERED" && pipeline !== "CONTINUOUS") {
      throw invalidParameter("delta_sync_index_spec.pipeline_type must be TRIGGERED or CONTINUOUS.");
    }
    const cols = spec.columns_to_sync ?? spec.columns_to_index;
    if (cols !== undefined && (!Array.isArray(cols) || cols.some((c) => typeof c !== "string"))) {
      throw invalidParameter("delta_sync_index_spec.columns_to_sync must be a list of column names.");
    }
    const source = await opts.sourceTables.readTable(table, caller);
    schema = {};
    for (const c of source.columns) {
      const t = canonicalType(c.type);
      if (t && (!cols || (cols as string[]).includes(c.name) || c.name === pk)) schema[c.name] = t;
    }
    delta = {
      sourceTable: table,
      pipelineType: pipeline,
      ...(cols ? { columnsToSync: cols as string[] } : {}),
      pipelineId: randomUUID(),
    };
  }
  if (schema[pk] === undefined) {
    throw invalidParameter(`primary_key '${pk}' is not a column of the index schema.`);
  }
  if (!["int", "long", "string"].includes(schema[pk] as string)) {
    throw invalidParameter(`primary_key '${pk}' must be an integer, long or string column.`);
  }
  let vectorColumn: string | undefined;
  let dim = 0;
  let sourceColumn: string | undefined;
  let embeddingEndpoint: string | undefined;
  let queryEndpoint: string | undefined;
  const vcols = spec.embedding_vector_columns;
  const scols = spec.embedding_source_columns;
  if (Array.isArray(vcols) && vcols.length > 0) {
    if (vcols.length > 1) throw invalidParameter("Only one embedding_vector_columns entry is supported.");
    const v = vcols[0];
    if (!isObject(v) || typeof v.name !== "string") {
      throw invalidParameter(`${specKey}.embedding_vector_columns[0].name is required.`);
    }
    if (!isVectorType(schema[v.name] as ColumnType)) {
      throw invalidParameter(
        `${specKey}.embedding_vector_columns[0].name: column '${v.name}' must exist with type array<float> or array<double>.`,
      );
    }
    const d = v.embedding_dimension;
    if (typeof d !== "number" || !Number.isInteger(d) || d < 1 || d > 4096) {
      throw invalidParameter(
        `${specKey}.embedding_vector_columns[0].embedding_dimension must be an integer between 1 and 4096.`,
      );
    }
    vectorColumn = v.name;
    dim = d;
  }
  if (Array.isArray(scols) && scols.length > 0) {
    if (vectorColumn) {
      throw invalidParameter(
        `${specKey}: give embedding_source_columns or embedding_vector_columns, not both.`,
      );
    }
    if (scols.length > 1) throw invalidParameter("Only one embedding_source_columns entry is supported.");
    const s = scols[0];
    if (!isObject(s) || typeof s.embedding_model_endpoint_name !== "string") {
      throw invalidParameter(
        `${specKey}.embedding_source_columns[0].embedding_model_endpoint_name is required.`,
      );
    }
    const col =
      typeof s.name === "string"
        ? s.name
        : Object.entries(schema).find(([c, t]) => t === "string" && c !== pk)?.[0];
    if (!col || schema[col] !== "string") {
      throw invalidParameter(
        `${specKey}.embedding_source_columns[0].name: column '${String(s.name)}' must exist with type string.`,
      );
    }
    sourceColumn = col;
    embeddingEndpoint = s.embedding_model_endpoint_name;
    queryEndpoint =
      typeof s.model_endpoint_name_for_query === "string"
        ? s.model_endpoint_name_for_query
        : embeddingEndpoint;
    dim = opts.embed(embeddingEndpoint, ["dimension probe"], caller).dim;
  }
  if (!vectorColumn && !sourceColumn && subtype !== "FULL_TEXT") {
    throw invalidParameter(
      `${specKey} needs embedding_vector_columns (self-managed) or embedding_source_columns (managed embeddings).`,
    );
  }
  return {
    pk,
    type,
    subtype,
    specKey,
    spec,
    schema,
    delta,
    vectorColumn,
    dim,
    sourceColumn,
    embeddingEndpoint,
    queryEndpoint,
  };
};
