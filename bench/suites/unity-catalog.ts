// Suite: Unity Catalog data (issue 15). Runs against its own emulator (SQL options differ from the shared target):
//  1. batch: runBatchInference over N rows (ai_query on the chat endpoint), client end-to-end time vs the
//     statement's own execution time reported by the emulator;
//  2. download: 1,000,000 rows x 3 columns via EXTERNAL_LINKS (ARROW_STREAM bytes), parallel (8) vs one chunk at a
//     time; links answer after a simulated cloud-storage time to first byte (`linkLatencyMs`), as presigned URLs do;
//  3. toolkit: a UCFunctionToolkit tool call vs the same statement executed bare, interleaved, medians.
import { performance } from "node:perf_hooks";
import { startEmulator } from "databricks-emulator";
import { runBatchInference, StatementExecutionClient, UCFunctionToolkit } from "langchain-databricks";
import { errorMessage } from "../lib/measure.js";
import { addRatio, emptyResult } from "../lib/result.js";
import { median, round } from "../lib/stats.js";
import type { Suite, SuiteContext, SuiteResult } from "../lib/types.js";

const CHAT = "databricks-meta-llama-3-3-70b-instruct";

interface Options {
  batchRows: number;
  downloadRows: number;
  chunkRows: number;
  linkLatencyMs: number;
  toolCalls: number;
}

const options = (quick: boolean): Options =>
  quick
    ? { batchRows: 300, downloadRows: 50_000, chunkRows: 5_000, linkLatencyMs: 50, toolCalls: 10 }
    : { batchRows: 10_000, downloadRows: 1_000_000, chunkRows: 25_000, linkLatencyMs: 150, toolCalls: 200 };

async function drain(
  client: StatementExecutionClient,
  statementId: string,
  concurrency: number,
): Promise<number> {
  const first = await client.get(statementId);
  const { StatementResult } = await import("langchain-databricks");
  const result = new StatementResult(client, first);
  let rows = 0;
  for await (const c of result.chunks({ concurrency })) rows += c.chunk.row_count;
  return rows;
}

export const unityCatalogSuite: Suite = {
  id: "unity-catalog",
  title: "Unity Catalog data: batch ai_query, EXTERNAL_LINKS download, UC function tools",
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const result = emptyResult(this.id, this.title);
    const o = options(ctx.config.quick);
    const emu = await startEmulator({
      port: 0,
      requestLog: false,
      sql: { chunkRows: o.chunkRows, linkLatencyMs: o.linkLatencyMs, aiQueryConcurrency: 32 },
    });
    try {
      const client = new StatementExecutionClient({
        host: emu.url,
        token: emu.token,
        warehouseId: emu.warehouseId,
      });

      // 1. batch
      await client.execute(
        `CREATE TABLE main.default.bench_src AS SELECT range AS id, 'question number ' || range AS q FROM range(${o.batchRows})`,
      );
      let statementId = "";
      const t0 = performance.now();
      const report = await runBatchInference({
        client,
        endpoint: CHAT,
        source: { table: "main.default.bench_src" },
        inputColumn: "q",
        key: "id",
        outputTable: "main.default.bench_out",
        onProgress: (p) => {
          statementId = p.statementId;
        },
      });
      const clientMs = performance.now() - t0;
      const { executionMs } = await emu.sql.statementExecution(statementId);
      result.measurements.push(
        {
          subject: "runBatchInference (client end to end)",
          metric: `${o.batchRows} rows`,
          unit: "ms",
          value: round(clientMs, 1),
        },
        {
          subject: "ai_query statement (emulator-reported)",
          metric: `${o.batchRows} rows`,
          unit: "ms",
          value: executionMs ?? Number.NaN,
        },
      );
      if (report.totalRows !== o.batchRows)
        result.notes.push(`batch wrote ${report.totalRows} rows, expected ${o.batchRows}`);
      addRatio(
        result,
        "uc.batch_client_over_statement",
        "batch: client end-to-end / statement execution",
        clientMs / (executionMs ?? Number.NaN),
      );

      // 2. download
      await client.execute(
        `CREATE TABLE main.default.bench_big AS SELECT range AS id, 'row ' || range AS label, range * 0.5 AS score FROM range(${o.downloadRows})`,
      );
      // ARROW_STREAM: the chunks are downloaded as bytes, so the comparison is the download itself (JSON_ARRAY adds
      // the same JSON.parse cost to both modes, which on a loaded 2-core machine swamps the storage latency).
      const submitted = await client.execute("SELECT id, label, score FROM main.default.bench_big", {
        disposition: "EXTERNAL_LINKS",
        format: "ARROW_STREAM",
      });
      const id = submitted.statementId;
      await drain(client, id, 8); // warm: every chunk rendered once on the server
      const seq: number[] = [];
      const par: number[] = [];
      for (let round_ = 0; round_ < (ctx.config.quick ? 1 : 2); round_++) {
        let t = performance.now();
        const n1 = await drain(client, id, 1);
        seq.push(performance.now() - t);
        t = performance.now();
        const n8 = await drain(client, id, 8);
        par.push(performance.now() - t);
        if (n1 !== o.downloadRows || n8 !== o.downloadRows)
          result.notes.push(`download read ${n1}/${n8} rows`);
      }
      result.measurements.push(
        {
          subject: "EXTERNAL_LINKS one chunk at a time",
          metric: `${o.downloadRows} rows x 3`,
          unit: "ms",
          value: round(median(seq), 1),
        },
        {
          subject: "EXTERNAL_LINKS parallel (8)",
          metric: `${o.downloadRows} rows x 3`,
          unit: "ms",
          value: round(median(par), 1),
        },
      );
      result.notes.push(
        `download: ${submitted.manifest.total_chunk_count} chunks; each link answers after ${o.linkLatencyMs} ms (simulated cloud-storage time to first byte)`,
      );
      addRatio(
        result,
        "uc.download_sequential_over_parallel",
        "download: sequential / parallel",
        median(seq) / median(par),
      );

      // 3. toolkit overhead
      await client.execute(
        "CREATE FUNCTION main.default.bench_mul(a BIGINT, b BIGINT DEFAULT 2) RETURNS BIGINT COMMENT 'Multiply' RETURN a * b",
      );
      const toolkit = new UCFunctionToolkit({
        functionNames: ["main.default.bench_mul"],
        client,
        warehouseId: emu.warehouseId,
      });
      const [tool] = await toolkit.getTools();
      const bare: number[] = [];
      const viaTool: number[] = [];
      const params = [
        { name: "p0", value: "6", type: "BIGINT" },
        { name: "p1", value: "7", type: "BIGINT" },
      ];
      for (let i = 0; i < o.toolCalls; i++) {
        let t = performance.now();
        const r = await client.execute("SELECT `main`.`default`.`bench_mul`(:p0, :p1)", {
          parameters: params,
          waitTimeout: 30,
          rowLimit: 100,
          byteLimit: 1_048_576,
        });
        for await (const _ of r.rows({ raw: true })) {
          // read the row like the tool does
        }
        bare.push(performance.now() - t);
        t = performance.now();
        await tool!.invoke({ a: 6, b: 7 });
        viaTool.push(performance.now() - t);
      }
      result.measurements.push(
        {
          subject: "bare statement execution",
          metric: "per call",
          unit: "ms",
          value: round(median(bare), 3),
          n: bare.length,
        },
        {
          subject: "UCFunctionToolkit tool call",
          metric: "per call",
          unit: "ms",
          value: round(median(viaTool), 3),
          n: viaTool.length,
        },
      );
      addRatio(
        result,
        "uc.tool_over_statement",
        "UC tool call / bare statement",
        median(viaTool) / median(bare),
      );
    } catch (err) {
      result.status = "error";
      result.reason = errorMessage(err);
    } finally {
      await emu.close();
    }
    return result;
  },
};
