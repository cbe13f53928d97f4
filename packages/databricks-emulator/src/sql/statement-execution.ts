/**
 * Runs one statement (spec/sql.md "Statements", "Supported SQL"): emulator commands (GRANT, SHOW, ...) first,
 * else translation to DuckDB SQL, the Unity Catalog permission checks, `ai_query` preparation and a streamed,
 * interruptible execution on its own DuckDB connection. DML answers with Databricks' affected-row columns.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Identity } from "../auth/identity.js";
import { aiQueryLookup, prepareAiQueries, type ServingAccess } from "./ai-query.js";
import type { UnityCatalog } from "./catalog.js";
import { runCommand } from "./commands.js";
import { cellText, columnOf, duckName, type SqlColumn } from "./engine.js";
import { quoteIdent } from "./tokenize.js";
import { type ObjectRef, type ParamValue, SqlAnalysisError, translate } from "./translate.js";

export interface ExecutionDeps {
  uc: UnityCatalog;
  serving: (identity: Identity) => ServingAccess;
  aiQueryConcurrency?: number;
}

/** The cancellable state of a running statement (its record): the connection is set while a query runs. */
export interface ExecutionHandle {
  readonly cancelRequested: boolean;
  readonly abort: AbortController;
  conn?: DuckDBConnection;
}

export interface ExecutionScope {
  params: Map<string, ParamValue>;
  catalog: string;
  schema: string;
}

export type ExecutionOutcome =
  | { kind: "rows"; columns: SqlColumn[]; rows: (string | null)[][] }
  | { kind: "canceled" };

const CANCELED: ExecutionOutcome = { kind: "canceled" };

/** Executes `statement` for `identity`; throws SqlAnalysisError/ApiError/DuckDB errors on failure. */
export const executeStatement = async (
  deps: ExecutionDeps,
  h: ExecutionHandle,
  identity: Identity,
  statement: string,
  o: ExecutionScope,
): Promise<ExecutionOutcome> => {
  const { uc } = deps;
  if (!uc.catalogMeta(o.catalog)) {
    throw new SqlAnalysisError("NO_SUCH_CATALOG_EXCEPTION", "42704", `Catalog '${o.catalog}' was not found.`);
  }
  const command = await runCommand(statement, {
    uc,
    identity,
    params: o.params,
    catalog: o.catalog,
    schema: o.schema,
  });
  if (command) return { kind: "rows", columns: command.columns, rows: command.rows };
  const tr = translate(statement, {
    catalog: o.catalog.toLowerCase(),
    schema: o.schema.toLowerCase(),
    params: o.params,
    isCatalog: (n) => uc.catalogMeta(n) !== undefined,
    aiQueryReplacement: aiQueryLookup,
  });
  checkAccess(uc, identity, tr.refs);
  const conn = await uc.engine.connect();
  h.conn = conn;
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
      await prepareAiQueries(conn, tr.aiQueries, deps.serving(identity), {
        concurrency: deps.aiQueryConcurrency,
        signal: h.abort.signal,
        binds: tr.binds,
      });
    }
    if (h.cancelRequested) return CANCELED;
    const prepared = await conn.prepare(tr.sql);
    if (Object.keys(tr.binds).length > 0) prepared.bind(tr.binds);
    // Streamed chunk by chunk (2,048 rows each, fetched on DuckDB's threads): converting a large result never
    // holds the event loop for long.
    const result = await prepared.stream();
    const types = result.columnTypes();
    let columns = result.columnNames().map((n, i) => columnOf(n, i, types[i]!));
    let rows: (string | null)[][] = [];
    for await (const batch of result.yieldRowsJson()) {
      if (h.cancelRequested) return CANCELED;
      for (const r of batch as unknown[][]) rows.push(r.map(cellText));
    }
    if (h.cancelRequested) return CANCELED;
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
    noteDdl(uc, statement, tr.refs, identity);
    return { kind: "rows", columns, rows };
  } finally {
    h.conn = undefined;
    conn.closeSync();
  }
};

/** Refuses non-SQL function bodies, then checks USE CATALOG/USE SCHEMA and SELECT/MODIFY/EXECUTE per object. */
const checkAccess = (uc: UnityCatalog, identity: Identity, refs: ObjectRef[]) => {
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
};

/** Ownership bookkeeping for tables created or dropped by SQL. */
const noteDdl = (uc: UnityCatalog, statement: string, refs: ObjectRef[], identity: Identity) => {
  const head = statement.trim().slice(0, 80).toUpperCase();
  const target = refs.find((r) => r.kind === "table" && r.write);
  if (!target) return;
  if (/^CREATE\s+(OR\s+REPLACE\s+)?(TABLE|VIEW)/.test(head)) {
    if (!uc.snapshot.tables[target.fullName] || /OR\s+REPLACE/.test(head)) {
      uc.noteTableCreated(target.fullName, identity.name);
    }
  } else if (/^DROP\s+(TABLE|VIEW)/.test(head)) uc.noteTableDropped(target.fullName);
};
