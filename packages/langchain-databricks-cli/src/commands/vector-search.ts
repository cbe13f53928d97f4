import type { Command } from "commander";
import { type CommandContext, contextFor, note, parsePositiveInt, writeJson, writeLine } from "../context.js";
import { CliUsageError } from "../exit-codes.js";
import { type CliIO, readAll } from "../io.js";
import { progressBar } from "../progress-bar.js";

interface CreateFlags {
  endpoint: string;
  primaryKey: string;
  schema?: string;
  vectorColumn?: string;
  dimension?: number;
  sourceColumn?: string;
  embeddingEndpoint?: string;
  sourceTable?: string;
  pipeline?: string;
  createEndpoint?: boolean;
  wait?: boolean;
  json?: boolean;
}

interface QueryFlags {
  columns: string;
  text?: string;
  vector?: string;
  k: number;
  type?: string;
  filters?: string;
  json?: boolean;
}

const parseJsonFlag = (flag: string, value: string): unknown => {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new CliUsageError(`${flag} must be JSON, got ${JSON.stringify(value.slice(0, 80))}.`);
  }
};

/** `vector-search` (alias `vs`): create, list, get, sync, wait, upsert (JSONL with a progress bar), query, delete. */
export function registerVectorSearch(program: Command, io: CliIO): void {
  const group = program
    .command("vector-search")
    .alias("vs")
    .description(
      "Manage Vector Search indexes: create, sync, upsert from JSONL and query (/api/2.0/vector-search).",
    );

  group
    .command("create-index")
    .description(
      "Create an index. DIRECT_ACCESS with --schema (JSON column->type) and --vector-column/--dimension or " +
        "--source-column/--embedding-endpoint; DELTA_SYNC with --source-table.",
    )
    .argument("<index>", "three-part index name catalog.schema.index")
    .requiredOption("--endpoint <name>", "Vector Search endpoint")
    .requiredOption("--primary-key <column>", "primary-key column")
    .option(
      "--schema <json>",
      'DIRECT_ACCESS schema, e.g. \'{"id":"string","text":"string","v":"array<float>"}\'',
    )
    .option("--vector-column <column>", "self-managed embedding column")
    .option("--dimension <n>", "embedding dimension of --vector-column", parsePositiveInt("--dimension"))
    .option("--source-column <column>", "text column embedded by --embedding-endpoint (managed embeddings)")
    .option("--embedding-endpoint <name>", "serving endpoint computing the managed embeddings")
    .option("--source-table <table>", "DELTA_SYNC source table (three-part name)")
    .option("--pipeline <type>", "DELTA_SYNC pipeline: TRIGGERED or CONTINUOUS", "TRIGGERED")
    .option("--create-endpoint", "create the endpoint first when it does not exist")
    .option("--wait", "wait until the index is online (progress on stderr)")
    .option("--json", "print the index as JSON")
    .action(async (index: string, opts: CreateFlags, command: Command) => {
      const ctx = contextFor(command, io);
      const vs = await client(ctx);
      if (opts.vectorColumn && opts.dimension === undefined) {
        throw new CliUsageError("create-index: --vector-column needs --dimension.");
      }
      if (opts.sourceColumn && !opts.embeddingEndpoint) {
        throw new CliUsageError("create-index: --source-column needs --embedding-endpoint.");
      }
      if (opts.createEndpoint) {
        const { NotFoundError } = await import("langchain-databricks");
        try {
          await vs.getEndpoint(opts.endpoint);
        } catch (e) {
          if (!(e instanceof NotFoundError)) throw e;
          await vs.createEndpoint(opts.endpoint);
          // With --json, stdout is the index document alone (pipeable to jq); the note goes to stderr.
          (opts.json ? note : writeLine)(io, `Created endpoint ${opts.endpoint}.`);
        }
      }
      const embedding = {
        ...(opts.vectorColumn
          ? { embeddingVectorColumn: { name: opts.vectorColumn, dimension: opts.dimension as number } }
          : {}),
        ...(opts.sourceColumn
          ? {
              embeddingSourceColumn: {
                name: opts.sourceColumn,
                modelEndpointName: opts.embeddingEndpoint as string,
              },
            }
          : {}),
      };
      let created: unknown;
      if (opts.sourceTable) {
        if (opts.pipeline !== "TRIGGERED" && opts.pipeline !== "CONTINUOUS") {
          throw new CliUsageError("create-index: --pipeline must be TRIGGERED or CONTINUOUS.");
        }
        created = await vs.createDeltaSyncIndex({
          name: index,
          endpointName: opts.endpoint,
          primaryKey: opts.primaryKey,
          sourceTable: opts.sourceTable,
          pipelineType: opts.pipeline,
          ...embedding,
        });
      } else {
        if (!opts.schema)
          throw new CliUsageError(
            "create-index: a DIRECT_ACCESS index needs --schema (or give --source-table).",
          );
        const schema = parseJsonFlag("--schema", opts.schema);
        if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
          throw new CliUsageError("create-index: --schema must be a JSON object of column -> type.");
        }
        created = await vs.createDirectAccessIndex({
          name: index,
          endpointName: opts.endpoint,
          primaryKey: opts.primaryKey,
          schema: schema as Record<string, string>,
          ...embedding,
        });
      }
      if (opts.wait) {
        await vs.waitForEndpoint(opts.endpoint, {
          onProgress: (p) => io.stderr.write(`endpoint ${opts.endpoint}: ${p.state}\n`),
        });
        created = await vs.waitForIndex(index, {
          onProgress: (p) => io.stderr.write(`index ${index}: ${p.state}\n`),
        });
      }
      if (opts.json) return writeJson(io, created);
      writeLine(io, `Created index ${index} on endpoint ${opts.endpoint}.`);
    });

  group
    .command("list")
    .description("List indexes (of one endpoint with --endpoint).")
    .option("--endpoint <name>", "only this endpoint's indexes")
    .option("--json", "print as JSON")
    .action(async (opts: { endpoint?: string; json?: boolean }, command: Command) => {
      const vs = await client(contextFor(command, io));
      const list = await vs.listIndexes(opts.endpoint);
      if (opts.json) return writeJson(io, list);
      if (list.length === 0) writeLine(io, "(no indexes)");
      for (const i of list) writeLine(io, `${i.name}\t${i.index_type}\t${i.endpoint_name}`);
    });

  group
    .command("get")
    .description("Show an index and its status.")
    .argument("<index>", "index name")
    .action(async (index: string, _opts: unknown, command: Command) => {
      const vs = await client(contextFor(command, io));
      writeJson(io, await vs.getIndex(index));
    });

  group
    .command("sync")
    .description("Sync a TRIGGERED delta-sync index from its source table.")
    .argument("<index>", "index name")
    .option("--wait", "wait until the index is online again")
    .action(async (index: string, opts: { wait?: boolean }, command: Command) => {
      const vs = await client(contextFor(command, io));
      await vs.syncIndex(index);
      if (opts.wait)
        await vs.waitForIndex(index, { onProgress: (p) => io.stderr.write(`index ${index}: ${p.state}\n`) });
      writeLine(io, `Synced index ${index}.`);
    });

  group
    .command("wait")
    .description("Wait until an index is online, printing its state as it changes.")
    .argument("<index>", "index name")
    .action(async (index: string, _opts: unknown, command: Command) => {
      const vs = await client(contextFor(command, io));
      const done = await vs.waitForIndex(index, {
        onProgress: (p) => io.stderr.write(`index ${index}: ${p.state}\n`),
      });
      writeLine(
        io,
        `Index ${index} is ${done.status?.detailed_state ?? "ONLINE"} with ${done.status?.indexed_row_count ?? 0} rows.`,
      );
    });

  group
    .command("upsert")
    .description(
      "Upsert rows from a JSONL file (one JSON object per line; '-' for stdin) into a direct-access index.",
    )
    .argument("<index>", "index name")
    .argument("<file>", "JSONL file, or - for stdin")
    .option("--batch-size <n>", "rows per request", parsePositiveInt("--batch-size"), 1000)
    .action(async (index: string, file: string, opts: { batchSize: number }, command: Command) => {
      const ctx = contextFor(command, io);
      const rows = await readJsonl(io, file);
      const vs = await client(ctx);
      const bar = await progressBar(io, {
        format: "upserting [{bar}] {value}/{total} {percentage}% eta {eta}s",
        total: rows.length,
      });
      try {
        const res = await vs.upsert(index, rows, {
          batchSize: opts.batchSize,
          onProgress: (done, total) => {
            if (bar) bar.update(done);
            else io.stderr.write(`upserted ${done}/${total}\n`);
          },
        });
        bar?.stop();
        const failed = res.result.failed_primary_keys ?? [];
        writeLine(
          io,
          `${res.status}: ${res.result.success_row_count} rows upserted into ${index}${failed.length ? `, ${failed.length} failed` : ""}.`,
        );
      } finally {
        bar?.stop();
      }
    });

  group
    .command("query")
    .description("Query an index by text (--text) or vector (--vector JSON); prints a table or --json.")
    .argument("<index>", "index name")
    .requiredOption("--columns <list>", "comma-separated columns to return")
    .option("--text <query>", "query text")
    .option("--vector <json>", "query vector as a JSON list")
    .option("-k, --k <n>", "number of results", parsePositiveInt("-k"), 10)
    .option("--type <type>", "ANN, HYBRID or FULL_TEXT")
    .option(
      "--filters <json|sql>",
      "filters_json dict (JSON), or a filter_string for storage-optimized endpoints",
    )
    .option("--json", "print the columns and rows as JSON")
    .action(async (index: string, opts: QueryFlags, command: Command) => {
      const vs = await client(contextFor(command, io));
      if (opts.text === undefined && opts.vector === undefined) {
        throw new CliUsageError("query: give --text or --vector.");
      }
      const vector = opts.vector !== undefined ? parseJsonFlag("--vector", opts.vector) : undefined;
      if (vector !== undefined && (!Array.isArray(vector) || vector.some((x) => typeof x !== "number"))) {
        throw new CliUsageError("query: --vector must be a JSON list of numbers.");
      }
      const filters = opts.filters?.trim().startsWith("{")
        ? (parseJsonFlag("--filters", opts.filters) as Record<string, unknown>)
        : opts.filters;
      const type = opts.type?.toUpperCase();
      if (type !== undefined && !["ANN", "HYBRID", "FULL_TEXT"].includes(type)) {
        throw new CliUsageError("query: --type must be ANN, HYBRID or FULL_TEXT.");
      }
      const res = await vs.query(index, {
        columns: opts.columns
          .split(",")
          .map((c) => c.trim())
          .filter(Boolean),
        numResults: opts.k,
        ...(opts.text !== undefined ? { queryText: opts.text } : {}),
        ...(vector ? { queryVector: vector as number[] } : {}),
        ...(type ? { queryType: type as "ANN" } : {}),
        ...(filters !== undefined ? { filters } : {}),
      });
      if (opts.json) return writeJson(io, { columns: res.columns, rows: res.rows });
      writeLine(io, res.columns.join("\t"));
      for (const r of res.rows)
        writeLine(io, r.map((c) => (typeof c === "string" ? c : JSON.stringify(c))).join("\t"));
    });

  group
    .command("delete-index")
    .description("Delete an index.")
    .argument("<index>", "index name")
    .action(async (index: string, _opts: unknown, command: Command) => {
      const vs = await client(contextFor(command, io));
      await vs.deleteIndex(index);
      writeLine(io, `Deleted index ${index}.`);
    });
}

async function client(ctx: CommandContext) {
  const { VectorSearchClient } = await import("langchain-databricks");
  return new VectorSearchClient(ctx.auth);
}

async function readJsonl(io: CliIO, file: string): Promise<Record<string, unknown>[]> {
  let text: string;
  if (file === "-") text = await readAll(io.stdin);
  else {
    const { readFile } = await import("node:fs/promises");
    const { resolve } = await import("node:path");
    try {
      text = await readFile(resolve(io.cwd, file), "utf8");
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new CliUsageError(
        `upsert: cannot read "${file}"${typeof code === "string" ? ` (${code})` : ""}.`,
      );
    }
  }
  const rows: Record<string, unknown>[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new CliUsageError(`upsert: line ${i + 1} of "${file}" is not valid JSON.`);
    }
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      throw new CliUsageError(`upsert: line ${i + 1} of "${file}" must be a JSON object.`);
    }
    rows.push(v as Record<string, unknown>);
  });
  if (rows.length === 0) throw new CliUsageError(`upsert: "${file}" has no rows.`);
  return rows;
}
