/**
 * The Permissions API pieces every object type shares (`/api/2.0/permissions/{type}/{id}`, spec/serving.md 2 and
 * spec/lakebase.md "Permissions"): the three principal kinds, parsing an `access_control_list`, PATCH (merge by
 * principal) and PUT (replace), the caller's best level from an ACL, and the rendered object permissions with the
 * inherited `admins` CAN_MANAGE entry. Serving endpoints (control/permissions.ts), clusters
 * (proxy/cluster-permissions.ts) and Lakebase instances (lakebase/store.ts) use it; a new object type only brings
 * its levels.
 */
import type { Identity } from "../auth/identity.js";
import { invalidParameter } from "../errors.js";
import { isObject, type JsonObject } from "../util/json.js";

export const PRINCIPAL_KINDS = ["user_name", "group_name", "service_principal_name"] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];

/** One direct grant: `{ [kind]: principal, permission_level: level }` on the wire. */
export interface AclEntry<L extends string = string> {
  kind: PrincipalKind;
  principal: string;
  level: L;
}

/** The levels of one object type: `rank` orders them (higher is stronger). */
export type LevelRank<L extends string> = Readonly<Record<L, number>>;

export interface ParseAclOptions {
  /** Longest principal name accepted; the message then says "of 1 to N characters". No limit when absent. */
  maxPrincipalLength?: number;
}

/**
 * Parses a request's `access_control_list`: a list of objects with exactly one principal kind and a
 * `permission_level` among `levels` (named in that order in the error). Throws 400 INVALID_PARAMETER_VALUE.
 */
export const parseAcl = <L extends string>(
  raw: unknown,
  levels: readonly L[],
  options: ParseAclOptions = {},
): AclEntry<L>[] => {
  if (!Array.isArray(raw)) throw invalidParameter("access_control_list must be a list.");
  const max = options.maxPrincipalLength;
  return raw.map((r, i) => {
    const at = `access_control_list[${i}]`;
    if (!isObject(r)) throw invalidParameter(`${at} must be an object.`);
    const given = PRINCIPAL_KINDS.filter((k) => r[k] !== undefined);
    const kind = given[0];
    if (given.length !== 1 || !kind) {
      throw invalidParameter(`${at} needs exactly one of user_name, group_name, service_principal_name.`);
    }
    const principal = r[kind];
    if (typeof principal !== "string" || principal === "" || (max !== undefined && principal.length > max)) {
      throw invalidParameter(
        max === undefined
          ? `${at}.${kind} must be a string.`
          : `${at}.${kind} must be a string of 1 to ${max} characters.`,
      );
    }
    const level = r.permission_level;
    if (typeof level !== "string" || !(levels as readonly string[]).includes(level)) {
      throw invalidParameter(
        `Invalid permission level ${JSON.stringify(level)} in ${at}; use one of ${levels.join(", ")}.`,
      );
    }
    return { kind, principal, level: level as L };
  });
};

/** PATCH: `add` merged into `current`, an entry for the same principal replacing the old one (order kept). */
export const mergeAcl = <E extends AclEntry>(current: readonly E[], add: readonly E[]): E[] => {
  const key = (a: E) => `${a.kind}\u0000${a.principal}`;
  const map = new Map(current.map((a) => [key(a), a]));
  for (const a of add) map.set(key(a), a);
  return [...map.values()];
};

/** PATCH (`merge`) or PUT (replace; one entry per principal, the last one given wins). */
export const applyAcl = <E extends AclEntry>(current: readonly E[], add: readonly E[], merge: boolean): E[] =>
  mergeAcl(merge ? current : [], add);

export interface AclLevelOptions {
  /** The group `users` matches every caller (clusters). @default false */
  allUsersGroup?: boolean;
}

/** Whether a grant names the caller: a group it belongs to, or its own user / service principal name. */
export const grantMatches = (a: AclEntry, id: Identity, options: AclLevelOptions = {}): boolean =>
  a.kind === "group_name"
    ? id.groups.includes(a.principal) || (options.allUsersGroup === true && a.principal === "users")
    : a.principal === id.name && (a.kind === "user_name") === (id.kind === "user");

/** The strongest level the ACL grants the caller (admins and owners are the caller's business), if any. */
export const aclLevel = <L extends string>(
  acl: readonly AclEntry<L>[],
  id: Identity,
  rank: LevelRank<L>,
  options: AclLevelOptions = {},
): L | undefined => {
  let best: L | undefined;
  for (const a of acl) {
    if (grantMatches(a, id, options) && (!best || rank[a.level] > rank[best])) best = a.level;
  }
  return best;
};

/** Whether `have` is at least `need`. */
export const atLeast = <L extends string>(have: L | undefined, need: L, rank: LevelRank<L>): boolean =>
  have !== undefined && rank[have] >= rank[need];

/** A direct grant as the Permissions API renders it (`display_name` for users and service principals when known). */
export const renderGrant = (a: AclEntry, displayName?: string): JsonObject => {
  const e: JsonObject = { [a.kind]: a.principal };
  if (displayName) e.display_name = displayName;
  e.all_permissions = [{ permission_level: a.level, inherited: false }];
  return e;
};

/**
 * An object's permissions: `object_id` `/{root}/{id}`, its direct grants, then the workspace `admins` group's
 * CAN_MANAGE inherited from `/{root}/`.
 */
export const renderObjectPermissions = (
  root: string,
  id: string,
  objectType: string,
  grants: JsonObject[],
): { object_id: string; object_type: string; access_control_list: JsonObject[] } => ({
  object_id: `/${root}/${id}`,
  object_type: objectType,
  access_control_list: [
    ...grants,
    {
      group_name: "admins",
      all_permissions: [
        { permission_level: "CAN_MANAGE", inherited: true, inherited_from_object: [`/${root}/`] },
      ],
    },
  ],
});

/** The `permissionLevels` answer: each level with its description. */
export const renderPermissionLevels = (levels: readonly (readonly [string, string])[]) => ({
  permission_levels: levels.map(([permission_level, description]) => ({ permission_level, description })),
});
