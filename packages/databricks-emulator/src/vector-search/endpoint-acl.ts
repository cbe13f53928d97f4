/**
 * Vector Search endpoint permissions (`/api/2.0/permissions/vector-search-endpoints/{endpoint_id}`, routes in
 * ./endpoint-permission-routes.ts), built on the shared Permissions API pieces in permissions/acl.ts. Levels CAN_USE < CAN_MANAGE; the creator holds CAN_MANAGE
 * and admins inherit it. CAN_USE lets a principal create indexes on the endpoint; CAN_MANAGE also deletes it and
 * changes its permissions. Facts: packages/databricks-emulator/spec/vector-search.md.
 */
import type { Identity } from "../auth/identity.js";
import { permissionDenied } from "../errors.js";
import { aclLevel, atLeast, type LevelRank } from "../permissions/acl.js";
import type { VsEndpoint, VsEndpointAclEntry, VsEndpointLevel } from "./store-types.js";

const RANK: LevelRank<VsEndpointLevel> = { CAN_USE: 1, CAN_MANAGE: 2 };
/** Highest first, as the Permissions API lists and names them. */
export const LEVELS: VsEndpointLevel[] = ["CAN_MANAGE", "CAN_USE"];
export const LEVEL_DESCRIPTIONS = [
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
