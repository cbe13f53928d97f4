/**
 * Statement results (spec/sql.md "Statements"): rows split into chunks by row count and JSON size (row_limit /
 * byte_limit truncation, the 25 MiB INLINE limit), the `manifest`, each chunk's `result` data (inline rows or
 * external links), and a chunk's payload in JSON_ARRAY, CSV or ARROW_STREAM.
 */
import type { JsonObject } from "../util/json.js";
import { toArrowIpc } from "./arrow.js";
import type { SqlColumn } from "./engine.js";
import type { Disposition, Format } from "./statement-request.js";
import { SqlAnalysisError } from "./translate.js";

export interface Chunk {
  chunk_index: number;
  row_offset: number;
  row_count: number;
  byte_count: number;
}

export interface StatementResult {
  columns: SqlColumn[];
  rows: (string | null)[][];
  chunks: Chunk[];
  truncated: boolean;
  totalBytes: number;
}

const INLINE_LIMIT = 25 * 1024 * 1024;

export interface ChunkingOptions {
  disposition: Disposition;
  rowLimit?: number;
  byteLimit?: number;
  /** Most rows per chunk. Default 100,000. */
  chunkRows?: number;
  /** Most bytes (JSON text) per chunk. Default 16 MiB. */
  chunkBytes?: number;
}

/** Applies row_limit/byte_limit and splits the rows into chunks; throws INLINE_RESULT_TOO_LARGE over 25 MiB. */
export const chunkResult = (
  columns: SqlColumn[],
  allRows: (string | null)[][],
  o: ChunkingOptions,
): StatementResult => {
  let rows = allRows;
  let truncated = false;
  if (o.rowLimit !== undefined && rows.length > o.rowLimit) {
    rows = rows.slice(0, o.rowLimit);
    truncated = true;
  }
  const maxRows = o.chunkRows ?? 100_000;
  const maxBytes = o.chunkBytes ?? 16 * 1024 * 1024;
  const limit =
    o.byteLimit ?? (o.disposition === "EXTERNAL_LINKS" ? 100 * 1024 ** 3 : Number.POSITIVE_INFINITY);
  const chunks: Chunk[] = [];
  let total = 0;
  let cur: Chunk = { chunk_index: 0, row_offset: 0, row_count: 0, byte_count: 0 };
  for (let i = 0; i < rows.length; i++) {
    // JSON text size of the row (strings approximated without escapes; cheaper than stringifying 1M rows).
    let size = 3;
    for (const v of rows[i]!) size += v === null ? 5 : v.length + 3;
    if (total + size > limit) {
      rows = rows.slice(0, i);
      truncated = true;
      break;
    }
    if (cur.row_count > 0 && (cur.row_count >= maxRows || cur.byte_count + size > maxBytes)) {
      chunks.push(cur);
      cur = { chunk_index: chunks.length, row_offset: i, row_count: 0, byte_count: 0 };
    }
    cur.row_count++;
    cur.byte_count += size;
    total += size;
  }
  if (cur.row_count > 0 || chunks.length === 0) chunks.push(cur);
  if (o.disposition === "INLINE" && total > INLINE_LIMIT) {
    throw new SqlAnalysisError(
      "INLINE_RESULT_TOO_LARGE",
      "54000",
      `The INLINE result is ${total} bytes, over the 25 MiB limit: use disposition EXTERNAL_LINKS or a row_limit/byte_limit.`,
    );
  }
  return { columns, rows, chunks, truncated, totalBytes: total };
};

/** The response's `manifest`. */
export const manifestOf = (r: StatementResult, format: Format, disposition: Disposition): JsonObject => {
  const m: JsonObject = {
    format,
    schema: { column_count: r.columns.length, columns: r.columns as unknown as JsonObject[] },
    total_chunk_count: r.chunks.length,
    chunks: r.chunks.map((c) => ({ ...c })) as unknown as JsonObject[],
    total_row_count: r.rows.length,
    truncated: r.truncated,
  };
  if (disposition === "EXTERNAL_LINKS") m.total_byte_count = r.totalBytes;
  else for (const c of m.chunks as JsonObject[]) delete c.byte_count;
  return m;
};

const rowsOf = (r: StatementResult, c: Chunk) => r.rows.slice(c.row_offset, c.row_offset + c.row_count);

/** A chunk's `ResultData`: its rows (INLINE) or a signed link to them (EXTERNAL_LINKS, from `linkFor`). */
export const chunkData = (
  statementId: string,
  r: StatementResult,
  disposition: Disposition,
  index: number,
  linkFor: (index: number) => { external_link: string; expiration: string },
): JsonObject => {
  const c = r.chunks[index]!;
  const out: JsonObject = { chunk_index: c.chunk_index, row_offset: c.row_offset, row_count: c.row_count };
  if (disposition !== "INLINE") out.byte_count = c.byte_count;
  if (index + 1 < r.chunks.length) {
    out.next_chunk_index = index + 1;
    out.next_chunk_internal_link = `/api/2.0/sql/statements/${statementId}/result/chunks/${index + 1}`;
  }
  if (disposition === "INLINE") {
    out.data_array = rowsOf(r, c) as unknown as JsonObject[];
    return out;
  }
  return { ...out, external_links: [{ ...out, ...linkFor(index) }] };
};

const csvCell = (v: string | null): string => {
  if (v === null) return "null";
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
};

/** The bytes an external link serves for chunk `index`. */
export const renderChunk = (r: StatementResult, format: Format, index: number): Buffer => {
  const rows = rowsOf(r, r.chunks[index]!);
  if (format === "JSON_ARRAY") return Buffer.from(JSON.stringify(rows));
  if (format === "CSV") {
    const lines = rows.map((row) => row.map(csvCell).join(","));
    if (index === 0) lines.unshift(r.columns.map((col) => csvCell(col.name)).join(","));
    return Buffer.from(`${lines.join("\n")}\n`);
  }
  return toArrowIpc(r.columns, rows);
};

/** Content-Type of an external link's payload. */
export const contentTypeOf = (format: Format): string =>
  format === "CSV"
    ? "text/csv"
    : format === "ARROW_STREAM"
      ? "application/vnd.apache.arrow.stream"
      : "application/json";
