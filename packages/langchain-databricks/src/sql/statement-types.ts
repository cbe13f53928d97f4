/**
 * Wire shapes and options of the Statement Execution API (`/api/2.0/sql/statements`).
 * Wire shapes: packages/databricks-emulator/spec/sql.md "Statements".
 */
import type { CallOptions } from "../clients/shared.js";

export type StatementState = "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELED" | "CLOSED";
export type Disposition = "INLINE" | "EXTERNAL_LINKS";
export type ResultFormat = "JSON_ARRAY" | "ARROW_STREAM" | "CSV";

export interface ColumnInfo {
  name: string;
  position: number;
  type_name: string;
  type_text: string;
  type_precision?: number;
  type_scale?: number;
}

export interface ChunkInfo {
  chunk_index: number;
  row_offset: number;
  row_count: number;
  byte_count?: number;
}

export interface ExternalLink extends ChunkInfo {
  external_link: string;
  expiration: string;
  http_headers?: Record<string, string>;
  next_chunk_index?: number;
  next_chunk_internal_link?: string;
}

export interface ResultData extends ChunkInfo {
  next_chunk_index?: number;
  next_chunk_internal_link?: string;
  data_array?: (string | null)[][];
  external_links?: ExternalLink[];
}

export interface ResultManifest {
  format: ResultFormat;
  schema: { column_count: number; columns?: ColumnInfo[] };
  total_row_count?: number;
  total_chunk_count?: number;
  total_byte_count?: number;
  chunks?: ChunkInfo[];
  truncated?: boolean;
}

/** The wire `StatementResponse`. */
export interface StatementResponse {
  statement_id: string;
  status: { state: StatementState; error?: { error_code?: string; message?: string }; sql_state?: string };
  manifest?: ResultManifest;
  result?: ResultData;
}

/** A named `:param` value; `type` is a Databricks SQL type (`INT`, `DATE`, `DECIMAL(10,2)`; default STRING). */
export interface StatementParameter {
  name: string;
  value: string | number | boolean | null | undefined;
  type?: string;
}

export interface StatementProgress {
  statementId: string;
  state: StatementState;
  elapsedMs: number;
}

/** Options of {@link StatementExecutionClient.submit} and {@link StatementExecutionClient.execute}. */
export interface ExecuteOptions extends CallOptions {
  /** SQL warehouse id. @default `DATABRICKS_WAREHOUSE_ID`, then the client's `warehouseId` */
  warehouseId?: string;
  catalog?: string;
  schema?: string;
  /** Named parameters: a list, or a record (`{ n: 5 }` -> value "5"; a `{value, type}` object sets the type). */
  parameters?:
    | StatementParameter[]
    | Record<string, string | number | boolean | null | { value: unknown; type?: string }>;
  rowLimit?: number;
  byteLimit?: number;
  /** @default "INLINE" (EXTERNAL_LINKS for ARROW_STREAM and CSV) */
  disposition?: Disposition;
  /** @default "JSON_ARRAY" */
  format?: ResultFormat;
  /** Seconds the server waits before answering: 0 (async) or 5-50. @default 10 */
  waitTimeout?: number;
  /** What happens when `waitTimeout` passes: keep running (polled) or cancel. @default "CONTINUE" */
  onWaitTimeout?: "CONTINUE" | "CANCEL";
  /** Called on each poll while the statement runs. */
  onProgress?: (p: StatementProgress) => void;
  /** Longest pause between polls, ms. Polls come sooner early on (5% of the elapsed time). @default 1000 */
  maxPollIntervalMs?: number;
}

/** Options of the row readers. */
export interface ReadOptions {
  signal?: AbortSignal;
  /** Concurrent external-link downloads. @default 4 */
  concurrency?: number;
  /** Keep JSON_ARRAY values as the wire strings instead of converting them by column type. @default false */
  raw?: boolean;
}
