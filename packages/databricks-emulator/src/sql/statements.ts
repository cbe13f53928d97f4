/**
 * Statement Execution API store (spec/sql.md "Statements"): the statement state machine
 * (PENDING -> RUNNING -> SUCCEEDED | FAILED | CANCELED, then CLOSED), wait_timeout / on_wait_timeout, cancel,
 * ownership checks and expiry. Request parsing is in statement-request.ts, execution on DuckDB in
 * statement-execution.ts, result chunks in statement-results.ts and signed external links in result-links.ts.
 */
import { randomUUID } from "node:crypto";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Identity } from "../auth/identity.js";
import { ApiError, invalidParameter, notFound } from "../errors.js";
import type { Clock } from "../util/clock.js";
import type { JsonObject } from "../util/json.js";
import type { ServingAccess } from "./ai-query.js";
import type { UnityCatalog } from "./catalog.js";
import type { SqlColumn } from "./engine.js";
import { type LinkResponse, noSuchKey, RESULT_LINK_PREFIX, ResultLinkSigner } from "./result-links.js";
import { failureOf } from "./statement-errors.js";
import { type ExecutionScope, executeStatement } from "./statement-execution.js";
import {
  type Disposition,
  type Format,
  parseStatementRequest,
  type StatementOptions,
  type StatementState,
} from "./statement-request.js";
import {
  chunkData,
  chunkResult,
  contentTypeOf,
  manifestOf,
  renderChunk,
  type StatementResult,
} from "./statement-results.js";
import type { WarehouseStore } from "./warehouses.js";

export { RESULT_LINK_PREFIX, type StatementOptions, type StatementState };

interface StatementRecord {
  id: string;
  owner: string;
  state: StatementState;
  disposition: Disposition;
  format: Format;
  result?: StatementResult;
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

const RESULT_TTL_MS = 60 * 60 * 1000;
const FORGET_MS = 12 * 60 * 60 * 1000;

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
  private readonly links: ResultLinkSigner;

  constructor(private readonly deps: StatementDeps) {
    this.links = new ResultLinkSigner(deps.clock, deps.options, () => deps.baseUrl());
  }

  get size(): number {
    return this.records.size;
  }

  /** POST /api/2.0/sql/statements */
  async execute(body: JsonObject, identity: Identity): Promise<JsonObject> {
    const req = parseStatementRequest(body, this.deps.warehouses);
    const rec: StatementRecord = {
      id: `01f0${randomUUID().slice(4)}`,
      owner: identity.name,
      state: "PENDING",
      disposition: req.disposition,
      format: req.format,
      cancelRequested: false,
      abort: new AbortController(),
      payloads: new Map(),
      startedAt: Date.now(),
      done: Promise.resolve(),
    };
    this.records.set(rec.id, rec);
    this.gc();
    rec.done = this.run(rec, identity, req.statement, req);
    if (req.wait > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        rec.done.then(() => false),
        new Promise<boolean>((r) => {
          timer = setTimeout(() => r(true), req.wait * 1000);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut && req.onWait === "CANCEL") {
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
    o: ExecutionScope & { rowLimit?: number; byteLimit?: number; warehouseId: string },
  ): Promise<void> {
    try {
      await this.deps.warehouses.whenRunning(o.warehouseId, rec.abort.signal);
      if (rec.cancelRequested) return this.finishCanceled(rec);
      rec.state = "RUNNING";
      const { uc, serving, options } = this.deps;
      const out = await executeStatement(
        { uc, serving, aiQueryConcurrency: options.aiQueryConcurrency },
        rec,
        identity,
        statement,
        o,
      );
      if (out.kind === "canceled") return this.finishCanceled(rec);
      this.succeed(rec, out.columns, out.rows, o.rowLimit, o.byteLimit);
    } catch (e) {
      if (rec.cancelRequested) return this.finishCanceled(rec);
      this.fail(rec, e);
    }
  }

  private finish(rec: StatementRecord, state: StatementState): void {
    rec.state = state;
    rec.finishedAt = this.deps.clock.now();
    rec.executionMs = Date.now() - rec.startedAt;
  }

  private succeed(
    rec: StatementRecord,
    columns: SqlColumn[],
    rows: (string | null)[][],
    rowLimit: number | undefined,
    byteLimit: number | undefined,
  ): void {
    rec.result = chunkResult(columns, rows, {
      disposition: rec.disposition,
      rowLimit,
      byteLimit,
      chunkRows: this.deps.options.chunkRows,
      chunkBytes: this.deps.options.chunkBytes,
    });
    this.finish(rec, "SUCCEEDED");
  }

  private fail(rec: StatementRecord, e: unknown): void {
    const { error, sqlState } = failureOf(e);
    rec.error = error;
    rec.sqlState = sqlState;
    this.finish(rec, "FAILED");
  }

  private finishCanceled(rec: StatementRecord): void {
    rec.result = undefined;
    this.finish(rec, "CANCELED");
  }

  private requestCancel(rec: StatementRecord): void {
    if (rec.state !== "PENDING" && rec.state !== "RUNNING") return;
    rec.cancelRequested = true;
    rec.abort.abort();
    // DuckDB's interrupt only stops a query that is already running: keep interrupting until the statement
    // settles, so a cancel that lands between two steps (prepare, then run) is not lost.
    const interrupt = () => {
      try {
        rec.conn?.interrupt();
      } catch {
        // The connection may have just closed; the state check after it settles handles the race.
      }
    };
    interrupt();
    const timer = setInterval(interrupt, 25);
    void rec.done.finally(() => clearInterval(timer));
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

  private resultData(rec: StatementRecord, index: number): JsonObject {
    return chunkData(rec.id, rec.result!, rec.disposition, index, (i) => this.links.link(rec.id, i));
  }

  /** Extra delay before an external link answers (see StatementOptions.linkLatencyMs). */
  get linkLatencyMs(): number {
    return this.deps.options.linkLatencyMs ?? 0;
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
  ): LinkResponse {
    const refusal = this.links.refusal(id, index, query, authorization);
    if (refusal) return refusal;
    const rec = this.records.get(id);
    if (!rec?.result || rec.state !== "SUCCEEDED" || !rec.result.chunks[index]) return noSuchKey();
    let payload = rec.payloads.get(index);
    if (!payload) {
      payload = renderChunk(rec.result, rec.format, index);
      rec.payloads.set(index, payload);
    }
    return { status: 200, type: contentTypeOf(rec.format), body: payload };
  }

  private render(rec: StatementRecord): JsonObject {
    const status: JsonObject = { state: rec.state };
    if (rec.state === "FAILED" && rec.error) {
      status.error = rec.error;
      status.sql_state = rec.sqlState!;
    }
    const out: JsonObject = { statement_id: rec.id, status };
    if (rec.state === "SUCCEEDED" && rec.result) {
      out.manifest = manifestOf(rec.result, rec.format, rec.disposition);
      out.result = this.resultData(rec, 0);
    }
    return out;
  }
}
