/**
 * Turning incoming rows into index rows: the `inputs_json` of upsert-data (validated against the index schema,
 * naming row and field on error) and the rows of a DELTA_SYNC source table. Embedding of managed source columns
 * is left to the store. Wire shapes: packages/databricks-emulator/spec/vector-search.md.
 */
import { ApiError, invalidParameter } from "../errors.js";
import { isObject } from "../util/json.js";
import type { RowValues } from "./filters.js";
import { checkCell, pkKey } from "./schema.js";
import { MAX_UPSERT_ROWS, type VsIndexMeta } from "./store-types.js";

/** One row ready for `IndexData.upsert`; `vector` is filled later for managed-embedding indexes. */
export interface IndexRow {
  key: string;
  values: RowValues;
  vector?: ArrayLike<number>;
}

/**
 * Validates every row of `inputs_json`; structural errors (unknown column, wrong type, wrong dimension) throw a
 * 400 naming row and field. Rows without a primary key go to `failed`; `texts` holds the managed-embedding source
 * text of each good row, in order.
 */
export const parseUpsertRows = (
  idx: VsIndexMeta,
  inputsJson: unknown,
): { good: IndexRow[]; failed: unknown[]; texts: string[] } => {
  if (typeof inputsJson !== "string") {
    throw invalidParameter("inputs_json is required: a JSON string holding a list of row objects.");
  }
  let rows: unknown;
  try {
    rows = JSON.parse(inputsJson);
  } catch {
    throw invalidParameter("inputs_json is not valid JSON.");
  }
  if (!Array.isArray(rows)) throw invalidParameter("inputs_json must encode a JSON list of row objects.");
  if (rows.length > MAX_UPSERT_ROWS) {
    throw new ApiError(
      400,
      "RESOURCE_LIMIT_EXCEEDED",
      `inputs_json holds ${rows.length} rows; upsert at most ${MAX_UPSERT_ROWS} rows per request.`,
    );
  }
  const pk = idx.primaryKey;
  const good: IndexRow[] = [];
  const failed: unknown[] = [];
  const texts: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!isObject(r)) throw invalidParameter(`inputs_json[${i}] must be an object.`);
    if (r[pk] === undefined || r[pk] === null || r[pk] === "") {
      failed.push(r[pk] ?? null);
      continue;
    }
    const values: RowValues = {};
    let vector: number[] | undefined;
    for (const [c, v] of Object.entries(r)) {
      const t = idx.schema[c];
      if (t === undefined) {
        throw invalidParameter(
          `inputs_json[${i}] (primary key ${JSON.stringify(r[pk])}): unknown column '${c}'. Known columns: ${Object.keys(idx.schema).join(", ")}.`,
        );
      }
      const err = checkCell(t, v);
      if (err)
        throw invalidParameter(
          `inputs_json[${i}] (primary key ${JSON.stringify(r[pk])}): column '${c}' ${err}.`,
        );
      if (c === idx.vectorColumn) {
        const vec = v as number[] | null;
        if (!vec || vec.length !== idx.dim) {
          throw invalidParameter(
            `inputs_json[${i}] (primary key ${JSON.stringify(r[pk])}): column '${c}' has ${vec ? vec.length : 0} dimensions; the index expects embedding_dimension ${idx.dim}.`,
          );
        }
        vector = vec;
      } else values[c] = v;
    }
    if (idx.vectorColumn && !vector) {
      throw invalidParameter(
        `inputs_json[${i}] (primary key ${JSON.stringify(r[pk])}): the embedding column '${idx.vectorColumn}' is required.`,
      );
    }
    if (idx.sourceColumn) {
      const text = values[idx.sourceColumn];
      if (typeof text !== "string") {
        throw invalidParameter(
          `inputs_json[${i}] (primary key ${JSON.stringify(r[pk])}): the embedding source column '${idx.sourceColumn}' is required.`,
        );
      }
      texts.push(text);
    }
    if (!idx.vectorColumn && !idx.sourceColumn) vector = undefined;
    good.push({ key: pkKey(r[pk]), values, ...(vector ? { vector } : {}) });
  }
  return { good, failed, texts };
};

/** The rows of a DELTA_SYNC source table as index rows (rows without a key or with a wrong-sized vector skipped). */
export const rowsFromSource = (idx: VsIndexMeta, sourceRows: RowValues[]): IndexRow[] => {
  const rows: IndexRow[] = [];
  for (const r of sourceRows) {
    const k = r[idx.primaryKey];
    if (k === undefined || k === null) continue;
    const values: RowValues = {};
    let vector: number[] | undefined;
    for (const c of Object.keys(idx.schema)) {
      if (c === idx.vectorColumn) vector = Array.isArray(r[c]) ? (r[c] as number[]) : undefined;
      else values[c] = r[c] ?? null;
    }
    if (idx.vectorColumn && (!vector || vector.length !== idx.dim)) continue;
    rows.push({ key: pkKey(k), values, ...(vector ? { vector } : {}) });
  }
  return rows;
};
