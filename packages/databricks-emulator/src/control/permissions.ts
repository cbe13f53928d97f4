/**
 * Object permissions of the `/api/2.0/permissions/{object-type}/{id}` API: ACL parsing, merging, the caller's
 * effective level and the rendered access-control list. Generic over the object's levels ({@link AclKind}); serving
 * endpoints use the exports at the bottom, Vector Search endpoints their own kind (vector-search/endpoint-acl.ts).
 */
import type { Identity } from "../auth/identity.js";
import { invalidParameter, permissionDenied } from "../errors.js";
import { isObject, type JsonObject } from "../util/json.js";
import {
  type AclEntry,
  type EndpointRecord,
  PERMISSION_RANK,
  type PermissionLevel,
  type PrincipalKind,
} from "./types.js";

/** One ACL entry at level `L`. */
export interface AclEntryOf<L extends string> {
  kind: PrincipalKind;
  principal: string;
  level: L;
}

/** An object type of the Permissions API: its levels (lowest first), path prefix and wording. */
export interface AclKind<L extends string> {
  /** Levels from lowest to highest. */
  levels: readonly L[];
  /** `/serving-endpoints`, `/vector-search-endpoints` (object ids are `{prefix}/{id}`). */
  prefix: string;
  /** `object_type` of the rendered permissions. */
  objectType: string;
  /** Used in 403 messages, e.g. "serving endpoint". */
  noun: string;
  descriptions: Record<L, string>;
}

const KINDS: PrincipalKind[] = ["user_name", "group_name", "service_principal_name"];

/** The caller's level: admins hold the highest level; otherwise the best matching ACL entry. */
export const effectiveLevelOf = <L extends string>(
  kind: AclKind<L>,
  acl: readonly AclEntryOf<L>[],
  id: Identity,
): L | undefined => {
  const rank = (l: L) => kind.levels.indexOf(l);
  if (id.admin) return kind.levels[kind.levels.length - 1];
  let best: L | undefined;
  for (const a of acl) {
    const matches =
      a.kind === "group_name"
        ? id.groups.includes(a.principal)
        : a.principal === id.name && (a.kind === "user_name") === (id.kind === "user");
    if (matches && (best === undefined || rank(a.level) > rank(best))) best = a.level;
  }
  return best;
};

/** Throws 403 PERMISSION_DENIED unless the caller has at least `need`. */
export const requireLevelOf = <L extends string>(
  kind: AclKind<L>,
  object: { name: string; acl: readonly AclEntryOf<L>[] },
  id: Identity,
  need: L,
): L => {
  const have = effectiveLevelOf(kind, object.acl, id);
  if (have === undefined || kind.levels.indexOf(have) < kind.levels.indexOf(need)) {
    throw permissionDenied(
      `User ${id.name} does not have ${need} permission on ${kind.noun} '${object.name}' (has ${have ?? "no permission"}).`,
    );
  }
  return have;
};

/** Parses `access_control_list` (400 naming the entry on a bad principal or level). */
export const parseAclOf = <L extends string>(kind: AclKind<L>, raw: unknown): AclEntryOf<L>[] => {
  if (!Array.isArray(raw)) throw invalidParameter("access_control_list must be a list.");
  return raw.map((r, i) => {
    const at = `access_control_list[${i}]`;
    if (!isObject(r)) throw invalidParameter(`${at} must be an object.`);
    const given = KINDS.filter((k) => r[k] !== undefined);
    if (given.length !== 1) {
      throw invalidParameter(`${at} needs exactly one of user_name, group_name, service_principal_name.`);
    }
    const k = given[0]!;
    const principal = r[k];
    if (typeof principal !== "string" || principal === "" || principal.length > 512)
      throw invalidParameter(`${at}.${k} must be a string of 1 to 512 characters.`);
    const level = r.permission_level;
    if (!kind.levels.includes(level as L)) {
      throw invalidParameter(
        `Invalid permission level ${JSON.stringify(level)} in ${at}; use one of ${[...kind.levels].reverse().join(", ")}.`,
      );
    }
    return { kind: k, principal, level: level as L };
  });
};

/** Merges entries (PATCH): an entry for the same principal replaces the old one. */
export const mergeAcl = <E extends { kind: PrincipalKind; principal: string }>(
  current: E[],
  add: E[],
): E[] => {
  const key = (a: E) => `${a.kind}\u0000${a.principal}`;
  const map = new Map(current.map((a) => [key(a), a]));
  for (const a of add) map.set(key(a), a);
  return [...map.values()];
};

/** The Permissions API body: direct entries, then the admins group's inherited top level. */
export const renderAclOf = <L extends string>(
  kind: AclKind<L>,
  object: { id: string; acl: readonly AclEntryOf<L>[] },
  displayName: (user: string) => string | undefined,
) => {
  const direct: JsonObject[] = object.acl.map((a) => {
    const e: JsonObject = { [a.kind]: a.principal };
    const dn = a.kind === "group_name" ? undefined : displayName(a.principal);
    if (dn) e.display_name = dn;
    e.all_permissions = [{ permission_level: a.level, inherited: false }];
    return e;
  });
  direct.push({
    group_name: "admins",
    all_permissions: [
      {
        permission_level: kind.levels[kind.levels.length - 1] as string,
        inherited: true,
        inherited_from_object: [`${kind.prefix}/`],
      },
    ],
  });
  return {
    object_id: `${kind.prefix}/${object.id}`,
    object_type: kind.objectType,
    access_control_list: direct,
  };
};

/** `GET .../permissionLevels`: highest first. */
export const permissionLevelsOf = <L extends string>(kind: AclKind<L>) => ({
  permission_levels: [...kind.levels]
    .reverse()
    .map((l) => ({ permission_level: l, description: kind.descriptions[l] })),
});

// ----- serving endpoints -----

const SERVING: AclKind<PermissionLevel> = {
  levels: (Object.keys(PERMISSION_RANK) as PermissionLevel[]).sort(
    (a, b) => PERMISSION_RANK[a] - PERMISSION_RANK[b],
  ),
  prefix: "/serving-endpoints",
  objectType: "serving-endpoint",
  noun: "serving endpoint",
  descriptions: {
    CAN_MANAGE: "Can manage the endpoint: update config, permissions and delete it",
    CAN_QUERY: "Can query the endpoint and view its configuration",
    CAN_VIEW: "Can view the endpoint and its configuration",
  },
};

/** The caller's level on a serving endpoint. */
export const effectiveLevel = (ep: EndpointRecord, id: Identity): PermissionLevel | undefined =>
  effectiveLevelOf(SERVING, ep.acl, id);

/** Throws 403 PERMISSION_DENIED unless the caller has at least `need` on the serving endpoint. */
export const requireLevel = (ep: EndpointRecord, id: Identity, need: PermissionLevel): PermissionLevel =>
  requireLevelOf(SERVING, ep, id, need);

export const parseAcl = (raw: unknown): AclEntry[] => parseAclOf(SERVING, raw);

export const renderPermissions = (ep: EndpointRecord, displayName: (user: string) => string | undefined) =>
  renderAclOf(SERVING, ep, displayName);

export const PERMISSION_LEVELS = permissionLevelsOf(SERVING);
