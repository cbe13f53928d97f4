/**
 * Statement Execution API client (`/api/2.0/sql/statements`): submit SQL to a SQL warehouse, wait or poll, cancel.
 * Reading rows lives in ./statement-result.ts, wire types in ./statement-types.ts, errors in ./statement-errors.ts.
 * Wire shapes: packages/databricks-emulator/spec/sql.md "Statements".
 */
import { type CallOptions, type ClientOptions, httpClientFrom } from "../clients/shared.js";
import { DatabricksConfigError } from "../errors.js";
import type { DatabricksHttpClient } from "../http/client.js";
import { pollUntil } from "../utils/poll.js";
import { abortError } from "./abortable-sleep.js";
import { assertSucceeded } from "./statement-errors.js";
import { StatementResult } from "./statement-result.js";
import type {
  ExecuteOptions,
  ResultData,
  StatementParameter,
  StatementResponse,
  StatementState,
} from "./statement-types.js";

export { quoteName, splitDotted } from "./sql-names.js";
export { assertSucceeded, DatabricksStatementError } from "./statement-errors.js";
export { convertCell, StatementResult } from "./statement-result.js";
export type {
  ChunkInfo,
  ColumnInfo,
  Disposition,
  ExecuteOptions,
  ExternalLink,
  ReadOptions,
  ResultData,
  ResultFormat,
  ResultManifest,
  StatementParameter,
  StatementProgress,
  StatementResponse,
  StatementState,
} from "./statement-types.js";

const API = "/api/2.0/sql/statements";

const TERMINAL = new Set<StatementState>(["SUCCEEDED", "FAILED", "CANCELED", "CLOSED"]);

export interface StatementExecutionClientOptions extends ClientOptions {
  /** Default warehouse. @default `DATABRICKS_WAREHOUSE_ID` */
  warehouseId?: string;
}

/**
 * Runs SQL on a Databricks SQL warehouse through the Statement Execution API.
 *
 * @example
 * const sql = new StatementExecutionClient({ warehouseId: process.env.DATABRICKS_WAREHOUSE_ID });
 * const result = await sql.execute("SELECT :n + 1 AS y", { parameters: { n: { value: 41, type: "INT" } } });
 * console.log(await result.toArray()); // [{ y: 42 }]
 */
export class StatementExecutionClient {
  readonly httpClient: DatabricksHttpClient;
  readonly #warehouseId: string | undefined;

  constructor(options: StatementExecutionClientOptions = {}) {
    const { warehouseId, ...rest } = options;
    this.httpClient = httpClientFrom(rest);
    this.#warehouseId = warehouseId;
  }

  /** The warehouse a call uses: call option, then the client's, then `DATABRICKS_WAREHOUSE_ID`. */
  warehouseFor(explicit?: string): string {
    const id = explicit ?? this.#warehouseId ?? process.env.DATABRICKS_WAREHOUSE_ID;
    if (!id) {
      throw new DatabricksConfigError(
        "No SQL warehouse: pass warehouseId or set DATABRICKS_WAREHOUSE_ID (the emulator prints it at start).",
      );
    }
    return id;
  }

  /** POST /api/2.0/sql/statements: returns the raw response (PENDING/RUNNING when the wait timed out). */
  async submit(statement: string, options: ExecuteOptions = {}): Promise<StatementResponse> {
    if (options.signal?.aborted) throw abortError();
    if (typeof statement !== "string" || statement.trim() === "") {
      throw new DatabricksConfigError("statement must be a non-empty string.");
    }
    const wait = options.waitTimeout ?? 10;
    if (!(wait === 0 || (Number.isInteger(wait) && wait >= 5 && wait <= 50))) {
      throw new DatabricksConfigError(`waitTimeout must be 0 or 5-50 seconds, got ${wait}.`);
    }
    const format = options.format ?? "JSON_ARRAY";
    const body: Record<string, unknown> = {
      statement,
      warehouse_id: this.warehouseFor(options.warehouseId),
      wait_timeout: `${wait}s`,
      disposition: options.disposition ?? (format === "JSON_ARRAY" ? "INLINE" : "EXTERNAL_LINKS"),
      format,
    };
    if (options.onWaitTimeout) body.on_wait_timeout = options.onWaitTimeout;
    if (options.catalog) body.catalog = options.catalog;
    if (options.schema) body.schema = options.schema;
    if (options.rowLimit !== undefined) body.row_limit = options.rowLimit;
    if (options.byteLimit !== undefined) body.byte_limit = options.byteLimit;
    const params = toParameters(options.parameters);
    if (params.length > 0) body.parameters = params;
    return this.httpClient.request<StatementResponse>({
      method: "POST",
      path: API,
      body,
      signal: options.signal,
      timeout: options.timeout ?? (wait + 30) * 1000,
      maxRetries: options.maxRetries,
    });
  }

  async get(statementId: string, options: CallOptions = {}): Promise<StatementResponse> {
    return this.httpClient.request<StatementResponse>({
      method: "GET",
      path: `${API}/${encodeURIComponent(statementId)}`,
      ...options,
    });
  }

  async getChunk(statementId: string, chunkIndex: number, options: CallOptions = {}): Promise<ResultData> {
    return this.httpClient.request<ResultData>({
      method: "GET",
      path: `${API}/${encodeURIComponent(statementId)}/result/chunks/${chunkIndex}`,
      ...options,
    });
  }

  async cancel(statementId: string, options: CallOptions = {}): Promise<void> {
    await this.httpClient.request({
      method: "POST",
      path: `${API}/${encodeURIComponent(statementId)}/cancel`,
      body: {},
      ...options,
    });
  }

  /**
   * Polls until the statement is terminal. Polls come after 5% of the elapsed time (at least 50 ms, at most
   * `maxPollIntervalMs`), so waiting adds little to long statements. An aborted signal cancels the statement
   * on the warehouse, then throws `DatabricksAbortError`.
   */
  async wait(
    first: StatementResponse,
    options: Pick<ExecuteOptions, "signal" | "onProgress" | "maxPollIntervalMs"> = {},
  ): Promise<StatementResponse> {
    const id = first.statement_id;
    try {
      return await pollUntil({
        first,
        read: () => this.get(id, { signal: options.signal }),
        done: (cur) => TERMINAL.has(cur.status.state),
        onProgress: (cur, elapsedMs) =>
          options.onProgress?.({ statementId: id, state: cur.status.state, elapsedMs }),
        backoff: (elapsed) => Math.min(options.maxPollIntervalMs ?? 1000, Math.max(50, elapsed * 0.05)),
        signal: options.signal,
        abortError,
      });
    } catch (e) {
      if (options.signal?.aborted) {
        await this.cancel(id).catch(() => undefined);
        throw abortError();
      }
      throw e;
    }
  }

  /** Submits, waits, and returns the successful result; a FAILED/CANCELED/CLOSED statement throws. */
  async execute(statement: string, options: ExecuteOptions = {}): Promise<StatementResult> {
    let first: StatementResponse;
    try {
      first = await this.submit(statement, options);
    } catch (e) {
      if (options.signal?.aborted) throw abortError();
      throw e;
    }
    const done = await this.wait(first, options);
    return new StatementResult(this, assertSucceeded(done));
  }

  /** Shortcut: every row as an object. */
  async query(statement: string, options: ExecuteOptions = {}): Promise<Record<string, unknown>[]> {
    return (await this.execute(statement, options)).toArray({ signal: options.signal });
  }
}

export const toParameters = (
  p: ExecuteOptions["parameters"],
): { name: string; value?: string; type?: string }[] => {
  if (!p) return [];
  const list: StatementParameter[] = Array.isArray(p)
    ? p
    : Object.entries(p).map(([name, v]) =>
        v !== null && typeof v === "object"
          ? { name, value: v.value as StatementParameter["value"], type: v.type }
          : { name, value: v },
      );
  return list.map((x) => {
    const out: { name: string; value?: string; type?: string } = { name: x.name };
    if (x.value !== null && x.value !== undefined) out.value = String(x.value);
    if (x.type) out.type = x.type;
    else if (typeof x.value === "number") out.type = Number.isInteger(x.value) ? "BIGINT" : "DOUBLE";
    else if (typeof x.value === "boolean") out.type = "BOOLEAN";
    return out;
  });
};
