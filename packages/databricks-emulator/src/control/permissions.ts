import type { Identity } from "../auth/identity.js";
import { invalidParameter, permissionDenied } from "../errors.js";
import { isObject, type JsonObject } from "../util/json.js";
import {
  type AclEntry,
  type EndpointRecord,
  isPermissionLevel,
  PERMISSION_RANK,
  type PermissionLevel,
  type PrincipalKind,
} from "./types.js";

const LEVELS: PermissionLevel[] = ["CAN_MANAGE", "CAN_QUERY", "CAN_VIEW"];
const KINDS: PrincipalKind[] = ["user_name", "group_name", "service_principal_name"];

/** The caller's level on an endpoint: admins manage everything; otherwise the best matching ACL entry. */
export const effectiveLevel = (ep: EndpointRecord, id: Identity): PermissionLevel | undefined => {
  if (id.admin) return "CAN_MANAGE";
  let best: PermissionLevel | undefined;
  for (const a of ep.acl) {
    const matches =
      a.kind === "group_name"
        ? id.groups.includes(a.principal)
        : a.principal === id.name && (a.kind === "user_name") === (id.kind === "user");
    if (matches && (!best || PERMISSION_RANK[a.level] > PERMISSION_RANK[best])) best = a.level;
  }
  return best;
};

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

export const parseAcl = (raw: unknown): AclEntry[] => {
  if (!Array.isArray(raw)) throw invalidParameter("access_control_list must be a list.");
  return raw.map((r, i) => {
    const at = `access_control_list[${i}]`;
    if (!isObject(r)) throw invalidParameter(`${at} must be an object.`);
    const given = KINDS.filter((k) => r[k] !== undefined);
    if (given.length !== 1) {
      throw invalidParameter(`${at} needs exactly one of user_name, group_name, service_principal_name.`);
    }
    const kind = given[0]!;
    const principal = r[kind];
    if (typeof principal !== "string" || principal === "" || principal.length > 512)
      throw invalidParameter(`${at}.${kind} must be a string of 1 to 512 characters.`);
    if (!isPermissionLevel(r.permission_level)) {
      throw invalidParameter(
        `Invalid permission level ${JSON.stringify(r.permission_level)} in ${at}; use one of ${LEVELS.join(", ")}.`,
      );
    }
    return { kind, principal, level: r.permission_level };
  });
};

/** Merges entries (PATCH): an entry for the same principal replaces the old one. */
export const mergeAcl = (current: AclEntry[], add: AclEntry[]): AclEntry[] => {
  const key = (a: AclEntry) => `${a.kind}\u0000${a.principal}`;
  const map = new Map(current.map((a) => [key(a), a]));
  for (const a of add) map.set(key(a), a);
  return [...map.values()];
};

export const renderPermissions = (ep: EndpointRecord, displayName: (user: string) => string | undefined) => {
  const direct: JsonObject[] = ep.acl.map((a) => {
    const e: JsonObject = { [a.kind]: a.principal };
    const dn = a.kind === "group_name" ? undefined : displayName(a.principal);
    if (dn) e.display_name = dn;
    e.all_permissions = [{ permission_level: a.level, inherited: false }];
    return e;
  });
  direct.push({
    group_name: "admins",
    all_permissions: [
      { permission_level: "CAN_MANAGE", inherited: true, inherited_from_object: ["/serving-endpoints/"] },
    ],
  });
  return {
    object_id: `/serving-endpoints/${ep.id}`,
    object_type: "serving-endpoint",
    access_control_list: direct,
  };
};

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
