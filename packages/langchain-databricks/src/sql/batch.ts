/**
 * Batch inference with `ai_query` on a SQL warehouse: one statement reads the source, fans the rows out to a
 * serving endpoint and writes the answers to an output table, atomically (CREATE TABLE AS on the first run,
 * INSERT of the missing keys afterwards, so a re-run resumes). Identifiers are quoted and values bound as
 * parameters; only `requestExpression` and `source.query` are SQL, and they are the caller's own SQL.
 */
import { DatabricksAbortError, DatabricksConfigError, NotFoundError } from "../errors.js";
import {
  assertSucceeded,
  type ExecuteOptions,
  quoteName,
  type StatementExecutionClient,
  type StatementProgress,
  StatementResult,
} from "./statement-client.js";

export interface BatchInferenceOptions {
  client: StatementExecutionClient;
  /** @default the client's warehouse / `DATABRICKS_WAREHOUSE_ID` */
  warehouseId?: string;
  /** Serving endpoint name (bound as a parameter). */
  endpoint: string;
  /** Rows to process: a table (`catalog.schema.table`) or your own SELECT. */
  source: { table: string } | { query: string };
  /** Column sent as the request (chat/completions text, embeddings input). */
  inputColumn?: string;
  /** Or a SQL expression over the source columns (e.g. `named_struct('x', x)` for custom models); trusted SQL. */
  requestExpression?: string;
  /** Output table `catalog.schema.table`: created on the first run, appended afterwards. */
  outputTable: string;
  /** Key column copied to the output; rows whose key is already there are skipped (resume). */
  key: string;
  /** Fail the whole statement on the first row error instead of recording per-row errors. @default false */
  failOnError?: boolean;
  /** Custom models: the `returnType` of ai_query (e.g. `DOUBLE`, `ARRAY<FLOAT>`). */
  returnType?: string;
  /** Literal model parameters (`max_tokens`, `temperature`...), bound as parameters. */
  modelParameters?: Record<string, number | string | boolean>;
  signal?: AbortSignal;
  onProgress?: (p: StatementProgress) => void;
  /** Longest pause between polls, ms. @default 1000 */
  maxPollIntervalMs?: number;
}

export interface BatchInferenceReport {
  statementId: string;
  /** Rows written by this run. */
  inserted: number;
  /** Output rows (all runs) whose `error` is set. */
  errors: number;
  /** Rows in the output table after this run. */
  totalRows: number;
  /** Whether this run created the output table. */
  created: boolean;
  elapsedMs: number;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Runs `ai_query` over a table or query and stores `(key, response, error)` in `outputTable`.
 * Submitted with `wait_timeout: 0s` and polled (progress and elapsed time through `onProgress`); aborting the
 * signal cancels the statement, which writes nothing.
 *
 * @example
 * const report = await runBatchInference({
 *   client: new StatementExecutionClient(),
 *   endpoint: "databricks-meta-llama-3-3-70b-instruct",
 *   source: { table: "main.default.reviews" }, inputColumn: "text", key: "id",
 *   outputTable: "main.default.review_summaries",
 * });
 */
export async function runBatchInference(o: BatchInferenceOptions): Promise<BatchInferenceReport> {
  if (o.signal?.aborted)
    throw new DatabricksAbortError("Cancelled: the batch was aborted before it started.");
  if (!o.endpoint) throw new DatabricksConfigError("endpoint is required.");
  if ((o.inputColumn === undefined) === (o.requestExpression === undefined)) {
    throw new DatabricksConfigError("Pass exactly one of inputColumn or requestExpression.");
  }
  if (o.returnType !== undefined && !/^[A-Za-z0-9_<>,:() ]+$/.test(o.returnType)) {
    throw new DatabricksConfigError(`Invalid returnType '${o.returnType}'.`);
  }
  const started = Date.now();
  const out = quoteName(o.outputTable);
  const key = quoteName(o.key);
  const src = "table" in o.source ? quoteName(o.source.table) : `(${o.source.query})`;
  const request =
    o.inputColumn !== undefined ? `src.${quoteName(o.inputColumn)}` : `(${o.requestExpression})`;
  const params: NonNullable<ExecuteOptions["parameters"]> = [{ name: "endpoint", value: o.endpoint }];
  const args = [":endpoint", request];
  if (o.returnType) {
    params.push({ name: "return_type", value: o.returnType });
    args.push("returnType => :return_type");
  }
  if (o.modelParameters && Object.keys(o.modelParameters).length > 0) {
    const fields = Object.entries(o.modelParameters).map(([k, v], i) => {
      if (!IDENT.test(k)) throw new DatabricksConfigError(`Invalid model parameter name '${k}'.`);
      params.push({ name: `mp${i}`, value: v });
      return `'${k}', :mp${i}`;
    });
    args.push(`modelParameters => named_struct(${fields.join(", ")})`);
  }
  const failOnError = o.failOnError ?? false;
  args.push(`failOnError => ${failOnError ? "true" : "false"}`);
  const call = `ai_query(${args.join(", ")})`;
  const exists = await tableExists(o.client, o.outputTable, o.signal);
  const projection = failOnError
    ? `src.${key} AS ${key}, ${call} AS response, CAST(NULL AS STRING) AS error`
    : `r.${key} AS ${key}, r.ai.result AS response, r.ai.errorMessage AS error FROM (SELECT src.${key} AS ${key}, ${call} AS ai`;
  const from = `FROM ${src} AS src`;
  const skip = exists ? ` WHERE NOT EXISTS (SELECT 1 FROM ${out} AS o WHERE o.${key} = src.${key})` : "";
  const select = failOnError
    ? `SELECT ${projection} ${from}${skip}`
    : `SELECT ${projection} ${from}${skip}) AS r`;
  const statement = exists ? `INSERT INTO ${out} ${select}` : `CREATE TABLE ${out} AS ${select}`;
  const first = await o.client.submit(statement, {
    warehouseId: o.warehouseId,
    parameters: params,
    waitTimeout: 0,
    signal: o.signal,
  });
  const done = await o.client.wait(first, {
    signal: o.signal,
    onProgress: o.onProgress,
    maxPollIntervalMs: o.maxPollIntervalMs,
  });
  const result = new StatementResult(o.client, assertSucceeded(done));
  let inserted = 0;
  if (exists) {
    const rows = await result.toArray();
    inserted = Number(rows[0]?.num_inserted_rows ?? rows[0]?.num_affected_rows ?? 0);
  }
  const counts = await o.client.query(`SELECT count(*) AS total, count(error) AS errors FROM ${out}`, {
    warehouseId: o.warehouseId,
    signal: o.signal,
  });
  const totalRows = Number(counts[0]?.total ?? 0);
  return {
    statementId: done.statement_id,
    inserted: exists ? inserted : totalRows,
    errors: Number(counts[0]?.errors ?? 0),
    totalRows,
    created: !exists,
    elapsedMs: Date.now() - started,
  };
}

/** Whether a table exists (Unity Catalog `GET /api/2.1/unity-catalog/tables/{name}`). */
async function tableExists(
  client: StatementExecutionClient,
  name: string,
  signal?: AbortSignal,
): Promise<boolean> {
  try {
    await client.httpClient.request({
      method: "GET",
      path: `/api/2.1/unity-catalog/tables/${encodeURIComponent(name)}`,
      query: { omit_columns: "true" },
      signal,
      maxRetries: 2,
    });
    return true;
  } catch (e) {
    if (e instanceof NotFoundError) return false;
    throw e;
  }
}
