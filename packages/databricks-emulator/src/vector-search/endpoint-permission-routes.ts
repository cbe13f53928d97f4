/** The Vector Search endpoint permissions routes (levels and checks in ./endpoint-acl.ts). */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { type Ctx, caller } from "../context.js";
import { notFound } from "../errors.js";
import { jsonObject } from "../http/body.js";
import {
  applyAcl,
  parseAcl,
  renderGrant,
  renderObjectPermissions,
  renderPermissionLevels,
} from "../permissions/acl.js";
import { LEVEL_DESCRIPTIONS, LEVELS, requireEndpointLevel } from "./endpoint-acl.js";
import type { VectorSearchStore } from "./store.js";
import type { VsEndpoint } from "./store-types.js";

export const registerVectorSearchEndpointPermissionRoutes = (
  app: FastifyInstance,
  ctx: Ctx,
  store: VectorSearchStore,
): void => {
  const PERM = "/api/2.0/permissions/vector-search-endpoints";
  const displayName = (user: string) => ctx.auth.identityOf(user)?.displayName;
  const byId = (id: string): VsEndpoint => {
    for (const ep of store.endpoints.values()) if (ep.id === id) return ep;
    throw notFound(`Vector search endpoint with id ${id} does not exist.`);
  };
  const render = (ep: VsEndpoint) =>
    renderObjectPermissions(
      "vector-search-endpoints",
      ep.id,
      "vector-search-endpoints",
      ep.acl.map((a) => renderGrant(a, a.kind === "group_name" ? undefined : displayName(a.principal))),
    );
  type IdReq = FastifyRequest<{ Params: { id: string } }>;

  app.get<{ Params: { id: string } }>(`${PERM}/:id`, async (req) => {
    const ep = byId(req.params.id);
    requireEndpointLevel(ep, caller(req), "CAN_USE");
    return render(ep);
  });
  const write = (merge: boolean) => async (req: IdReq) => {
    const ep = byId(req.params.id);
    requireEndpointLevel(ep, caller(req), "CAN_MANAGE");
    const acl = parseAcl(jsonObject(req.body).access_control_list ?? [], LEVELS, { maxPrincipalLength: 512 });
    store.setEndpointAcl(ep, applyAcl(ep.acl, acl, merge));
    return render(ep);
  };
  app.put<{ Params: { id: string } }>(`${PERM}/:id`, write(false));
  app.patch<{ Params: { id: string } }>(`${PERM}/:id`, write(true));
  app.get<{ Params: { id: string } }>(`${PERM}/:id/permissionLevels`, async (req) => {
    const ep = byId(req.params.id);
    requireEndpointLevel(ep, caller(req), "CAN_USE");
    return renderPermissionLevels(LEVEL_DESCRIPTIONS);
  });
};
