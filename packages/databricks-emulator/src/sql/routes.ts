/**
 * SQL routes (spec/sql.md): `/api/2.0/sql/warehouses`, `/api/2.0/sql/statements`, the public external-link
 * downloads, and Unity Catalog browsing, functions and permissions under `/api/2.1/unity-catalog`.
 */

import type { ServerResponse } from "node:http";
import { PassThrough } from "node:stream";
import type { FastifyInstance } from "fastify";
import type { Identity } from "../auth/identity.js";
import { type Ctx, caller } from "../context.js";
import { serveQuery } from "../data/dispatch.js";
import { ApiError, invalidParameter } from "../errors.js";
import { jsonObject } from "../http/body.js";
import { isObject, type JsonObject } from "../util/json.js";
import type { ServingAccess } from "./ai-query.js";
import { PRIVILEGES, type Privilege, type SecurableType, threeLevel, type UnityCatalog } from "./catalog.js";
import { createFunction, dropFunction, sparkType, specFromInfo } from "./functions.js";
import { RESULT_LINK_PREFIX, type StatementOptions, StatementStore } from "./statements.js";
import { WarehouseStore } from "./warehouses.js";

type Query = Record<string, string | undefined>;

/** Query parameters, plus a JSON body's fields: the SDKs send some GET parameters in a body (spec/sql.md). */
const params = (req: { query: unknown; body: unknown }): Query => {
  let body: Record<string, unknown> = {};
  try {
    body = jsonObject(req.body);
  } catch {
    body = {};
  }
  const out: Query = {};
  for (const [k, v] of Object.entries(body)) if (v !== undefined && v !== null) out[k] = String(v);
  return { ...out, ...(req.query as Query) };
};
const WH = "/api/2.0/sql/warehouses";
const ST = "/api/2.0/sql/statements";
const UC = "/api/2.1/unity-catalog";

/** In-process serving access for ai_query: the same path as HTTP queries (CAN QUERY, readiness, engines). */
const servingFor =
  (ctx: Ctx) =>
  (identity: Identity): ServingAccess => ({
    taskOf: (name) => ctx.endpoints.get(name).task,
    query: async (name, body) => {
      const res = new PassThrough() as unknown as ServerResponse;
      const answer = await serveQuery(
        ctx,
        { identity, res, requestId: "ai_query", fault: null },
        name,
        body,
        { route: "invocations" },
      );
      if (answer.kind !== "json") throw new Error(`Endpoint '${name}' answered with a stream.`);
      return answer.body;
    },
  });

export interface SqlService {
  warehouses: WarehouseStore;
  statements: StatementStore;
  defaultWarehouseId: string;
}

/** Builds the warehouse and statement stores (called once by `startEmulator`). */
export const createSqlService = (
  ctx: Ctx,
  options: StatementOptions & { transitionMs: number; creator: string },
): SqlService => {
  const warehouses = new WarehouseStore(ctx.unityCatalog, ctx.clock, options.transitionMs, ctx.baseUrl);
  const defaultWarehouseId = warehouses.ensureDefault(options.creator);
  const statements = new StatementStore({
    uc: ctx.unityCatalog,
    warehouses,
    clock: ctx.clock,
    serving: servingFor(ctx),
    baseUrl: ctx.baseUrl,
    options,
  });
  return { warehouses, statements, defaultWarehouseId };
};

const page = <T>(items: T[], q: Query, key: string): JsonObject => {
  const max = q.max_results === undefined ? 0 : Number(q.max_results);
  if (!Number.isInteger(max) || max < 0)
    throw invalidParameter("max_results must be a non-negative integer.");
  const start = q.page_token ? Number(Buffer.from(q.page_token, "base64url").toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalidParameter("Invalid page_token.");
  const size = max === 0 ? 1000 : max;
  const slice = items.slice(start, start + size);
  const out: JsonObject = {};
  if (slice.length > 0) out[key] = slice as unknown as JsonObject[];
  if (start + size < items.length)
    out.next_page_token = Buffer.from(String(start + size)).toString("base64url");
  return out;
};

const catalogInfo = (uc: UnityCatalog, name: string): JsonObject => {
  const m = uc.catalogMeta(name)!;
  const out: JsonObject = {
    name,
    full_name: name,
    owner: m.owner,
    catalog_type: "MANAGED_CATALOG",
    created_at: m.created_at,
    created_by: m.created_by,
    metastore_id: "00000000-0000-0000-0000-emulator0000",
    id: m.id,
    properties: {},
    securable_type: "CATALOG",
    isolation_mode: "OPEN",
  };
  if (m.comment) out.comment = m.comment;
  return out;
};

export const registerSqlRoutes = (app: FastifyInstance, ctx: Ctx, sql: SqlService): void => {
  const { warehouses, statements } = sql;
  const uc = ctx.unityCatalog;

  // ---- warehouses ----
  app.get<{ Querystring: Query }>(WH, async () => {
    const list = warehouses.list();
    return list.length === 0 ? {} : { warehouses: list };
  });
  app.post(WH, async (req) => ({ id: warehouses.create(jsonObject(req.body), caller(req).name) }));
  app.get<{ Params: { id: string } }>(`${WH}/:id`, async (req) => warehouses.render(req.params.id));
  app.post<{ Params: { id: string } }>(`${WH}/:id/edit`, async (req) => {
    warehouses.edit(req.params.id, jsonObject(req.body));
    return {};
  });
  app.post<{ Params: { id: string } }>(`${WH}/:id/start`, async (req) => {
    warehouses.start(req.params.id);
    return {};
  });
  app.post<{ Params: { id: string } }>(`${WH}/:id/stop`, async (req) => {
    warehouses.stop(req.params.id);
    return {};
  });
  app.delete<{ Params: { id: string } }>(`${WH}/:id`, async (req) => {
    warehouses.delete(req.params.id);
    return {};
  });

  // ---- statements ----
  app.post(ST, async (req) => statements.execute(jsonObject(req.body), caller(req)));
  app.get<{ Params: { id: string } }>(`${ST}/:id`, async (req) =>
    statements.status(req.params.id, caller(req)),
  );
  app.get<{ Params: { id: string; n: string } }>(`${ST}/:id/result/chunks/:n`, async (req) =>
    statements.chunk(req.params.id, Number(req.params.n), caller(req)),
  );
  app.post<{ Params: { id: string } }>(`${ST}/:id/cancel`, async (req) => {
    statements.cancel(req.params.id, caller(req));
    return {};
  });
  app.get<{ Params: { id: string; n: string }; Querystring: Query }>(
    `${RESULT_LINK_PREFIX}/:id/:n`,
    { config: { public: true } },
    async (req, reply) => {
      const r = statements.download(
        req.params.id,
        Number(req.params.n),
        params(req),
        req.headers.authorization,
      );
      reply.code(r.status).type(r.type);
      return r.body;
    },
  );

  // ---- Unity Catalog: catalogs, schemas, tables ----
  app.get<{ Querystring: Query }>(`${UC}/catalogs`, async (req) => {
    const id = caller(req);
    const names = uc.catalogNames().filter((c) => uc.canUse(id, c) || id.admin);
    return page(
      names.map((n) => catalogInfo(uc, n)),
      params(req),
      "catalogs",
    );
  });
  app.post(`${UC}/catalogs`, async (req) => {
    const id = caller(req);
    if (!id.admin)
      throw new ApiError(403, "PERMISSION_DENIED", "User does not have CREATE CATALOG on Metastore.");
    const b = jsonObject(req.body);
    if (typeof b.name !== "string") throw invalidParameter("name is required.");
    await uc.createCatalog(b.name, id.name, typeof b.comment === "string" ? b.comment : undefined);
    await uc.ensureSchema(b.name, "default", id.name);
    return catalogInfo(uc, b.name.toLowerCase());
  });
  app.get<{ Params: { name: string } }>(`${UC}/catalogs/:name`, async (req) => {
    const name = req.params.name.toLowerCase();
    if (!uc.catalogMeta(name))
      throw new ApiError(404, "CATALOG_DOES_NOT_EXIST", `Catalog '${name}' does not exist.`);
    if (!uc.canUse(caller(req), name))
      throw new ApiError(403, "PERMISSION_DENIED", `User does not have USE CATALOG on Catalog '${name}'.`);
    return catalogInfo(uc, name);
  });
  app.delete<{ Params: { name: string } }>(`${UC}/catalogs/:name`, async (req) => {
    if (!caller(req).admin) throw new ApiError(403, "PERMISSION_DENIED", "Only admins can delete catalogs.");
    await uc.dropCatalog(req.params.name);
    return {};
  });

  const schemaInfo = (c: string, s: string): JsonObject => {
    const m = uc.schemaMeta(c, s);
    const out: JsonObject = {
      name: s,
      catalog_name: c,
      full_name: `${c}.${s}`,
      owner: m.owner,
      created_at: m.created_at,
      created_by: m.created_by,
      schema_id: m.id,
      metastore_id: "00000000-0000-0000-0000-emulator0000",
      catalog_type: "MANAGED_CATALOG",
      properties: {},
    };
    if (m.comment) out.comment = m.comment;
    return out;
  };
  app.get<{ Querystring: Query }>(`${UC}/schemas`, async (req) => {
    const c = params(req).catalog_name?.toLowerCase();
    if (!c) throw invalidParameter("catalog_name is required.");
    if (!uc.catalogMeta(c))
      throw new ApiError(404, "CATALOG_DOES_NOT_EXIST", `Catalog '${c}' does not exist.`);
    const id = caller(req);
    if (!uc.canUse(id, c))
      throw new ApiError(403, "PERMISSION_DENIED", `User does not have USE CATALOG on Catalog '${c}'.`);
    const names = (await uc.schemaNames(c)).filter((s) => uc.canUse(id, c, s));
    return page(
      names.map((s) => schemaInfo(c, s)),
      params(req),
      "schemas",
    );
  });
  app.post(`${UC}/schemas`, async (req) => {
    const id = caller(req);
    const b = jsonObject(req.body);
    if (typeof b.name !== "string" || typeof b.catalog_name !== "string")
      throw invalidParameter("name and catalog_name are required.");
    const c = b.catalog_name.toLowerCase();
    if (!id.admin && !uc.has(id, "catalog", c, "CREATE_SCHEMA")) {
      throw new ApiError(403, "PERMISSION_DENIED", `User does not have CREATE SCHEMA on Catalog '${c}'.`);
    }
    if ((await uc.schemaNames(c)).includes(b.name.toLowerCase())) {
      throw new ApiError(409, "SCHEMA_ALREADY_EXISTS", `Schema '${c}.${b.name}' already exists.`);
    }
    await uc.ensureSchema(c, b.name, id.name, typeof b.comment === "string" ? b.comment : undefined);
    return schemaInfo(c, b.name.toLowerCase());
  });
  app.get<{ Params: { name: string } }>(`${UC}/schemas/:name`, async (req) => {
    const parts = req.params.name.toLowerCase().split(".");
    if (parts.length !== 2)
      throw invalidParameter(`Invalid schema name '${req.params.name}': expected catalog.schema.`);
    const [c, s] = parts as [string, string];
    if (!uc.catalogMeta(c) || !(await uc.schemaNames(c)).includes(s)) {
      throw new ApiError(404, "SCHEMA_DOES_NOT_EXIST", `Schema '${c}.${s}' does not exist.`);
    }
    if (!uc.canUse(caller(req), c, s))
      throw new ApiError(403, "PERMISSION_DENIED", `User does not have USE SCHEMA on Schema '${c}.${s}'.`);
    return schemaInfo(c, s);
  });

  const tableInfo = async (full: string, omitColumns = false): Promise<JsonObject | undefined> => {
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
      metastore_id: "00000000-0000-0000-0000-emulator0000",
      properties: {},
    };
    if (!omitColumns) {
      out.columns = t.columns.map((c) => ({
        name: c.name,
        type_text: c.type_text.toLowerCase(),
        type_name: c.type_name,
        type_json: JSON.stringify({
          name: c.name,
          type: sparkType(c.type_text),
          nullable: true,
          metadata: {},
        }),
        position: c.position,
        nullable: true,
        ...(c.type_precision !== undefined
          ? { type_precision: c.type_precision, type_scale: c.type_scale }
          : {}),
      })) as unknown as JsonObject[];
    }
    return out;
  };
  app.get<{ Querystring: Query }>(`${UC}/tables`, async (req) => {
    const c = params(req).catalog_name?.toLowerCase();
    const s = params(req).schema_name?.toLowerCase();
    if (!c || !s) throw invalidParameter("catalog_name and schema_name are required.");
    const id = caller(req);
    if (!uc.catalogMeta(c))
      throw new ApiError(404, "CATALOG_DOES_NOT_EXIST", `Catalog '${c}' does not exist.`);
    if (!uc.canUse(id, c, s))
      throw new ApiError(403, "PERMISSION_DENIED", `User does not have USE SCHEMA on Schema '${c}.${s}'.`);
    const tables = (await uc.listTables(c, s)).filter((t) => id.admin || uc.canSelect(id, t.fullName));
    const infos: JsonObject[] = [];
    for (const t of tables) {
      const info = await tableInfo(t.fullName, params(req).omit_columns === "true");
      if (info) infos.push(info);
    }
    return page(infos, params(req), "tables");
  });
  app.get<{ Params: { name: string } }>(`${UC}/tables/:name/exists`, async (req) => {
    threeLevel(req.params.name);
    return { table_exists: (await uc.describeTable(req.params.name)) !== undefined };
  });
  app.get<{ Params: { name: string } }>(`${UC}/tables/:name`, async (req) => {
    const [c, s] = threeLevel(req.params.name);
    const info = await tableInfo(req.params.name);
    if (!info) throw new ApiError(404, "TABLE_DOES_NOT_EXIST", `Table '${req.params.name}' does not exist.`);
    const id = caller(req);
    if (!uc.canUse(id, c, s) || !(uc.canSelect(id, String(info.full_name)) || id.admin)) {
      throw new ApiError(
        403,
        "PERMISSION_DENIED",
        `User does not have SELECT on Table '${String(info.full_name)}'.`,
      );
    }
    return info;
  });

  // ---- functions ----
  app.post(`${UC}/functions`, async (req) => {
    const b = jsonObject(req.body);
    if (!isObject(b.function_info)) throw invalidParameter("function_info is required.");
    return createFunction(uc, specFromInfo(b.function_info), caller(req));
  });
  const visibleFunction = (id: Identity, full: string): JsonObject => {
    const rec = uc.getFunction(full);
    if (!rec) throw new ApiError(404, "FUNCTION_DOES_NOT_EXIST", `Function '${full}' does not exist.`);
    const [c, s] = threeLevel(full, "function");
    const owner = rec.info.owner === id.name;
    if (!owner && !(uc.canUse(id, c, s) && uc.has(id, "function", full, "EXECUTE"))) {
      throw new ApiError(
        403,
        "PERMISSION_DENIED",
        `User does not have EXECUTE on Routine '${threeLevel(full, "function").join(".")}'.`,
      );
    }
    return rec.info as JsonObject;
  };
  app.get<{ Params: { name: string } }>(`${UC}/functions/:name`, async (req) =>
    visibleFunction(caller(req), req.params.name),
  );
  app.get<{ Querystring: Query }>(`${UC}/functions`, async (req) => {
    const c = params(req).catalog_name;
    const s = params(req).schema_name;
    if (!c || !s) throw invalidParameter("catalog_name and schema_name are required.");
    const id = caller(req);
    const infos = uc
      .listFunctions(c, s)
      .filter(
        ([full, r]) =>
          id.admin ||
          r.info.owner === id.name ||
          (uc.canUse(id, c, s) && uc.has(id, "function", full, "EXECUTE")),
      )
      .map(([, r]) => r.info);
    return page(infos, params(req), "functions");
  });
  app.delete<{ Params: { name: string } }>(`${UC}/functions/:name`, async (req) => {
    const id = caller(req);
    const info = visibleFunction(id, req.params.name);
    if (!id.admin && info.owner !== id.name) {
      throw new ApiError(
        403,
        "PERMISSION_DENIED",
        `User is not the owner of Routine '${String(info.full_name)}'.`,
      );
    }
    await dropFunction(uc, String(info.full_name));
    return {};
  });

  // ---- permissions (grants) ----
  const securable = (raw: string): SecurableType => {
    const t = raw.toLowerCase();
    if (t === "catalog" || t === "schema" || t === "table" || t === "function") return t;
    throw invalidParameter(`Unsupported securable type '${raw}': use catalog, schema, table or function.`);
  };
  const assignments = (g: Record<string, Privilege[]>): JsonObject => {
    const list = Object.entries(g).map(([principal, privileges]) => ({ principal, privileges }));
    return list.length === 0 ? {} : { privilege_assignments: list };
  };
  app.get<{ Params: { type: string; name: string } }>(`${UC}/permissions/:type/:name`, async (req) => {
    const type = securable(req.params.type);
    caller(req);
    return assignments(uc.grantsOn(type, req.params.name));
  });
  app.patch<{ Params: { type: string; name: string } }>(`${UC}/permissions/:type/:name`, async (req) => {
    const type = securable(req.params.type);
    const id = caller(req);
    if (!id.admin) throw new ApiError(403, "PERMISSION_DENIED", "Only admins and owners can change grants.");
    const b = jsonObject(req.body);
    if (!Array.isArray(b.changes)) throw invalidParameter("changes must be a list.");
    const changes = b.changes.map((ch, i) => {
      if (!isObject(ch) || typeof ch.principal !== "string")
        throw invalidParameter(`changes[${i}].principal is required.`);
      const privs = (v: unknown): Privilege[] => {
        if (v === undefined) return [];
        if (!Array.isArray(v)) throw invalidParameter(`changes[${i}] add/remove must be lists.`);
        return v.map((p) => {
          const norm = String(p).toUpperCase().replace(/ /g, "_");
          if (!PRIVILEGES.includes(norm as Privilege))
            throw invalidParameter(`Unknown privilege '${String(p)}'.`);
          return norm as Privilege;
        });
      };
      return { principal: ch.principal, add: privs(ch.add), remove: privs(ch.remove) };
    });
    return assignments(uc.updateGrants(type, req.params.name, changes));
  });
};
