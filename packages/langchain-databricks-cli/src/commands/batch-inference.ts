import type { Command } from "commander";
import { contextFor, note, writeJson } from "../context.js";
import { CliInterrupted, CliUsageError } from "../exit-codes.js";
import type { CliIO } from "../io.js";
import { progressBar } from "../progress-bar.js";

interface BatchOptions {
  endpoint: string;
  sourceTable?: string;
  sourceQuery?: string;
  inputColumn?: string;
  requestExpression?: string;
  outputTable: string;
  key: string;
  warehouseId?: string;
  returnType?: string;
  failOnError?: boolean;
  progress?: boolean;
}

/**
 * `batch-inference`: ai_query over a table or query on a SQL warehouse into an output table (created, or appended
 * with the keys it does not have yet). Prints the JSON report on stdout; progress and the summary go to stderr.
 * Ctrl-C cancels the statement on the warehouse, which then writes nothing.
 */
export function registerBatchInference(program: Command, io: CliIO): void {
  program
    .command("batch-inference")
    .description(
      "Run ai_query over a table or query on a SQL warehouse and write (key, response, error) rows to an output " +
        "table; re-running resumes (rows already in the output are skipped). Per-row errors are recorded, not fatal.",
    )
    .requiredOption("-e, --endpoint <name>", "serving endpoint ai_query calls")
    .option("--source-table <name>", "source table catalog.schema.table")
    .option("--source-query <sql>", "or a SELECT producing the rows")
    .option("--input-column <name>", "column sent as the request")
    .option(
      "--request-expression <sql>",
      "or a SQL expression over the source columns, e.g. named_struct('x', x)",
    )
    .requiredOption("-o, --output-table <name>", "output table catalog.schema.table")
    .requiredOption("-k, --key <column>", "key column copied to the output (used to resume)")
    .option("-w, --warehouse-id <id>", "SQL warehouse (default DATABRICKS_WAREHOUSE_ID)")
    .option("--return-type <type>", "ai_query returnType for custom models, e.g. DOUBLE")
    .option("--fail-on-error", "fail the whole run on the first row error (nothing is written)")
    .option("--no-progress", "no progress bar even on a terminal")
    .addHelpText(
      "after",
      "\nExamples:\n  langchain-databricks batch-inference -e databricks-meta-llama-3-3-70b-instruct \\\n    --source-table main.default.reviews --input-column text -k id -o main.default.review_answers",
    )
    .action(async (opts: BatchOptions, command: Command) => {
      const ctx = contextFor(command, io);
      if ((opts.sourceTable === undefined) === (opts.sourceQuery === undefined)) {
        throw new CliUsageError("batch-inference: pass exactly one of --source-table or --source-query.");
      }
      if ((opts.inputColumn === undefined) === (opts.requestExpression === undefined)) {
        throw new CliUsageError(
          "batch-inference: pass exactly one of --input-column or --request-expression.",
        );
      }
      const { StatementExecutionClient, runBatchInference } = await import("langchain-databricks");
      const client = new StatementExecutionClient({ ...ctx.auth, warehouseId: opts.warehouseId });
      const interrupt = new AbortController();
      const offInterrupt = io.onInterrupt(() => interrupt.abort());
      const bar = await progressBar(io, {
        format: "ai_query [{bar}] {state} {elapsed}s",
        total: 1,
        payload: { state: "PENDING", elapsed: "0.0" },
        enabled: opts.progress !== false,
      });
      try {
        const report = await runBatchInference({
          client,
          endpoint: opts.endpoint,
          source: opts.sourceTable !== undefined ? { table: opts.sourceTable } : { query: opts.sourceQuery! },
          ...(opts.inputColumn !== undefined
            ? { inputColumn: opts.inputColumn }
            : { requestExpression: opts.requestExpression! }),
          outputTable: opts.outputTable,
          key: opts.key,
          returnType: opts.returnType,
          failOnError: opts.failOnError ?? false,
          signal: interrupt.signal,
          onProgress: (p) => bar?.update(0, { state: p.state, elapsed: (p.elapsedMs / 1000).toFixed(1) }),
        });
        bar?.update(1, { state: "SUCCEEDED", elapsed: (report.elapsedMs / 1000).toFixed(1) });
        bar?.stop();
        writeJson(io, report);
        note(
          io,
          `batch-inference: ${report.inserted} rows written to ${opts.outputTable} (${report.totalRows} in total, ${report.errors} with errors) in ${(report.elapsedMs / 1000).toFixed(1)}s`,
        );
      } catch (e) {
        bar?.stop();
        if (interrupt.signal.aborted) {
          throw new CliInterrupted(
            "batch-inference: interrupted; the statement was canceled and nothing was written.",
          );
        }
        throw e;
      } finally {
        offInterrupt();
      }
    });
}
