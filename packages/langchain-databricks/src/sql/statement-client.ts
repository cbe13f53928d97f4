/**
 * Statement Execution API client (`/api/2.0/sql/statements`): run SQL on a SQL warehouse, wait or poll, and read
 * the rows across chunks, INLINE or from EXTERNAL_LINKS (fetched in parallel, never with the workspace token).
 * Wire shapes: packages/databricks-emulator/spec/sql.md "Statements".
 */
import { type CallOptions, type ClientOptions, httpClientFrom } from "../clients/shared.js";
import {
  DatabricksAbortError,
  DatabricksConfigError,
  DatabricksError,
  type DatabricksErrorInit,
} from "../errors.js";
import type { DatabricksHttpClient } from "../http/client.js";

const API = "/api/2.0/sql/statements";

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

/**
 * A statement that failed (`FAILED`, `CANCELED` or `CLOSED`): `errorCode` is the status `error_code`, `sqlState`
 * the SQLSTATE and `errorClass` the `[ERROR_CLASS]` prefix of the message.
 */
export class DatabricksStatementError extends DatabricksError {
  override name = "DatabricksStatementError";
  readonly statementId: string;
  readonly state: StatementState;
  readonly sqlState: string | undefined;
  readonly errorClass: string | undefined;
  constructor(
    message: string,
    init: DatabricksErrorInit & { statementId: string; state: StatementState; sqlState?: string },
  ) {
    super(message, init);
    this.statementId = init.statementId;
    this.state = init.state;
    this.sqlState = init.sqlState;
    this.errorClass = /^\[([A-Z0-9_.]+)\]/.exec(message)?.[1];
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), statementId: this.statementId, state: this.state, sqlState: this.sqlState };
  }
}

const TERMINAL = new Set<StatementState>(["SUCCEEDED", "FAILED", "CANCELED", "CLOSED"]);

const abortError = () => new DatabricksAbortError("Cancelled: the statement was aborted by the caller.");

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** Converts a JSON_ARRAY cell (a string) by its column type. */
export const convertCell = (v: string | null, col: ColumnInfo): unknown => {
  if (v === null) return null;
  switch (col.type_name) {
    case "INT":
    case "SHORT":
    case "BYTE":
    case "FLOAT":
    case "DOUBLE":
      return Number(v);
    case "LONG": {
      const n = Number(v);
      return Number.isSafeInteger(n) ? n : BigInt(v);
    }
    case "BOOLEAN":
      return v === "true";
    case "ARRAY":
    case "MAP":
    case "STRUCT":
      try {
        return JSON.parse(v) as unknown;
      } catch {
        return v;
      }
    default:
      return v;
  }
};

/** The result of {@link StatementExecutionClient.execute}: manifest plus readers over every chunk. */
export class StatementResult {
  constructor(
    private readonly client: StatementExecutionClient,
    readonly response: StatementResponse,
  ) {}

  get statementId(): string {
    return this.response.statement_id;
  }
  get manifest(): ResultManifest {
    return this.response.manifest!;
  }
  get columns(): ColumnInfo[] {
    return this.manifest.schema.columns ?? [];
  }
  get truncated(): boolean {
    return this.manifest.truncated ?? false;
  }
  get totalRowCount(): number {
    return this.manifest.total_row_count ?? 0;
  }

  /** Each chunk's payload in order: JSON_ARRAY rows, CSV text or Arrow IPC bytes. */
  async *chunks(
    options: ReadOptions = {},
  ): AsyncGenerator<{ chunk: ChunkInfo; rows?: (string | null)[][]; bytes?: Uint8Array }> {
    const total = this.manifest.total_chunk_count ?? 0;
    const first = this.response.result;
    if (total === 0 || !first) return;
    if (first.data_array !== undefined || first.external_links === undefined) {
      // INLINE: chunk 0 came with the response; follow next_chunk_internal_link.
      let cur: ResultData | undefined = first;
      while (cur) {
        yield { chunk: cur, rows: cur.data_array ?? [] };
        if (cur.next_chunk_index === undefined) break;
        cur = await this.client.getChunk(this.statementId, cur.next_chunk_index, { signal: options.signal });
      }
      return;
    }
    // EXTERNAL_LINKS: a sliding window of `concurrency` downloads, yielded in chunk order.
    const concurrency = Math.max(1, options.concurrency ?? 4);
    const pending = new Map<number, Promise<{ chunk: ChunkInfo; bytes: Uint8Array }>>();
    let next = 0;
    const start = (i: number) => {
      const link =
        i === 0
          ? Promise.resolve(first)
          : this.client.getChunk(this.statementId, i, { signal: options.signal });
      const p = link.then(async (data) => {
        const l = data.external_links?.[0];
        if (!l)
          throw new DatabricksError(`Chunk ${i} of statement ${this.statementId} has no external link.`);
        return { chunk: l as ChunkInfo, bytes: await downloadLink(l, options.signal) };
      });
      p.catch(() => undefined);
      pending.set(i, p);
    };
    for (let yielded = 0; yielded < total; yielded++) {
      while (next < total && next < yielded + concurrency) start(next++);
      const got = await pending.get(yielded)!;
      pending.delete(yielded);
      if (this.manifest.format === "JSON_ARRAY") {
        yield {
          chunk: got.chunk,
          rows: JSON.parse(new TextDecoder().decode(got.bytes)) as (string | null)[][],
        };
      } else yield { chunk: got.chunk, bytes: got.bytes };
    }
  }

  /** Rows as arrays (JSON_ARRAY only), converted by column type unless `raw`. */
  async *rows(options: ReadOptions = {}): AsyncGenerator<unknown[]> {
    if (this.manifest.format !== "JSON_ARRAY") {
      throw new DatabricksConfigError(
        `rows() reads JSON_ARRAY results; this result is ${this.manifest.format} (use chunks()).`,
      );
    }
    const cols = this.columns;
    for await (const c of this.chunks(options)) {
      for (const r of c.rows ?? []) yield options.raw ? r : r.map((v, i) => convertCell(v, cols[i]!));
    }
  }

  /** Rows as objects keyed by column name. */
  async *objects(options: ReadOptions = {}): AsyncGenerator<Record<string, unknown>> {
    const names = this.columns.map((c) => c.name);
    for await (const r of this.rows(options)) {
      const o: Record<string, unknown> = {};
      names.forEach((n, i) => {
        o[n] = r[i];
      });
      yield o;
    }
  }

  /** Every row as an object. */
  async toArray(options: ReadOptions = {}): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for await (const o of this.objects(options)) out.push(o);
    return out;
  }
}

const LINK_ATTEMPTS = 4;

/** Downloads an external link: plain fetch with only the link's own headers, never `Authorization`. */
const downloadLink = async (link: ExternalLink, signal?: AbortSignal): Promise<Uint8Array> => {
  if (signal?.aborted) throw abortError();
  const headers = { ...(link.http_headers ?? {}) };
  for (const k of Object.keys(headers)) if (k.toLowerCase() === "authorization") delete headers[k];
  let res: Response | undefined;
  // Connection failures (a reused socket closed by the server, a reset) and 5xx are retried like any storage GET.
  for (let attempt = 1; ; attempt++) {
    try {
      res = await fetch(link.external_link, { headers, signal });
      if (res.status < 500 || attempt >= LINK_ATTEMPTS) break;
      await res.body?.cancel();
    } catch (e) {
      if (signal?.aborted) throw abortError();
      if (attempt >= LINK_ATTEMPTS) {
        throw new DatabricksError(
          `Downloading result chunk ${link.chunk_index} failed: ${(e as Error).message}`,
          {
            cause: e,
          },
        );
      }
    }
    await sleep(100 * 2 ** (attempt - 1), signal);
  }
  if (!res.ok) {
    const text = (await res.text()).slice(0, 300);
    const expired = Date.parse(link.expiration) <= Date.now() || /expired/i.test(text);
    throw new DatabricksError(
      `Downloading result chunk ${link.chunk_index} failed with HTTP ${res.status}${expired ? " (the link expired: fetch the chunk again)" : ""}.`,
      { status: res.status },
    );
  }
  return new Uint8Array(await res.arrayBuffer());
};

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
    const started = Date.now();
    let cur = first;
    const id = first.statement_id;
    try {
      while (!TERMINAL.has(cur.status.state)) {
        const elapsed = Date.now() - started;
        options.onProgress?.({ statementId: id, state: cur.status.state, elapsedMs: elapsed });
        await sleep(
          Math.min(options.maxPollIntervalMs ?? 1000, Math.max(50, elapsed * 0.05)),
          options.signal,
        );
        cur = await this.get(id, { signal: options.signal });
      }
    } catch (e) {
      if (options.signal?.aborted) {
        await this.cancel(id).catch(() => undefined);
        throw abortError();
      }
      throw e;
    }
    options.onProgress?.({ statementId: id, state: cur.status.state, elapsedMs: Date.now() - started });
    return cur;
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

/** Throws the typed error unless the statement SUCCEEDED. */
export const assertSucceeded = (r: StatementResponse): StatementResponse => {
  const { state, error, sql_state } = r.status;
  if (state === "SUCCEEDED") return r;
  const message =
    error?.message ??
    (state === "CANCELED"
      ? "The statement was canceled."
      : state === "CLOSED"
        ? "The statement's result was closed."
        : `Statement ${state}.`);
  throw new DatabricksStatementError(message, {
    statementId: r.statement_id,
    state,
    sqlState: sql_state,
    errorCode: error?.error_code ?? (state === "CANCELED" ? "CANCELLED" : undefined),
  });
};

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

/** Quotes an identifier for Databricks SQL: `` `a``b` ``; a dotted name is quoted part by part. */
export const quoteName = (name: string): string =>
  splitDotted(name)
    .map((p) => `\`${p.replace(/`/g, "``")}\``)
    .join(".");

/** Splits `a.b.c` (parts may be backtick-quoted); throws on an empty part. */
export const splitDotted = (name: string): string[] => {
  const parts: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    if (quoted) {
      if (ch === "`" && name[i + 1] === "`") {
        cur += "`";
        i++;
      } else if (ch === "`") quoted = false;
      else cur += ch;
    } else if (ch === "`") quoted = true;
    else if (ch === ".") {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  if (quoted || parts.some((x) => x.trim() === ""))
    throw new DatabricksConfigError(`Invalid name '${name}'.`);
  return parts.map((x) => x.trim());
};
