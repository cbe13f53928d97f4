/**
 * Vector Search endpoint permissions (`/api/2.0/permissions/vector-search-endpoints/{endpoint_id}`), built on the
 * shared Permissions API code in control/permissions.ts. Levels CAN_USE < CAN_MANAGE; the creator holds CAN_MANAGE
 * and admins inherit it. CAN_USE lets a principal create indexes on the endpoint; CAN_MANAGE also deletes it and
 * changes its permissions. Facts: packages/databricks-emulator/spec/vector-search.md.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Identity } from "../auth/identity.js";
import { type Ctx, caller } from "../context.js";
import {
  type AclEntryOf,
  type AclKind,
  mergeAcl,
  parseAclOf,
  permissionLevelsOf,
  renderAclOf,
  requireLevelOf,
} from "../control/permissions.js";
import { notFound } from "../errors.js";
import { jsonObject } from "../http/body.js";
import type { VectorSearchStore } from "./store.js";
import type { VsEndpoint } from "./store-types.js";

export type VsEndpointLevel = "CAN_USE" | "CAN_MANAGE";
export type VsEndpointAclEntry = AclEntryOf<VsEndpointLevel>;

export const VS_ENDPOINT_ACL: AclKind<VsEndpointLevel> = {
  levels: ["CAN_USE", "CAN_MANAGE"],
  prefix: "/vector-search-endpoints",
  objectType: "vector-search-endpoints",
  noun: "vector search endpoint",
  descriptions: {
    CAN_MANAGE: "Can manage the endpoint: create indexes on it, change its permissions and delete it",
    CAN_USE: "Can use the endpoint: create indexes on it",
  },
};

/** The ACL a new endpoint starts with: its creator at CAN_MANAGE. */
export const creatorAcl = (who: Pick<Identity, "kind" | "name">): VsEndpointAclEntry[] => [
  {
    kind: who.kind === "user" ? "user_name" : "service_principal_name",
    principal: who.name,
    level: "CAN_MANAGE",
  },
];

/** Throws 403 PERMISSION_DENIED unless `who` holds `need` on the endpoint (admins hold CAN_MANAGE). */
export const requireEndpointLevel = (ep: VsEndpoint, who: Identity, need: VsEndpointLevel): void => {
  requireLevelOf(VS_ENDPOINT_ACL, ep, who, need);
};

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
  type IdReq = FastifyRequest<{ Params: { id: string } }>;

  app.get<{ Params: { id: string } }>(`${PERM}/:id`, async (req) => {
    const ep = byId(req.params.id);
    requireEndpointLevel(ep, caller(req), "CAN_USE");
    return renderAclOf(VS_ENDPOINT_ACL, ep, displayName);
  });
  const write = (merge: boolean) => async (req: IdReq) => {
    const ep = byId(req.params.id);
    requireEndpointLevel(ep, caller(req), "CAN_MANAGE");
    const acl = parseAclOf(VS_ENDPOINT_ACL, jsonObject(req.body).access_control_list ?? []);
    store.setEndpointAcl(ep, merge ? mergeAcl(ep.acl, acl) : acl);
    return renderAclOf(VS_ENDPOINT_ACL, ep, displayName);
  };
  app.put<{ Params: { id: string } }>(`${PERM}/:id`, write(false));
  app.patch<{ Params: { id: string } }>(`${PERM}/:id`, write(true));
  app.get<{ Params: { id: string } }>(`${PERM}/:id/permissionLevels`, async (req) => {
    const ep = byId(req.params.id);
    requireEndpointLevel(ep, caller(req), "CAN_USE");
    return permissionLevelsOf(VS_ENDPOINT_ACL);
  });
};
