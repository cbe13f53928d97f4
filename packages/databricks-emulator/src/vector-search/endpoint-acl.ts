/**
 * Vector Search endpoint permissions (`/api/2.0/permissions/vector-search-endpoints/{endpoint_id}`), built on the
 * shared Permissions API pieces in permissions/acl.ts. Levels CAN_USE < CAN_MANAGE; the creator holds CAN_MANAGE
 * and admins inherit it. CAN_USE lets a principal create indexes on the endpoint; CAN_MANAGE also deletes it and
 * changes its permissions. Facts: packages/databricks-emulator/spec/vector-search.md.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Identity } from "../auth/identity.js";
import { type Ctx, caller } from "../context.js";
import { notFound, permissionDenied } from "../errors.js";
import { jsonObject } from "../http/body.js";
import {
  type AclEntry,
  aclLevel,
  applyAcl,
  atLeast,
  type LevelRank,
  parseAcl,
  renderGrant,
  renderObjectPermissions,
  renderPermissionLevels,
} from "../permissions/acl.js";
import type { VectorSearchStore } from "./store.js";
import type { VsEndpoint } from "./store-types.js";

export type VsEndpointLevel = "CAN_USE" | "CAN_MANAGE";
export type VsEndpointAclEntry = AclEntry<VsEndpointLevel>;

const RANK: LevelRank<VsEndpointLevel> = { CAN_USE: 1, CAN_MANAGE: 2 };
/** Highest first, as the Permissions API lists and names them. */
const LEVELS: VsEndpointLevel[] = ["CAN_MANAGE", "CAN_USE"];
const LEVEL_DESCRIPTIONS = [
  ["CAN_MANAGE", "Can manage the endpoint: create indexes on it, change its permissions and delete it"],
  ["CAN_USE", "Can use the endpoint: create indexes on it"],
] as const;

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
  const have = who.admin ? "CAN_MANAGE" : aclLevel(ep.acl, who, RANK);
  if (!atLeast(have, need, RANK)) {
    throw permissionDenied(
      `User ${who.name} does not have ${need} permission on vector search endpoint '${ep.name}' (has ${have ?? "no permission"}).`,
    );
  }
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
