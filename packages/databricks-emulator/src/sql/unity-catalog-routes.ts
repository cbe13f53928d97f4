/**
 * Unity Catalog routes under `/api/2.1/unity-catalog` (spec/sql.md "Unity Catalog"): catalogs, schemas, tables,
 * functions and permissions (grants), each checked per principal.
 */
import type { FastifyInstance } from "fastify";
import type { Identity } from "../auth/identity.js";
import { type Ctx, caller } from "../context.js";
import { ApiError, invalidParameter, permissionDenied } from "../errors.js";
import { jsonObject } from "../http/body.js";
import { isObject, type JsonObject } from "../util/json.js";
import { PRIVILEGES, type Privilege, type SecurableType, tableNotFound, threeLevel } from "./catalog.js";
import { createFunction, dropFunction, specFromInfo } from "./functions.js";
import { page, params, type Query } from "./query-params.js";
import { catalogInfo, providedInfo, schemaInfo, tableInfo } from "./unity-catalog-info.js";

const UC = "/api/2.1/unity-catalog";

const catalogNotFound = (c: string) =>
  new ApiError(404, "CATALOG_DOES_NOT_EXIST", `Catalog '${c}' does not exist.`);

export const registerUnityCatalogRoutes = (app: FastifyInstance, ctx: Ctx): void => {
  const uc = ctx.unityCatalog;

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
    if (!id.admin) throw permissionDenied("User does not have CREATE CATALOG on Metastore.");
    const b = jsonObject(req.body);
    if (typeof b.name !== "string") throw invalidParameter("name is required.");
    await uc.createCatalog(b.name, id.name, typeof b.comment === "string" ? b.comment : undefined);
    await uc.ensureSchema(b.name, "default", id.name);
    return catalogInfo(uc, b.name.toLowerCase());
  });
  app.get<{ Params: { name: string } }>(`${UC}/catalogs/:name`, async (req) => {
    const name = req.params.name.toLowerCase();
    if (!uc.catalogMeta(name)) throw catalogNotFound(name);
    if (!uc.canUse(caller(req), name))
      throw permissionDenied(`User does not have USE CATALOG on Catalog '${name}'.`);
    return catalogInfo(uc, name);
  });
  app.delete<{ Params: { name: string } }>(`${UC}/catalogs/:name`, async (req) => {
    if (!caller(req).admin) throw permissionDenied("Only admins can delete catalogs.");
    await uc.dropCatalog(req.params.name);
    return {};
  });

  app.get<{ Querystring: Query }>(`${UC}/schemas`, async (req) => {
    const c = params(req).catalog_name?.toLowerCase();
    if (!c) throw invalidParameter("catalog_name is required.");
    if (!uc.catalogMeta(c)) throw catalogNotFound(c);
    const id = caller(req);
    if (!uc.canUse(id, c)) throw permissionDenied(`User does not have USE CATALOG on Catalog '${c}'.`);
    const names = (await uc.schemaNames(c)).filter((s) => uc.canUse(id, c, s));
    return page(
      names.map((s) => schemaInfo(uc, c, s)),
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
      throw permissionDenied(`User does not have CREATE SCHEMA on Catalog '${c}'.`);
    }
    if ((await uc.schemaNames(c)).includes(b.name.toLowerCase())) {
      throw new ApiError(409, "SCHEMA_ALREADY_EXISTS", `Schema '${c}.${b.name}' already exists.`);
    }
    await uc.ensureSchema(c, b.name, id.name, typeof b.comment === "string" ? b.comment : undefined);
    return schemaInfo(uc, c, b.name.toLowerCase());
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
      throw permissionDenied(`User does not have USE SCHEMA on Schema '${c}.${s}'.`);
    return schemaInfo(uc, c, s);
  });

  app.get<{ Querystring: Query }>(`${UC}/tables`, async (req) => {
    const c = params(req).catalog_name?.toLowerCase();
    const s = params(req).schema_name?.toLowerCase();
    if (!c || !s) throw invalidParameter("catalog_name and schema_name are required.");
    const id = caller(req);
    if (!uc.catalogMeta(c)) throw catalogNotFound(c);
    if (!uc.canUse(id, c, s)) throw permissionDenied(`User does not have USE SCHEMA on Schema '${c}.${s}'.`);
    const tables = (await uc.listTables(c, s)).filter((t) => id.admin || uc.canSelect(id, t.fullName));
    const infos: JsonObject[] = [];
    for (const t of tables) {
      const info = await tableInfo(uc, t.fullName, params(req).omit_columns === "true");
      if (info) infos.push(info);
    }
    for (const t of uc.providedTables(c, s)) {
      if (id.admin || uc.canSelect(id, t.fullName)) infos.push(providedInfo(t)!);
    }
    return page(infos, params(req), "tables");
  });
  app.get<{ Params: { name: string } }>(`${UC}/tables/:name/exists`, async (req) => {
    threeLevel(req.params.name);
    const exists =
      (await uc.describeTable(req.params.name)) !== undefined ||
      uc.providedTable(req.params.name) !== undefined;
    return { table_exists: exists };
  });
  app.get<{ Params: { name: string } }>(`${UC}/tables/:name`, async (req) => {
    const [c, s] = threeLevel(req.params.name);
    const info = (await tableInfo(uc, req.params.name)) ?? providedInfo(uc.providedTable(req.params.name));
    if (!info) throw tableNotFound(req.params.name);
    const id = caller(req);
    if (!uc.canUse(id, c, s) || !(uc.canSelect(id, String(info.full_name)) || id.admin)) {
      throw permissionDenied(`User does not have SELECT on Table '${String(info.full_name)}'.`);
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
      throw permissionDenied(
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
      throw permissionDenied(`User is not the owner of Routine '${String(info.full_name)}'.`);
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
    if (!id.admin) throw permissionDenied("Only admins and owners can change grants.");
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
