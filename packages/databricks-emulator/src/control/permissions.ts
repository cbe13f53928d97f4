/** Serving endpoint permissions over the shared Permissions API pieces (permissions/acl.ts). */
import type { Identity } from "../auth/identity.js";
import { permissionDenied } from "../errors.js";
import {
  aclLevel,
  parseAcl as parseAclOf,
  renderGrant,
  renderObjectPermissions,
} from "../permissions/acl.js";
import { type AclEntry, type EndpointRecord, PERMISSION_RANK, type PermissionLevel } from "./types.js";

export { mergeAcl } from "../permissions/acl.js";

const LEVELS: PermissionLevel[] = ["CAN_MANAGE", "CAN_QUERY", "CAN_VIEW"];

/** The caller's level on an endpoint: admins manage everything; otherwise the best matching ACL entry. */
export const effectiveLevel = (ep: EndpointRecord, id: Identity): PermissionLevel | undefined =>
  id.admin ? "CAN_MANAGE" : aclLevel(ep.acl, id, PERMISSION_RANK);

/** Throws 403 PERMISSION_DENIED unless the caller has at least `need` on the endpoint. */
export const requireLevel = (ep: EndpointRecord, id: Identity, need: PermissionLevel): PermissionLevel => {
  const have = effectiveLevel(ep, id);
  if (!have || PERMISSION_RANK[have] < PERMISSION_RANK[need]) {
    throw permissionDenied(
      `User ${id.name} does not have ${need} permission on serving endpoint '${ep.name}' (has ${have ?? "no permission"}).`,
    );
  }
  return have;
};

export const parseAcl = (raw: unknown): AclEntry[] => parseAclOf(raw, LEVELS, { maxPrincipalLength: 512 });

export const renderPermissions = (ep: EndpointRecord, displayName: (user: string) => string | undefined) =>
  renderObjectPermissions(
    "serving-endpoints",
    ep.id,
    "serving-endpoint",
    ep.acl.map((a) => renderGrant(a, a.kind === "group_name" ? undefined : displayName(a.principal))),
  );

export const PERMISSION_LEVELS = {
  permission_levels: [
    {
      permission_level: "CAN_MANAGE",
      description: "Can manage the endpoint: update config, permissions and delete it",
    },
    { permission_level: "CAN_QUERY", description: "Can query the endpoint and view its configuration" },
    { permission_level: "CAN_VIEW", description: "Can view the endpoint and its configuration" },
  ],
};
