/**
 * The emulator's SQL engine: one embedded DuckDB database per emulator (spec/sql.md "Engine").
 * Unity Catalog catalogs are DuckDB databases ATTACHed under their own name (a file per catalog under
 * `<dataDir>/sql/catalogs/`, or in memory); DuckDB reserves `main`, `temp`, `system` and `memory`, so those
 * catalogs get an internal alias (`duckName`). DuckDB's node API runs every query on its own worker threads, so
 * statements never block the HTTP server's event loop.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBResultReader,
  type DuckDBType,
  DuckDBTypeId,
} from "@duckdb/node-api";
import { quoteIdent, quoteString } from "./tokenize.js";

const RESERVED = new Set(["main", "temp", "system", "memory", "information_schema", "pg_catalog"]);

/** The DuckDB database name of a Unity Catalog catalog. */
export const duckName = (catalog: string): string => {
  const c = catalog.toLowerCase();
  return RESERVED.has(c) ? `${c}__uc` : c;
};

/** A column as Databricks reports it (statement manifests and `TableInfo.columns`). */
export interface SqlColumn {
  name: string;
  position: number;
  type_name: string;
  type_text: string;
  type_precision?: number;
  type_scale?: number;
  type_interval_type?: string;
}

/** Databricks type text for a DuckDB type (`ARRAY<FLOAT>`, `STRUCT<a: INT>`, `DECIMAL(10,2)`). */
export const typeText = (t: DuckDBType): string => {
  const any = t as DuckDBType & {
    valueType?: DuckDBType;
    entryNames?: string[];
    entryTypes?: DuckDBType[];
    keyType?: DuckDBType;
    width?: number;
    scale?: number;
  };
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return "BOOLEAN";
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.UTINYINT:
      return "TINYINT";
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.USMALLINT:
      return "SMALLINT";
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UINTEGER:
      return "INT";
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
      return "BIGINT";
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return "DECIMAL(38,0)";
    case DuckDBTypeId.FLOAT:
      return "FLOAT";
    case DuckDBTypeId.DOUBLE:
      return "DOUBLE";
    case DuckDBTypeId.DECIMAL:
      return `DECIMAL(${any.width},${any.scale})`;
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.UUID:
    case DuckDBTypeId.ENUM:
      return "STRING";
    case DuckDBTypeId.BLOB:
      return "BINARY";
    case DuckDBTypeId.DATE:
      return "DATE";
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return "TIMESTAMP_NTZ";
    case DuckDBTypeId.TIMESTAMP_TZ:
      return "TIMESTAMP";
    case DuckDBTypeId.INTERVAL:
      return "INTERVAL";
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return `ARRAY<${typeText(any.valueType!)}>`;
    case DuckDBTypeId.MAP:
      return `MAP<${typeText(any.keyType!)}, ${typeText(any.valueType!)}>`;
    case DuckDBTypeId.STRUCT:
      return `STRUCT<${any.entryNames!.map((n, i) => `${n}: ${typeText(any.entryTypes![i]!)}`).join(", ")}>`;
    case DuckDBTypeId.SQLNULL:
      return "VOID";
    default:
      return "STRING";
  }
};

/** `type_name` (the ColumnInfoTypeName enum) for a Databricks type text. */
export const typeNameOf = (text: string): string => {
  const head = /^[A-Z_]+/.exec(text.toUpperCase())?.[0] ?? "STRING";
  const map: Record<string, string> = {
    TINYINT: "BYTE",
    SMALLINT: "SHORT",
    INT: "INT",
    BIGINT: "LONG",
    VOID: "NULL",
    TIMESTAMP_NTZ: "TIMESTAMP_NTZ",
  };
  return map[head] ?? head;
};

export const columnOf = (name: string, position: number, t: DuckDBType): SqlColumn => {
  const text = typeText(t);
  const col: SqlColumn = { name, position, type_name: typeNameOf(text), type_text: text };
  const dec = /^DECIMAL\((\d+),(\d+)\)$/.exec(text);
  if (dec) {
    col.type_precision = Number(dec[1]);
    col.type_scale = Number(dec[2]);
  }
  if (text === "INTERVAL") col.type_interval_type = "DAY TO SECOND";
  return col;
};

/** Databricks type text (as written in SQL, parameters and UC function signatures) to a DuckDB type. */
export const duckTypeOf = (databricks: string): string => {
  const t = databricks.trim();
  const upper = t.toUpperCase();
  const generic = /^(ARRAY|MAP|STRUCT)\s*<(.*)>$/is.exec(t);
  if (generic) {
    const kind = generic[1]!.toUpperCase();
    const inner = splitTopLevel(generic[2]!, ",");
    if (kind === "ARRAY") return `${duckTypeOf(inner[0]!)}[]`;
    if (kind === "MAP") return `MAP(${duckTypeOf(inner[0]!)}, ${duckTypeOf(inner[1]!)})`;
    const fields = inner.map((f) => {
      const m = /^\s*`?([^`:\s]+)`?\s*:?\s*(.*)$/s.exec(f)!;
      const ty = m[2]!.replace(/\s+(NOT\s+NULL|COMMENT\s+'.*')\s*$/is, "");
      return `${quoteIdent(m[1]!)} ${duckTypeOf(ty)}`;
    });
    return `STRUCT(${fields.join(", ")})`;
  }
  const simple: Record<string, string> = {
    STRING: "VARCHAR",
    LONG: "BIGINT",
    BIGINT: "BIGINT",
    INT: "INTEGER",
    INTEGER: "INTEGER",
    SHORT: "SMALLINT",
    SMALLINT: "SMALLINT",
    BYTE: "TINYINT",
    TINYINT: "TINYINT",
    DOUBLE: "DOUBLE",
    FLOAT: "FLOAT",
    REAL: "FLOAT",
    BOOLEAN: "BOOLEAN",
    DATE: "DATE",
    TIMESTAMP: "TIMESTAMPTZ",
    TIMESTAMP_NTZ: "TIMESTAMP",
    BINARY: "BLOB",
    VOID: "VARCHAR",
    DECIMAL: "DECIMAL(10,0)",
    VARIANT: "JSON",
  };
  if (simple[upper]) return simple[upper];
  if (/^(DECIMAL|DEC|NUMERIC)\s*\(\s*\d+\s*(,\s*\d+\s*)?\)$/i.test(t))
    return t.replace(/^(DEC|NUMERIC)/i, "DECIMAL");
  if (/^(VARCHAR|CHAR)\s*\(\s*\d+\s*\)$/i.test(t)) return "VARCHAR";
  if (/^INTERVAL\b/i.test(t)) return "INTERVAL";
  throw new Error(`Unsupported data type '${databricks}'.`);
};

/** Splits at `sep` outside <>, (), and quotes. */
export const splitTopLevel = (s: string, sep: string): string[] => {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  let quote = "";
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = "";
    } else if (ch === "'" || ch === "`" || ch === '"') quote = ch;
    else if (ch === "<" || ch === "(") depth++;
    else if (ch === ">" || ch === ")") depth--;
    else if (ch === sep && depth === 0) {
      out.push(cur.trim());
      cur = "";
      continue;
    }
    cur += ch;
  }
  if (cur.trim() !== "") out.push(cur.trim());
  return out;
};

/** A value formatted as JSON_ARRAY formats it: every non-null value a string (spec/sql.md "Results"). */
export const cellText = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return JSON.stringify(v);
};

export interface EngineOptions {
  /** Directory for the catalog files; in memory when undefined. */
  dir?: string;
}

export class SqlEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly admin: DuckDBConnection,
    private readonly dir: string | undefined,
  ) {}

  static async open(options: EngineOptions = {}): Promise<SqlEngine> {
    let dir: string | undefined;
    if (options.dir) {
      dir = join(options.dir, "catalogs");
      mkdirSync(dir, { recursive: true });
    }
    // The primary database holds nothing of the user's (catalogs are attached); in memory either way.
    const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
    const admin = await instance.connect();
    return new SqlEngine(instance, admin, dir);
  }

  /** Attaches (creating when missing) the database behind a catalog. */
  async attachCatalog(catalog: string): Promise<void> {
    const name = duckName(catalog);
    const attached = await this.admin.runAndReadAll(
      `SELECT 1 FROM duckdb_databases() WHERE database_name = ${quoteString(name)}`,
    );
    if (attached.currentRowCount > 0) return;
    const path = this.dir
      ? join(this.dir, `${encodeURIComponent(catalog.toLowerCase())}.duckdb`)
      : ":memory:";
    await this.admin.run(`ATTACH ${quoteString(path)} AS ${quoteIdent(name)}`);
  }

  async detachCatalog(catalog: string): Promise<void> {
    await this.admin.run(`DETACH DATABASE IF EXISTS ${quoteIdent(duckName(catalog))}`);
  }

  /** A new connection (one per statement: own temp tables, own interrupt). */
  connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  /** Runs SQL on the shared admin connection (catalog metadata reads, DDL the emulator issues itself). */
  run(sql: string, values?: Record<string, string | number | boolean | null>): Promise<DuckDBResultReader> {
    return this.admin.runAndReadAll(sql, values);
  }

  close(): void {
    this.admin.closeSync();
    this.instance.closeSync();
  }
}
