/**
 * Statement Execution API engine (spec/sql.md "Statements"): request validation, asynchronous execution on
 * DuckDB (one connection per statement, interruptible), wait_timeout / on_wait_timeout, results split into
 * chunks served INLINE or as expiring signed external links, and the FAILED/CANCELED/CLOSED lifecycle.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Identity } from "../auth/identity.js";
import { ApiError, invalidParameter, notFound } from "../errors.js";
import type { Clock } from "../util/clock.js";
import { isObject, type JsonObject } from "../util/json.js";
import { aiQueryLookup, prepareAiQueries, type ServingAccess } from "./ai-query.js";
import { toArrowIpc } from "./arrow.js";
import type { UnityCatalog } from "./catalog.js";
import { runCommand } from "./commands.js";
import { cellText, columnOf, duckName, type SqlColumn } from "./engine.js";
import { quoteIdent } from "./tokenize.js";
import { type ParamValue, SqlAnalysisError, translate } from "./translate.js";
import type { WarehouseStore } from "./warehouses.js";

export type StatementState = "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELED" | "CLOSED";
type Disposition = "INLINE" | "EXTERNAL_LINKS";
type Format = "JSON_ARRAY" | "ARROW_STREAM" | "CSV";

export interface StatementOptions {
  /** Most rows per result chunk. Default 100,000. */
  chunkRows?: number;
  /** Most bytes (JSON text) per result chunk. Default 16 MiB. */
  chunkBytes?: number;
  /** Lifetime of external links. Default 900 s (15 minutes, the real maximum). */
  linkTtlSeconds?: number;
  /** Concurrent serving requests per ai_query call. Default 16. */
  aiQueryConcurrency?: number;
}

interface Chunk {
  chunk_index: number;
  row_offset: number;
  row_count: number;
  byte_count: number;
}

interface Result {
  columns: SqlColumn[];
  rows: (string | null)[][];
  chunks: Chunk[];
  truncated: boolean;
  totalBytes: number;
}

interface StatementRecord {
  id: string;
  owner: string;
  state: StatementState;
  disposition: Disposition;
  format: Format;
  result?: Result;
  error?: { error_code: string; message: string };
  sqlState?: string;
  done: Promise<void>;
  conn?: DuckDBConnection;
  cancelRequested: boolean;
  abort: AbortController;
  finishedAt?: number;
  /** External link payloads already rendered (one per chunk). */
  payloads: Map<number, Buffer>;
  /** Emulator-reported execution time in ms (SUBMITTED -> terminal). */
  startedAt: number;
  executionMs?: number;
}

const INLINE_LIMIT = 25 * 1024 * 1024;
const RESULT_TTL_MS = 60 * 60 * 1000;
const FORGET_MS = 12 * 60 * 60 * 1000;
export const RESULT_LINK_PREFIX = "/__emulator-sql-results";

const nonEmptyString = (v: unknown): v is string => typeof v === "string" && v.trim() !== "";

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

/** Maps a DuckDB error message to a Databricks error class and SQLSTATE. */
const classify = (message: string): { cls: string; state: string; text: string } => {
  const text = message
    .replace(/\n+LINE \d+:[\s\S]*$/, "")
    .replace(/\nDid you mean[\s\S]*$/, "")
    .replace(
      /^(Parser|Catalog|Binder|Conversion|Invalid Input|Constraint|Out of Range|Not implemented) Error: /,
      "",
    )
    .trim();
  const rules: [RegExp, string, string][] = [
    [/^Parser Error/i, "PARSE_SYNTAX_ERROR", "42601"],
    [
      /Table with name .* does not exist|Table .* does not exist|Schema with name .* does not exist/i,
      "TABLE_OR_VIEW_NOT_FOUND",
      "42P01",
    ],
    [/(Scalar |Table |Macro )?Function with name .* does not exist/i, "UNRESOLVED_ROUTINE", "42883"],
    [/Catalog with name .* does not exist|Catalog .* does not exist/i, "NO_SUCH_CATALOG_EXCEPTION", "42704"],
    [
      /Referenced column .* not found|column .* not found|Referenced table .* not found/i,
      "UNRESOLVED_COLUMN.WITH_SUGGESTION",
      "42703",
    ],
    [/Conversion Error|Could not convert/i, "CAST_INVALID_INPUT", "22018"],
    [/Division by zero/i, "DIVIDE_BY_ZERO", "22012"],
    [/already exists/i, "TABLE_OR_VIEW_ALREADY_EXISTS", "42P07"],
    [
      /No function matches|Binder Error: .*type|Cannot compare values of type|can only be applied to/i,
      "DATATYPE_MISMATCH",
      "42K09",
    ],
    [/Constraint Error/i, "CONSTRAINT_VIOLATION", "23000"],
    [/Invalid Input Error|Out of Range/i, "INVALID_INPUT", "22023"],
  ];
  for (const [re, cls, state] of rules) if (re.test(message)) return { cls, state, text };
  return { cls: "INTERNAL_ERROR", state: "XX000", text };
};

const csvCell = (v: string | null): string => {
  if (v === null) return "null";
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
};

export interface StatementDeps {
  uc: UnityCatalog;
  warehouses: WarehouseStore;
  clock: Clock;
  serving: (identity: Identity) => ServingAccess;
  baseUrl(): string;
  options: StatementOptions;
}

export class StatementStore {
  private readonly records = new Map<string, StatementRecord>();
  private readonly key = randomBytes(32);

  constructor(private readonly deps: StatementDeps) {}

  get size(): number {
    return this.records.size;
  }

  /** POST /api/2.0/sql/statements */
  async execute(body: JsonObject, identity: Identity): Promise<JsonObject> {
    if (!nonEmptyString(body.statement))
      throw invalidParameter("statement is required and must be a non-empty string.");
    if (Buffer.byteLength(body.statement) > 16 * 1024 * 1024)
      throw invalidParameter("statement is larger than 16 MiB.");
    if (!nonEmptyString(body.warehouse_id)) throw invalidParameter("warehouse_id is required.");
    if (!this.deps.warehouses.exists(body.warehouse_id)) {
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
    const rowLimit = body.row_limit;
    if (
      rowLimit !== undefined &&
      (typeof rowLimit !== "number" || !Number.isInteger(rowLimit) || rowLimit < 0)
    ) {
      throw invalidParameter("row_limit must be a non-negative integer.");
    }
    const byteLimit = body.byte_limit;
    if (
      byteLimit !== undefined &&
      (typeof byteLimit !== "number" || !Number.isInteger(byteLimit) || byteLimit < 0)
    ) {
      throw invalidParameter("byte_limit must be a non-negative integer.");
    }
    const params = paramsOf(body.parameters);
    if (body.query_tags !== undefined && (!Array.isArray(body.query_tags) || body.query_tags.length > 20)) {
      throw invalidParameter("query_tags must be a list of at most 20 {key, value}.");
    }
    const catalog = body.catalog === undefined ? "main" : String(body.catalog);
    const schema = body.schema === undefined ? "default" : String(body.schema);

    const rec: StatementRecord = {
      id: `01f0${randomUUID().slice(4)}`,
      owner: identity.name,
      state: "PENDING",
      disposition,
      format,
      cancelRequested: false,
      abort: new AbortController(),
      payloads: new Map(),
      startedAt: Date.now(),
      done: Promise.resolve(),
    };
    this.records.set(rec.id, rec);
    this.gc();
    rec.done = this.run(rec, identity, body.statement, {
      params,
      catalog,
      schema,
      rowLimit: rowLimit as number | undefined,
      byteLimit: byteLimit as number | undefined,
      warehouseId: body.warehouse_id,
    });
    if (wait > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        rec.done.then(() => false),
        new Promise<boolean>((r) => {
          timer = setTimeout(() => r(true), wait * 1000);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut && onWait === "CANCEL") {
        this.requestCancel(rec);
        await rec.done;
      }
    }
    return this.render(rec);
  }

  private async run(
    rec: StatementRecord,
    identity: Identity,
    statement: string,
    o: {
      params: Map<string, ParamValue>;
      catalog: string;
      schema: string;
      rowLimit?: number;
      byteLimit?: number;
      warehouseId: string;
    },
  ): Promise<void> {
    const { uc } = this.deps;
    try {
      await this.deps.warehouses.whenRunning(o.warehouseId, rec.abort.signal);
      if (rec.cancelRequested) return this.finishCanceled(rec);
      rec.state = "RUNNING";
      if (!uc.catalogMeta(o.catalog)) {
        throw new SqlAnalysisError(
          "NO_SUCH_CATALOG_EXCEPTION",
          "42704",
          `Catalog '${o.catalog}' was not found.`,
        );
      }
      const command = await runCommand(statement, {
        uc,
        identity,
        params: o.params,
        catalog: o.catalog,
        schema: o.schema,
      });
      if (command) {
        this.succeed(rec, command.columns, command.rows, o.rowLimit, o.byteLimit);
        return;
      }
      const tr = translate(statement, {
        catalog: o.catalog.toLowerCase(),
        schema: o.schema.toLowerCase(),
        params: o.params,
        isCatalog: (n) => uc.catalogMeta(n) !== undefined,
        aiQueryReplacement: aiQueryLookup,
      });
      this.checkAccess(identity, tr.refs);
      const conn = await uc.engine.connect();
      rec.conn = conn;
      try {
        await conn
          .run(`USE ${quoteIdent(duckName(o.catalog))}.${quoteIdent(o.schema.toLowerCase())}`)
          .catch(() => {
            throw new SqlAnalysisError(
              "SCHEMA_NOT_FOUND",
              "42704",
              `The schema \`${o.catalog}\`.\`${o.schema}\` cannot be found.`,
            );
          });
        if (tr.aiQueries.length > 0) {
          await prepareAiQueries(conn, tr.aiQueries, this.deps.serving(identity), {
            concurrency: this.deps.options.aiQueryConcurrency,
            signal: rec.abort.signal,
          });
        }
        if (rec.cancelRequested) return this.finishCanceled(rec);
        const prepared = await conn.prepare(tr.sql);
        if (Object.keys(tr.binds).length > 0) prepared.bind(tr.binds);
        const result = await prepared.runAndReadAll();
        if (rec.cancelRequested) return this.finishCanceled(rec);
        const types = result.columnTypes();
        let columns = result.columnNames().map((n, i) => columnOf(n, i, types[i]!));
        let rows = (result.getRowsJson() as unknown[][]).map((r) => r.map(cellText));
        // DML answers with Databricks' affected-row columns; DDL with an empty result.
        const verb = /^\s*(\w+)/.exec(statement)?.[1]?.toUpperCase() ?? "";
        if (verb === "INSERT" || verb === "UPDATE" || verb === "DELETE" || verb === "MERGE") {
          const n = rows[0]?.[0] ?? "0";
          columns = ["num_affected_rows", ...(verb === "INSERT" ? ["num_inserted_rows"] : [])].map(
            (name, position) => ({
              name,
              position,
              type_name: "LONG",
              type_text: "BIGINT",
            }),
          );
          rows = [columns.map(() => n)];
        } else if (["CREATE", "DROP", "ALTER", "USE", "SET", "COMMENT"].includes(verb)) {
          columns = [];
          rows = [];
        }
        this.noteDdl(statement, tr.refs, identity);
        this.succeed(rec, columns, rows, o.rowLimit, o.byteLimit);
      } finally {
        rec.conn = undefined;
        conn.closeSync();
      }
    } catch (e) {
      if (rec.cancelRequested) return this.finishCanceled(rec);
      this.fail(rec, e);
    }
  }

  private checkAccess(
    identity: Identity,
    refs: { kind: "table" | "function"; fullName: string; write?: boolean }[],
  ) {
    const { uc } = this.deps;
    for (const r of refs) {
      if (r.kind !== "function") continue;
      const fn = uc.getFunction(r.fullName);
      if (fn && fn.info.routine_body !== "SQL") {
        throw new SqlAnalysisError(
          "UNSUPPORTED_FEATURE.OFFLINE_EXTERNAL_FUNCTION",
          "0A000",
          `Function '${r.fullName}' has a ${String(fn.info.external_language ?? "non-SQL")} body, which is not supported offline: the emulator runs only SQL-bodied functions (a real warehouse would run it).`,
        );
      }
    }
    if (identity.admin) return;
    for (const r of refs) {
      const [c, s] = r.fullName.split(".");
      const denied = (what: string) =>
        new SqlAnalysisError(
          "INSUFFICIENT_PERMISSIONS",
          "42501",
          `Insufficient privileges: User does not have ${what} on ${r.kind === "table" ? "Table" : "Routine"} '${r.fullName}'.`,
        );
      if (!uc.canUse(identity, c!, s)) {
        throw new SqlAnalysisError(
          "INSUFFICIENT_PERMISSIONS",
          "42501",
          `Insufficient privileges: User does not have USE CATALOG/USE SCHEMA on '${c}.${s}'.`,
        );
      }
      if (r.kind === "function") {
        if (!uc.has(identity, "function", r.fullName, "EXECUTE")) throw denied("EXECUTE");
      } else if (r.write) {
        if (
          !uc.has(identity, "table", r.fullName, "MODIFY") &&
          !uc.has(identity, "schema", `${c}.${s}`, "CREATE_TABLE")
        ) {
          throw denied("MODIFY");
        }
      } else if (!uc.has(identity, "table", r.fullName, "SELECT")) throw denied("SELECT");
    }
  }

  /** Ownership bookkeeping for tables created or dropped by SQL. */
  private noteDdl(
    statement: string,
    refs: { kind: string; fullName: string; write?: boolean }[],
    identity: Identity,
  ) {
    const head = statement.trim().slice(0, 80).toUpperCase();
    const target = refs.find((r) => r.kind === "table" && r.write);
    if (!target) return;
    if (/^CREATE\s+(OR\s+REPLACE\s+)?(TABLE|VIEW)/.test(head)) {
      if (!this.deps.uc.snapshot.tables[target.fullName] || /OR\s+REPLACE/.test(head)) {
        this.deps.uc.noteTableCreated(target.fullName, identity.name);
      }
    } else if (/^DROP\s+(TABLE|VIEW)/.test(head)) this.deps.uc.noteTableDropped(target.fullName);
  }

  private succeed(
    rec: StatementRecord,
    columns: SqlColumn[],
    allRows: (string | null)[][],
    rowLimit: number | undefined,
    byteLimit: number | undefined,
  ): void {
    let rows = allRows;
    let truncated = false;
    if (rowLimit !== undefined && rows.length > rowLimit) {
      rows = rows.slice(0, rowLimit);
      truncated = true;
    }
    const maxRows = this.deps.options.chunkRows ?? 100_000;
    const maxBytes = this.deps.options.chunkBytes ?? 16 * 1024 * 1024;
    const limit =
      byteLimit ?? (rec.disposition === "EXTERNAL_LINKS" ? 100 * 1024 ** 3 : Number.POSITIVE_INFINITY);
    const chunks: Chunk[] = [];
    let total = 0;
    let cur: Chunk = { chunk_index: 0, row_offset: 0, row_count: 0, byte_count: 0 };
    for (let i = 0; i < rows.length; i++) {
      const size = JSON.stringify(rows[i]).length + 1;
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
    if (rec.disposition === "INLINE" && total > INLINE_LIMIT) {
      throw new SqlAnalysisError(
        "INLINE_RESULT_TOO_LARGE",
        "54000",
        `The INLINE result is ${total} bytes, over the 25 MiB limit: use disposition EXTERNAL_LINKS or a row_limit/byte_limit.`,
      );
    }
    rec.result = { columns, rows, chunks, truncated, totalBytes: total };
    rec.state = "SUCCEEDED";
    rec.finishedAt = this.deps.clock.now();
    rec.executionMs = Date.now() - rec.startedAt;
  }

  private fail(rec: StatementRecord, e: unknown): void {
    let cls: string;
    let state: string;
    let text: string;
    let code = "BAD_REQUEST";
    if (e instanceof SqlAnalysisError) {
      const m = /^\[([^\]]+)\] (.*)$/s.exec(e.message)!;
      cls = e.errorClass;
      state = e.sqlState;
      text = m[2]!;
    } else if (e instanceof ApiError) {
      cls = String(e.errorCode);
      state = e.status === 403 ? "42501" : e.status === 404 ? "42704" : "42000";
      text = e.message;
    } else {
      ({ cls, state, text } = classify(e instanceof Error ? e.message : String(e)));
      if (cls === "INTERNAL_ERROR") code = "INTERNAL_ERROR";
    }
    rec.state = "FAILED";
    rec.error = { error_code: code, message: `[${cls}] ${text} SQLSTATE: ${state}` };
    rec.sqlState = state;
    rec.finishedAt = this.deps.clock.now();
    rec.executionMs = Date.now() - rec.startedAt;
  }

  private finishCanceled(rec: StatementRecord): void {
    rec.state = "CANCELED";
    rec.result = undefined;
    rec.finishedAt = this.deps.clock.now();
    rec.executionMs = Date.now() - rec.startedAt;
  }

  private requestCancel(rec: StatementRecord): void {
    if (rec.state !== "PENDING" && rec.state !== "RUNNING") return;
    rec.cancelRequested = true;
    rec.abort.abort();
    try {
      rec.conn?.interrupt();
    } catch {
      // The connection may have just finished; the state check after it settles handles the race.
    }
  }

  /** Drops statements 12 h after they finished (GET then answers 404). */
  private gc(): void {
    const now = this.deps.clock.now();
    for (const [id, r] of this.records)
      if (r.finishedAt !== undefined && now - r.finishedAt > FORGET_MS) this.records.delete(id);
  }

  private get(id: string, identity: Identity): StatementRecord {
    this.gc();
    const rec = this.records.get(id);
    if (!rec) throw notFound(`Statement ${id} does not exist.`);
    if (rec.owner !== identity.name && !identity.admin) {
      throw new ApiError(403, "PERMISSION_DENIED", `User ${identity.name} cannot access statement ${id}.`);
    }
    if (
      rec.state === "SUCCEEDED" &&
      rec.finishedAt !== undefined &&
      this.deps.clock.now() - rec.finishedAt > RESULT_TTL_MS
    ) {
      rec.state = "CLOSED";
      rec.result = undefined;
      rec.payloads.clear();
    }
    return rec;
  }

  /** GET /api/2.0/sql/statements/{id} */
  status(id: string, identity: Identity): JsonObject {
    return this.render(this.get(id, identity));
  }

  /** POST .../cancel */
  cancel(id: string, identity: Identity): void {
    this.requestCancel(this.get(id, identity));
  }

  /** Waits for the statement to finish (tests and the bench use it through the handle, never the wire). */
  async settled(id: string): Promise<{ state: StatementState; executionMs?: number }> {
    const rec = this.records.get(id);
    if (!rec) throw notFound(`Statement ${id} does not exist.`);
    await rec.done;
    return { state: rec.state, executionMs: rec.executionMs };
  }

  /** GET .../result/chunks/{n} */
  chunk(id: string, index: number, identity: Identity): JsonObject {
    const rec = this.get(id, identity);
    if (rec.state !== "SUCCEEDED" || !rec.result) {
      throw new ApiError(400, "BAD_REQUEST", `Statement ${id} has no result to fetch (state ${rec.state}).`);
    }
    if (!Number.isInteger(index) || index < 0 || index >= rec.result.chunks.length) {
      throw invalidParameter(
        `Chunk index ${index} is out of range: the result has ${rec.result.chunks.length} chunks.`,
      );
    }
    return this.resultData(rec, index);
  }

  private manifest(rec: StatementRecord): JsonObject {
    const r = rec.result!;
    const m: JsonObject = {
      format: rec.format,
      schema: { column_count: r.columns.length, columns: r.columns as unknown as JsonObject[] },
      total_chunk_count: r.chunks.length,
      chunks: r.chunks.map((c) => ({ ...c })) as unknown as JsonObject[],
      total_row_count: r.rows.length,
      truncated: r.truncated,
    };
    if (rec.disposition === "EXTERNAL_LINKS") m.total_byte_count = r.totalBytes;
    else for (const c of m.chunks as JsonObject[]) delete c.byte_count;
    return m;
  }

  private resultData(rec: StatementRecord, index: number): JsonObject {
    const r = rec.result!;
    const c = r.chunks[index]!;
    const out: JsonObject = { chunk_index: c.chunk_index, row_offset: c.row_offset, row_count: c.row_count };
    const hasNext = index + 1 < r.chunks.length;
    const nextLink = `/api/2.0/sql/statements/${rec.id}/result/chunks/${index + 1}`;
    if (rec.disposition === "INLINE") {
      if (hasNext) {
        out.next_chunk_index = index + 1;
        out.next_chunk_internal_link = nextLink;
      }
      out.data_array = r.rows.slice(c.row_offset, c.row_offset + c.row_count) as unknown as JsonObject[];
      return out;
    }
    out.byte_count = c.byte_count;
    if (hasNext) {
      out.next_chunk_index = index + 1;
      out.next_chunk_internal_link = nextLink;
    }
    const link: JsonObject = {
      ...out,
      external_link: this.sign(rec.id, index),
      expiration: this.expiration(),
    };
    return { ...out, external_links: [link] };
  }

  private expiration(): string {
    return new Date(this.deps.clock.now() + (this.deps.options.linkTtlSeconds ?? 900) * 1000).toISOString();
  }

  private sign(id: string, index: number): string {
    const exp = this.deps.clock.now() + (this.deps.options.linkTtlSeconds ?? 900) * 1000;
    const sig = createHmac("sha256", this.key).update(`${id}/${index}/${exp}`).digest("hex");
    return `${this.deps.baseUrl()}${RESULT_LINK_PREFIX}/${id}/${index}?X-Expires=${exp}&X-Signature=${sig}`;
  }

  /**
   * Serves an external link (public: no workspace auth). Like cloud storage it refuses an Authorization header,
   * an expired link (403) and a tampered signature (403).
   */
  download(
    id: string,
    index: number,
    query: Record<string, string | undefined>,
    authorization: string | undefined,
  ): { status: number; type: string; body: Buffer | string } {
    const xml = (code: string, message: string) =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
    if (authorization !== undefined) {
      return {
        status: 400,
        type: "application/xml",
        body: xml(
          "InvalidArgument",
          "Only one auth mechanism allowed; only the X-Signature query parameter is supported, do not send an Authorization header.",
        ),
      };
    }
    const exp = Number(query["X-Expires"]);
    const sig = query["X-Signature"] ?? "";
    const expected = createHmac("sha256", this.key).update(`${id}/${index}/${exp}`).digest("hex");
    if (sig.length !== expected.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(expected))) {
      return {
        status: 403,
        type: "application/xml",
        body: xml("SignatureDoesNotMatch", "The request signature does not match."),
      };
    }
    if (!(exp > this.deps.clock.now())) {
      return { status: 403, type: "application/xml", body: xml("AccessDenied", "Request has expired.") };
    }
    const rec = this.records.get(id);
    if (!rec?.result || rec.state !== "SUCCEEDED" || !rec.result.chunks[index]) {
      return {
        status: 404,
        type: "application/xml",
        body: xml("NoSuchKey", "The specified key does not exist."),
      };
    }
    let payload = rec.payloads.get(index);
    if (!payload) {
      payload = this.renderChunk(rec, index);
      rec.payloads.set(index, payload);
    }
    const type =
      rec.format === "CSV"
        ? "text/csv"
        : rec.format === "ARROW_STREAM"
          ? "application/vnd.apache.arrow.stream"
          : "application/json";
    return { status: 200, type, body: payload };
  }

  private renderChunk(rec: StatementRecord, index: number): Buffer {
    const r = rec.result!;
    const c = r.chunks[index]!;
    const rows = r.rows.slice(c.row_offset, c.row_offset + c.row_count);
    if (rec.format === "JSON_ARRAY") return Buffer.from(JSON.stringify(rows));
    if (rec.format === "CSV") {
      const lines = rows.map((row) => row.map(csvCell).join(","));
      if (index === 0) lines.unshift(r.columns.map((col) => csvCell(col.name)).join(","));
      return Buffer.from(`${lines.join("\n")}\n`);
    }
    return toArrowIpc(r.columns, rows);
  }

  private render(rec: StatementRecord): JsonObject {
    const status: JsonObject = { state: rec.state };
    if (rec.state === "FAILED" && rec.error) {
      status.error = rec.error;
      status.sql_state = rec.sqlState!;
    }
    const out: JsonObject = { statement_id: rec.id, status };
    if (rec.state === "SUCCEEDED" && rec.result) {
      out.manifest = this.manifest(rec);
      out.result = this.resultData(rec, 0);
    }
    return out;
  }
}
