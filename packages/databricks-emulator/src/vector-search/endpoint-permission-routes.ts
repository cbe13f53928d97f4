/** The Vector Search endpoint permissions routes (levels and checks in ./endpoint-acl.ts). */
import type { FastifyInstance } from "fastify";
import type { Ctx } from "../context.js";
import { notFound } from "../errors.js";
import { renderGrant, renderObjectPermissions } from "../permissions/acl.js";
import { registerPermissionRoutes } from "../permissions/routes.js";
import { LEVEL_DESCRIPTIONS, LEVELS, requireEndpointLevel } from "./endpoint-acl.js";
import type { VectorSearchStore } from "./store.js";
import type { VsEndpoint } from "./store-types.js";

export const registerVectorSearchEndpointPermissionRoutes = (
  app: FastifyInstance,
  ctx: Ctx,
  store: VectorSearchStore,
): void => {
  const displayName = (user: string) => ctx.auth.identityOf(user)?.displayName;
  registerPermissionRoutes(app, {
    path: "/api/2.0/permissions/vector-search-endpoints",
    find: (id): VsEndpoint => {
      for (const ep of store.endpoints.values()) if (ep.id === id) return ep;
      throw notFound(`Vector search endpoint with id ${id} does not exist.`);
    },
    require: requireEndpointLevel,
    read: "CAN_USE",
    manage: "CAN_MANAGE",
    levels: LEVELS,
    descriptions: LEVEL_DESCRIPTIONS,
    acl: (ep) => ep.acl,
    setAcl: (ep, acl) => store.setEndpointAcl(ep, acl),
    render: (ep) =>
      renderObjectPermissions(
        "vector-search-endpoints",
        ep.id,
        "vector-search-endpoints",
        ep.acl.map((a) => renderGrant(a, a.kind === "group_name" ? undefined : displayName(a.principal))),
      ),
  });
};
