/**
 * Unity Catalog response shapes (spec/sql.md "Unity Catalog"): CatalogInfo, SchemaInfo and TableInfo (DuckDB
 * tables and tables provided by other services, e.g. Vector Search indexes).
 */
import type { JsonObject } from "../util/json.js";
import type { ProvidedTable, UnityCatalog } from "./catalog.js";
import { sparkType } from "./functions.js";

const METASTORE_ID = "00000000-0000-0000-0000-emulator0000";

/** A column's `type_json` (the Spark StructField JSON). */
const typeJson = (name: string, typeText: string, metadata: Record<string, string> = {}): string =>
  JSON.stringify({ name, type: sparkType(typeText), nullable: true, metadata });

export const catalogInfo = (uc: UnityCatalog, name: string): JsonObject => {
  const m = uc.catalogMeta(name)!;
  const out: JsonObject = {
    name,
    full_name: name,
    owner: m.owner,
    catalog_type: "MANAGED_CATALOG",
    created_at: m.created_at,
    created_by: m.created_by,
    metastore_id: METASTORE_ID,
    id: m.id,
    properties: {},
    securable_type: "CATALOG",
    isolation_mode: "OPEN",
  };
  if (m.comment) out.comment = m.comment;
  return out;
};

export const schemaInfo = (uc: UnityCatalog, c: string, s: string): JsonObject => {
  const m = uc.schemaMeta(c, s);
  const out: JsonObject = {
    name: s,
    catalog_name: c,
    full_name: `${c}.${s}`,
    owner: m.owner,
    created_at: m.created_at,
    created_by: m.created_by,
    schema_id: m.id,
    metastore_id: METASTORE_ID,
    catalog_type: "MANAGED_CATALOG",
    properties: {},
  };
  if (m.comment) out.comment = m.comment;
  return out;
};

/** TableInfo of a DuckDB table or view, or undefined when it does not exist. */
export const tableInfo = async (
  uc: UnityCatalog,
  full: string,
  omitColumns = false,
): Promise<JsonObject | undefined> => {
  const t = await uc.describeTable(full);
  if (!t) return undefined;
  const out: JsonObject = {
    name: t.name,
    catalog_name: t.catalog,
    schema_name: t.schema,
    full_name: t.fullName,
    table_type: t.tableType,
    data_source_format: "DELTA",
    owner: t.meta.owner,
    created_at: t.meta.created_at,
    created_by: t.meta.created_by,
    table_id: t.meta.id,
    metastore_id: METASTORE_ID,
    properties: {},
  };
  if (!omitColumns) {
    out.columns = t.columns.map((c) => ({
      name: c.name,
      type_text: c.type_text.toLowerCase(),
      type_name: c.type_name,
      type_json: typeJson(c.name, c.type_text),
      position: c.position,
      nullable: true,
      ...(c.type_precision !== undefined
        ? { type_precision: c.type_precision, type_scale: c.type_scale }
        : {}),
    })) as unknown as JsonObject[];
  }
  return out;
};

/** TableInfo of a table another service provides. */
export const providedInfo = (t: ProvidedTable | undefined): JsonObject | undefined => {
  if (!t) return undefined;
  const [catalog, schema, name] = t.fullName.split(".");
  const out: JsonObject = {
    name: name!,
    catalog_name: catalog!,
    schema_name: schema!,
    full_name: t.fullName,
    table_type: t.tableType ?? "MANAGED",
    data_source_format: t.dataSourceFormat ?? "DELTA",
    owner: t.owner ?? "admin@emulator.local",
    properties: {},
    columns: t.columns.map((c, position) => ({
      name: c.name,
      type_text: c.type_text,
      type_name: c.type_name,
      type_json: typeJson(c.name, c.type_text, c.comment ? { comment: c.comment } : {}),
      position,
      nullable: true,
      ...(c.comment !== undefined ? { comment: c.comment } : {}),
    })) as unknown as JsonObject[],
  };
  if (t.comment) out.comment = t.comment;
  return out;
};
