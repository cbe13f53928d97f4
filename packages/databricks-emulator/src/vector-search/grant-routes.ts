/**
 * Vector Search index grants: the Unity Catalog permissions on the index securable (GET and PATCH
 * `/indexes/{name}/permissions`). Wire shapes: packages/databricks-emulator/spec/vector-search.md.
 */
import type { FastifyInstance } from "fastify";
import { caller } from "../context.js";
import { invalidParameter, notFound, permissionDenied } from "../errors.js";
import { jsonObject } from "../http/body.js";
import { isObject } from "../util/json.js";
import { VS_API as V } from "./paths.js";
import { renderGrants } from "./render.js";
import type { VectorSearchStore } from "./store.js";
import type { Privilege, VsIndexMeta } from "./store-types.js";

const PRIVS = new Set<Privilege>(["SELECT", "MODIFY", "ALL_PRIVILEGES"]);

export const registerVectorSearchGrantRoutes = (app: FastifyInstance, store: VectorSearchStore): void => {
  const indexForGrants = (name: string): VsIndexMeta => {
    const idx = store.indexes.get(name);
    if (!idx) throw notFound(`Table '${name}' does not exist.`);
    return idx;
  };
  app.get<{ Params: { name: string } }>(`${V}/indexes/:name/permissions`, async (req) =>
    renderGrants(indexForGrants(req.params.name)),
  );
  app.patch<{ Params: { name: string } }>(`${V}/indexes/:name/permissions`, async (req) => {
    const who = caller(req);
    const idx = indexForGrants(req.params.name);
    if (!store.can(idx, who, "ALL_PRIVILEGES")) {
      throw permissionDenied(`User ${who.name} cannot change grants on index ${idx.name}.`);
    }
    const changes = jsonObject(req.body).changes;
    if (!Array.isArray(changes))
      throw invalidParameter("changes must be a list of {principal, add, remove}.");
    for (const [i, c] of changes.entries()) {
      if (!isObject(c) || typeof c.principal !== "string" || c.principal === "") {
        throw invalidParameter(`changes[${i}].principal is required.`);
      }
      const list = (v: unknown, f: string): Privilege[] => {
        if (v === undefined) return [];
        if (!Array.isArray(v) || v.some((p) => !PRIVS.has(p as Privilege))) {
          throw invalidParameter(`changes[${i}].${f} must list SELECT, MODIFY or ALL_PRIVILEGES.`);
        }
        return v as Privilege[];
      };
      store.grant(idx, c.principal, list(c.add, "add"), list(c.remove, "remove"));
    }
    return renderGrants(idx);
  });
};
