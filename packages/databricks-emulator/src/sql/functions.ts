/**
 * Unity Catalog functions (spec/sql.md "Functions"): `FunctionInfo` records created through the REST API or
 * `CREATE FUNCTION` SQL. SQL bodies become DuckDB macros in the function's catalog and schema (scalar macros, or
 * `AS TABLE` macros for `RETURNS TABLE`); other bodies (Python) are stored and listed but fail when called.
 */
import type { Identity } from "../auth/identity.js";
import { ApiError, invalidParameter } from "../errors.js";
import { isObject, type JsonObject } from "../util/json.js";
import type { UnityCatalog } from "./catalog.js";
import { splitTopLevel, typeNameOf } from "./engine.js";
import { quoteIdent } from "./tokenize.js";
import { type ParamValue, translate } from "./translate.js";

export interface FunctionParam {
  name: string;
  type_text: string;
  comment?: string;
  parameter_default?: string;
}

/** Spark JSON type (what `type_json` carries) for a Databricks type text. */
export const sparkType = (text: string): unknown => {
  const t = text.trim();
  const g = /^(ARRAY|MAP|STRUCT)\s*<(.*)>$/is.exec(t);
  if (g) {
    const inner = splitTopLevel(g[2]!, ",");
    const kind = g[1]!.toUpperCase();
    if (kind === "ARRAY") return { type: "array", elementType: sparkType(inner[0]!), containsNull: true };
    if (kind === "MAP") {
      return {
        type: "map",
        keyType: sparkType(inner[0]!),
        valueType: sparkType(inner[1]!),
        valueContainsNull: true,
      };
    }
    return {
      type: "struct",
      fields: inner.map((f) => {
        const m = /^\s*`?([^`:\s]+)`?\s*:?\s*(.*)$/s.exec(f)!;
        return { name: m[1], type: sparkType(m[2]!), nullable: true, metadata: {} };
      }),
    };
  }
  const u = t.toUpperCase();
  const simple: Record<string, string> = {
    STRING: "string",
    INT: "integer",
    INTEGER: "integer",
    BIGINT: "long",
    LONG: "long",
    SMALLINT: "short",
    SHORT: "short",
    TINYINT: "byte",
    BYTE: "byte",
    DOUBLE: "double",
    FLOAT: "float",
    BOOLEAN: "boolean",
    DATE: "date",
    TIMESTAMP: "timestamp",
    TIMESTAMP_NTZ: "timestamp_ntz",
    BINARY: "binary",
    VARIANT: "variant",
  };
  if (simple[u]) return simple[u];
  const dec = /^DECIMAL\s*\((\d+)\s*,\s*(\d+)\)$/i.exec(t);
  if (dec) return `decimal(${dec[1]},${dec[2]})`;
  if (/^INTERVAL/i.test(t)) return "interval";
  return t.toLowerCase();
};

const canonicalType = (text: string): string => {
  const u = text.trim().toUpperCase();
  return u === "INTEGER"
    ? "INT"
    : u === "LONG"
      ? "BIGINT"
      : u === "SHORT"
        ? "SMALLINT"
        : u === "BYTE"
          ? "TINYINT"
          : text.trim();
};

const paramInfo = (
  p: FunctionParam,
  position: number,
  parameterType: "PARAM" | "COLUMN" = "PARAM",
): JsonObject => {
  const type_text = canonicalType(p.type_text);
  const typeName = typeNameOf(type_text);
  const out: JsonObject = {
    name: p.name,
    type_text: type_text.toLowerCase(),
    type_name: typeName === "TIMESTAMP_NTZ" ? "TIMESTAMP_NTZ" : typeName,
    type_json: JSON.stringify({
      name: p.name,
      type: sparkType(type_text),
      nullable: true,
      metadata: p.comment ? { comment: p.comment } : {},
    }),
    position,
    parameter_mode: "IN",
    parameter_type: parameterType,
  };
  const dec = /^DECIMAL\s*\((\d+)\s*,\s*(\d+)\)$/i.exec(type_text);
  if (dec) {
    out.type_precision = Number(dec[1]);
    out.type_scale = Number(dec[2]);
  }
  if (p.comment !== undefined) out.comment = p.comment;
  if (p.parameter_default !== undefined) out.parameter_default = p.parameter_default;
  return out;
};

export interface CreateFunctionSpec {
  catalog: string;
  schema: string;
  name: string;
  params: FunctionParam[];
  /** Scalar return type text, or undefined for a table function. */
  returns?: string;
  /** Table function columns. */
  returnColumns?: FunctionParam[];
  language: "SQL" | string;
  body: string;
  comment?: string;
  deterministic?: boolean;
  replace?: boolean;
  ifNotExists?: boolean;
}

const params = new Map<string, ParamValue>();

/** Creates (or replaces) a function: metadata + DuckDB macro for SQL bodies. */
export const createFunction = async (
  uc: UnityCatalog,
  spec: CreateFunctionSpec,
  owner: Identity,
): Promise<JsonObject> => {
  const c = spec.catalog.toLowerCase();
  const s = spec.schema.toLowerCase();
  const n = spec.name.toLowerCase();
  const full = `${c}.${s}.${n}`;
  if (!uc.catalogMeta(c)) throw new ApiError(404, "CATALOG_DOES_NOT_EXIST", `Catalog '${c}' does not exist.`);
  if (!(await uc.schemaNames(c)).includes(s))
    throw new ApiError(404, "SCHEMA_DOES_NOT_EXIST", `Schema '${c}.${s}' does not exist.`);
  if (!owner.admin && !uc.has(owner, "schema", `${c}.${s}`, "CREATE_FUNCTION")) {
    throw new ApiError(403, "PERMISSION_DENIED", `User does not have CREATE FUNCTION on Schema '${c}.${s}'.`);
  }
  const existing = uc.getFunction(full);
  if (existing && !spec.replace) {
    if (spec.ifNotExists) return existing.info as JsonObject;
    throw new ApiError(409, "FUNCTION_ALREADY_EXISTS", `Function '${full}' already exists.`);
  }
  const isSql = spec.language.toUpperCase() === "SQL";
  if (isSql) {
    const ctx = { catalog: c, schema: s, params, isCatalog: (x: string) => uc.catalogMeta(x) !== undefined };
    const body = translate(spec.body, ctx).sql;
    const args = spec.params
      .map((p) =>
        p.parameter_default !== undefined
          ? `${quoteIdent(p.name)} := ${translate(p.parameter_default, ctx).sql}`
          : quoteIdent(p.name),
      )
      .join(", ");
    const target = `${uc.duckTable(c, s, n)}`;
    const sql = spec.returnColumns
      ? `CREATE OR REPLACE MACRO ${target}(${args}) AS TABLE (${body})`
      : `CREATE OR REPLACE MACRO ${target}(${args}) AS (${body})`;
    try {
      await uc.engine.run(sql);
    } catch (e) {
      throw invalidParameter(
        `Invalid SQL function body for '${full}': ${(e as Error).message.split("\n")[0]}`,
      );
    }
  }
  const now = Date.now();
  const info: JsonObject = {
    name: n,
    catalog_name: c,
    schema_name: s,
    full_name: full,
    input_params: { parameters: spec.params.map((p, i) => paramInfo(p, i)) },
    data_type: spec.returnColumns ? "TABLE_TYPE" : typeNameOf(canonicalType(spec.returns ?? "STRING")),
    full_data_type: spec.returnColumns
      ? spec.returnColumns.map((col) => `${col.name} ${canonicalType(col.type_text)}`).join(", ")
      : canonicalType(spec.returns ?? "STRING").toLowerCase(),
    routine_body: isSql ? "SQL" : "EXTERNAL",
    routine_definition: spec.body,
    parameter_style: "S",
    is_deterministic: spec.deterministic ?? true,
    sql_data_access: isSql ? (/\bFROM\b/i.test(spec.body) ? "READS_SQL_DATA" : "CONTAINS_SQL") : "NO_SQL",
    is_null_call: false,
    security_type: "DEFINER",
    specific_name: n,
    owner: owner.name,
    created_at: now,
    created_by: owner.name,
    updated_at: now,
    updated_by: owner.name,
    function_id: existing ? (existing.info.function_id as string) : crypto.randomUUID(),
    metastore_id: "00000000-0000-0000-0000-emulator0000",
  };
  if (spec.returnColumns)
    info.return_params = { parameters: spec.returnColumns.map((p, i) => paramInfo(p, i, "COLUMN")) };
  if (!isSql) info.external_language = spec.language.toUpperCase();
  if (spec.comment !== undefined) info.comment = spec.comment;
  uc.putFunction(full, { info });
  return info;
};

export const dropFunction = async (uc: UnityCatalog, full: string): Promise<void> => {
  const rec = uc.getFunction(full);
  if (!rec) throw new ApiError(404, "FUNCTION_DOES_NOT_EXIST", `Function '${full}' does not exist.`);
  const { catalog_name: c, schema_name: s, name: n, routine_body } = rec.info as Record<string, string>;
  if (routine_body === "SQL") {
    const kind = (rec.info.data_type as string) === "TABLE_TYPE" ? "MACRO TABLE" : "MACRO";
    await uc.engine.run(`DROP ${kind} IF EXISTS ${uc.duckTable(c!, s!, n!)}`).catch(() => undefined);
  }
  uc.deleteFunction(full);
};

/** CreateFunction (REST `function_info`) -> spec. */
export const specFromInfo = (fi: JsonObject): CreateFunctionSpec => {
  for (const k of [
    "name",
    "catalog_name",
    "schema_name",
    "routine_body",
    "routine_definition",
    "full_data_type",
  ]) {
    if (typeof fi[k] !== "string" || fi[k] === "") throw invalidParameter(`function_info.${k} is required.`);
  }
  const ps =
    isObject(fi.input_params) && Array.isArray(fi.input_params.parameters) ? fi.input_params.parameters : [];
  const toParam = (p: unknown, i: number): FunctionParam => {
    if (!isObject(p) || typeof p.name !== "string" || typeof p.type_text !== "string") {
      throw invalidParameter(`input_params.parameters[${i}] needs name and type_text.`);
    }
    const out: FunctionParam = { name: p.name, type_text: p.type_text };
    if (typeof p.comment === "string") out.comment = p.comment;
    if (typeof p.parameter_default === "string") out.parameter_default = p.parameter_default;
    return out;
  };
  const isTable = fi.data_type === "TABLE_TYPE";
  const rps =
    isObject(fi.return_params) && Array.isArray(fi.return_params.parameters)
      ? fi.return_params.parameters
      : [];
  const body = String(fi.routine_body);
  if (body !== "SQL" && body !== "EXTERNAL")
    throw invalidParameter("function_info.routine_body must be SQL or EXTERNAL.");
  return {
    catalog: String(fi.catalog_name),
    schema: String(fi.schema_name),
    name: String(fi.name),
    params: ps.map(toParam),
    returns: isTable ? undefined : String(fi.full_data_type),
    returnColumns: isTable ? rps.map(toParam) : undefined,
    language: body === "SQL" ? "SQL" : String(fi.external_language ?? "PYTHON"),
    body: String(fi.routine_definition),
    comment: typeof fi.comment === "string" ? fi.comment : undefined,
    deterministic: fi.is_deterministic !== false,
  };
};
