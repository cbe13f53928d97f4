/**
 * Unity Catalog over the emulator's DuckDB engine: catalogs, schemas, tables, functions and grants
 * (spec/sql.md "Unity Catalog"). Other emulator services (Vector Search DELTA_SYNC indexes) read tables through
 * `readTable` and check access with `canSelect`/`requireSelect`; this API is kept small and stable:
 *
 *   ctx.unityCatalog.readTable("main.default.docs", { columns: ["id", "text"], principal })
 *     -> { columns: [{ name: "id", type: "BIGINT", typeName: "LONG" }, ...], rows: [[1, "hello"], ...] }
 */

import { randomUUID } from "node:crypto";
import type { Identity } from "../auth/identity.js";
import { DEFAULT_ADMIN } from "../auth/identity.js";
import { ApiError, invalidParameter, notFound, permissionDenied } from "../errors.js";
import { Persister } from "../state/persist.js";
import type { Clock } from "../util/clock.js";
import { applyGrantChanges, type GrantChange, hasPrivilege } from "./catalog-grants.js";
import {
  emptySnapshot,
  type FunctionRecord,
  type ObjectMeta,
  type Privilege,
  type ProvidedTable,
  type SecurableType,
  type SqlStateSnapshot,
  type TableData,
  type TableDescription,
  type TableProvider,
  tableNotFound,
  threeLevel,
} from "./catalog-types.js";
import { columnOf, duckName, SqlEngine } from "./engine.js";
import { quoteIdent, quoteString } from "./tokenize.js";

export type {
  FunctionRecord,
  ObjectMeta,
  Privilege,
  ProvidedTable,
  SecurableType,
  SqlStateSnapshot,
  TableColumn,
  TableData,
  TableDescription,
  TableProvider,
} from "./catalog-types.js";
export { PRIVILEGES, tableNotFound, threeLevel } from "./catalog-types.js";

const lower = (s: string) => s.toLowerCase();

/** Turns a JSON cell from DuckDB into a plain JS value for `readTable`. */
const jsValue = (v: unknown, typeName: string): unknown => {
  if (typeof v === "string" && (typeName === "LONG" || typeName === "DECIMAL" || typeName === "DOUBLE")) {
    const n = Number(v);
    return Number.isSafeInteger(n) || (typeName !== "LONG" && Number.isFinite(n)) ? n : v;
  }
  return v;
};

export class UnityCatalog {
  private readonly state: SqlStateSnapshot;
  private readonly providers: TableProvider[] = [];

  /**
   * Lets another service (Vector Search indexes) show its objects through `GET /api/2.1/unity-catalog/tables`.
   * Access follows the same grants as tables (USE CATALOG, USE SCHEMA, SELECT).
   */
  registerTableProvider(provider: TableProvider): void {
    this.providers.push(provider);
  }

  /** A provided table by full name (first provider that knows it). */
  providedTable(fullName: string): ProvidedTable | undefined {
    const key = threeLevel(fullName).join(".");
    for (const p of this.providers) {
      const t = p.get(key);
      if (t) return t;
    }
    return undefined;
  }

  providedTables(catalog: string, schema: string): ProvidedTable[] {
    return this.providers.flatMap((p) => p.list(catalog.toLowerCase(), schema.toLowerCase()));
  }
  private readonly persister: Persister;

  private constructor(
    readonly engine: SqlEngine,
    private readonly clock: Clock,
    dataDir: string | undefined,
  ) {
    this.persister = new Persister(dataDir, "unity-catalog.json");
    this.state = { ...emptySnapshot(), ...(this.persister.load<SqlStateSnapshot>() ?? {}) };
  }

  /** Opens the engine, attaches every known catalog and makes sure `main.default` exists. */
  static async open(clock: Clock, dataDir: string | undefined): Promise<UnityCatalog> {
    const engine = await SqlEngine.open({ dir: dataDir ? `${dataDir}/sql` : undefined });
    const uc = new UnityCatalog(engine, clock, dataDir ? `${dataDir}/sql` : undefined);
    for (const name of ["main", ...Object.keys(uc.state.catalogs)])
      await uc.ensureCatalog(name, DEFAULT_ADMIN);
    await uc.ensureSchema("main", "default", DEFAULT_ADMIN);
    return uc;
  }

  /** The mutable durable state (warehouses live here too); call `save()` after changing it. */
  get snapshot(): SqlStateSnapshot {
    return this.state;
  }

  save(): void {
    this.persister.save(this.state);
  }

  close(): void {
    this.engine.close();
  }

  private meta(owner: string, comment?: string): ObjectMeta {
    const m: ObjectMeta = { owner, created_at: this.clock.now(), created_by: owner, id: randomUUID() };
    if (comment) m.comment = comment;
    return m;
  }

  // ---- catalogs and schemas -------------------------------------------------------------------------

  async ensureCatalog(name: string, owner: string, comment?: string): Promise<ObjectMeta> {
    const key = lower(name);
    await this.engine.attachCatalog(key);
    if (!this.state.catalogs[key]) {
      this.state.catalogs[key] = this.meta(owner, comment);
      this.save();
    }
    return this.state.catalogs[key];
  }

  async createCatalog(name: string, owner: string, comment?: string): Promise<ObjectMeta> {
    if (!/^[A-Za-z0-9_-]+$/.test(name)) throw invalidParameter(`Invalid catalog name '${name}'.`);
    if (this.state.catalogs[lower(name)])
      throw new ApiError(409, "CATALOG_ALREADY_EXISTS", `Catalog '${name}' already exists.`);
    return this.ensureCatalog(name, owner, comment);
  }

  async dropCatalog(name: string): Promise<void> {
    const key = lower(name);
    if (!this.state.catalogs[key]) throw notFound(`Catalog '${name}' does not exist.`);
    await this.engine.detachCatalog(key);
    delete this.state.catalogs[key];
    this.save();
  }

  catalogNames(): string[] {
    return Object.keys(this.state.catalogs).sort();
  }

  catalogMeta(name: string): ObjectMeta | undefined {
    return this.state.catalogs[lower(name)];
  }

  async ensureSchema(catalog: string, schema: string, owner: string, comment?: string): Promise<void> {
    const c = lower(catalog);
    const s = lower(schema);
    if (!this.state.catalogs[c]) throw notFound(`Catalog '${catalog}' does not exist.`);
    await this.engine.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(duckName(c))}.${quoteIdent(s)}`);
    if (!this.state.schemas[`${c}.${s}`]) {
      this.state.schemas[`${c}.${s}`] = this.meta(owner, comment);
      this.save();
    }
  }

  /** Schema names of a catalog, from DuckDB (schemas created through SQL included). */
  async schemaNames(catalog: string): Promise<string[]> {
    const c = lower(catalog);
    if (!this.state.catalogs[c]) throw notFound(`Catalog '${catalog}' does not exist.`);
    const r = await this.engine.run(
      `SELECT schema_name FROM information_schema.schemata WHERE catalog_name = $c AND schema_name NOT IN ('information_schema', 'pg_catalog', 'main') ORDER BY 1`,
      { c: duckName(c) },
    );
    return (r.getRowsJson() as string[][]).map((x) => x[0]!);
  }

  schemaMeta(catalog: string, schema: string): ObjectMeta {
    const key = `${lower(catalog)}.${lower(schema)}`;
    return this.state.schemas[key] ?? this.meta(DEFAULT_ADMIN);
  }

  // ---- tables ---------------------------------------------------------------------------------------

  /** Tables (and views) of a schema with their columns, from DuckDB. */
  async listTables(catalog: string, schema: string): Promise<TableDescription[]> {
    const c = lower(catalog);
    const s = lower(schema);
    if (!this.state.catalogs[c]) throw notFound(`Catalog '${catalog}' does not exist.`);
    if (!(await this.schemaNames(c)).includes(s)) throw notFound(`Schema '${c}.${s}' does not exist.`);
    const r = await this.engine.run(
      `SELECT table_name, table_type FROM information_schema.tables WHERE table_catalog = $c AND table_schema = $s ORDER BY 1`,
      { c: duckName(c), s },
    );
    const out: TableDescription[] = [];
    for (const [name, type] of r.getRowsJson() as string[][]) {
      const t = await this.describeTable(`${c}.${s}.${name}`, type === "VIEW" ? "VIEW" : "MANAGED");
      if (t) out.push(t);
    }
    return out;
  }

  /** A table's description, or undefined when it does not exist. */
  async describeTable(
    fullName: string,
    knownType?: "MANAGED" | "VIEW",
  ): Promise<TableDescription | undefined> {
    const [c, s, t] = threeLevel(fullName);
    if (!this.state.catalogs[c]) return undefined;
    let tableType = knownType;
    if (!tableType) {
      const r = await this.engine.run(
        `SELECT table_type FROM information_schema.tables WHERE table_catalog = $c AND table_schema = $s AND lower(table_name) = $t`,
        { c: duckName(c), s, t },
      );
      const row = r.getRowsJson()[0];
      if (!row) return undefined;
      tableType = row[0] === "VIEW" ? "VIEW" : "MANAGED";
    }
    const q = await this.engine.run(`SELECT * FROM ${this.duckTable(c, s, t)} LIMIT 0`);
    const columns = q.columnNames().map((n, i) => columnOf(n, i, q.columnTypes()[i]!));
    const key = `${c}.${s}.${t}`;
    const meta = this.state.tables[key] ?? this.meta(DEFAULT_ADMIN);
    return { catalog: c, schema: s, name: t, fullName: key, tableType, columns, meta };
  }

  /** Records the owner of a table created through SQL (first creator wins until it is dropped). */
  noteTableCreated(fullName: string, owner: string): void {
    const [c, s, t] = threeLevel(fullName);
    const key = `${c}.${s}.${t}`;
    this.state.tables[key] = this.meta(owner);
    this.save();
  }

  noteTableDropped(fullName: string): void {
    const [c, s, t] = threeLevel(fullName);
    const key = `${c}.${s}.${t}`;
    delete this.state.tables[key];
    delete this.state.grants[`table:${key}`];
    this.save();
  }

  /** `catalog.schema.table` as DuckDB SQL. */
  duckTable(catalog: string, schema: string, table: string): string {
    return `${quoteIdent(duckName(catalog))}.${quoteIdent(schema)}.${quoteIdent(table)}`;
  }

  /**
   * Reads a table's rows (all columns, or the named ones in that order). With `principal`, requires USE CATALOG,
   * USE SCHEMA and SELECT (403 PERMISSION_DENIED otherwise). 404 TABLE_DOES_NOT_EXIST for an unknown table,
   * 400 for an unknown column.
   */
  async readTable(
    fullName: string,
    options: { columns?: string[]; principal?: Identity; limit?: number } = {},
  ): Promise<TableData> {
    const desc = await this.describeTable(fullName);
    if (!desc) throw tableNotFound(fullName);
    if (options.principal) this.requireSelect(options.principal, desc.fullName);
    const byName = new Map(desc.columns.map((c) => [c.name.toLowerCase(), c]));
    const cols = (options.columns ?? desc.columns.map((c) => c.name)).map((n) => {
      const col = byName.get(n.toLowerCase());
      if (!col) throw invalidParameter(`Column '${n}' does not exist in table '${desc.fullName}'.`);
      return col;
    });
    const limit = options.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(options.limit))}` : "";
    const r = await this.engine.run(
      `SELECT ${cols.map((c) => quoteIdent(c.name)).join(", ")} FROM ${this.duckTable(desc.catalog, desc.schema, desc.name)}${limit}`,
    );
    const rows = (r.getRowsJson() as unknown[][]).map((row) =>
      row.map((v, i) => jsValue(v, cols[i]!.type_name)),
    );
    return { columns: cols.map((c) => ({ name: c.name, type: c.type_text, typeName: c.type_name })), rows };
  }

  /** Creates a table from a file DuckDB can read (CSV, Parquet, JSON/NDJSON), replacing an existing one. */
  async loadTable(fullName: string, file: string, owner = DEFAULT_ADMIN): Promise<void> {
    const [c, s, t] = threeLevel(fullName);
    await this.ensureCatalog(c, owner);
    await this.ensureSchema(c, s, owner);
    const lowerFile = file.toLowerCase();
    const reader = lowerFile.endsWith(".parquet")
      ? "read_parquet"
      : /\.(json|jsonl|ndjson)$/.test(lowerFile)
        ? "read_json_auto"
        : lowerFile.endsWith(".csv") || lowerFile.endsWith(".tsv")
          ? "read_csv_auto"
          : undefined;
    if (!reader) throw invalidParameter(`Cannot load '${file}': use a .csv, .parquet, .json or .jsonl file.`);
    await this.engine.run(
      `CREATE OR REPLACE TABLE ${this.duckTable(c, s, t)} AS SELECT * FROM ${reader}(${quoteString(file)})`,
    );
    this.noteTableCreated(fullName, owner);
  }

  // ---- functions ------------------------------------------------------------------------------------

  getFunction(fullName: string): FunctionRecord | undefined {
    const [c, s, f] = threeLevel(fullName, "function");
    return this.state.functions[`${c}.${s}.${f}`];
  }

  putFunction(fullName: string, rec: FunctionRecord): void {
    const [c, s, f] = threeLevel(fullName, "function");
    this.state.functions[`${c}.${s}.${f}`] = rec;
    this.save();
  }

  deleteFunction(fullName: string): void {
    const [c, s, f] = threeLevel(fullName, "function");
    delete this.state.functions[`${c}.${s}.${f}`];
    delete this.state.grants[`function:${c}.${s}.${f}`];
    this.save();
  }

  listFunctions(catalog: string, schema: string): [string, FunctionRecord][] {
    const prefix = `${lower(catalog)}.${lower(schema)}.`;
    return Object.entries(this.state.functions)
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => a.localeCompare(b));
  }

  // ---- grants ---------------------------------------------------------------------------------------

  /** Privileges granted directly on an object, per principal. */
  grantsOn(type: SecurableType, fullName: string): Record<string, Privilege[]> {
    return this.state.grants[`${type}:${lower(fullName)}`] ?? {};
  }

  updateGrants(type: SecurableType, fullName: string, changes: GrantChange[]): Record<string, Privilege[]> {
    const key = `${type}:${lower(fullName)}`;
    const cur = applyGrantChanges(this.state.grants[key] ?? {}, changes);
    this.state.grants[key] = cur;
    this.save();
    return cur;
  }

  /** Whether `id` holds `priv` on the object (directly, through ALL_PRIVILEGES, a parent, ownership or admin). */
  has(id: Identity, type: SecurableType, fullName: string, priv: Privilege): boolean {
    return hasPrivilege(this.state, id, type, fullName, priv);
  }

  /** USE CATALOG + USE SCHEMA on the parents (what every access to an object needs first). */
  canUse(id: Identity, catalog: string, schema?: string): boolean {
    if (!this.has(id, "catalog", catalog, "USE_CATALOG")) return false;
    return schema === undefined || this.has(id, "schema", `${catalog}.${schema}`, "USE_SCHEMA");
  }

  canSelect(id: Identity, fullName: string): boolean {
    const [c, s] = threeLevel(fullName);
    return this.canUse(id, c, s) && this.has(id, "table", threeLevel(fullName).join("."), "SELECT");
  }

  requireSelect(id: Identity, fullName: string): void {
    if (!this.canSelect(id, fullName)) {
      throw permissionDenied(
        `User does not have SELECT on Table '${threeLevel(fullName).join(".")}' (or USE CATALOG/USE SCHEMA on its parents).`,
      );
    }
  }

  canExecute(id: Identity, fullName: string): boolean {
    const [c, s, f] = threeLevel(fullName, "function");
    return this.canUse(id, c, s) && this.has(id, "function", `${c}.${s}.${f}`, "EXECUTE");
  }
}
