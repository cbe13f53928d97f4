import type { Identity } from "../auth/identity.js";

/** Cluster permission levels (Permissions API `clusters` object type), weakest first. */
export type ClusterLevel = "CAN_ATTACH_TO" | "CAN_RESTART" | "CAN_MANAGE";
const RANK: Record<ClusterLevel, number> = { CAN_ATTACH_TO: 1, CAN_RESTART: 2, CAN_MANAGE: 3 };
export const LEVELS = Object.keys(RANK) as ClusterLevel[];
export const KINDS = ["user_name", "group_name", "service_principal_name"] as const;

export interface ClusterAclEntry {
  kind: (typeof KINDS)[number];
  principal: string;
  level: ClusterLevel;
}

export const isClusterLevel = (v: unknown): v is ClusterLevel => typeof v === "string" && v in RANK;

/** The caller's level on a cluster: admins manage every cluster; others have what the ACL grants them. */
export const clusterLevel = (acl: ClusterAclEntry[], id: Identity): ClusterLevel | undefined => {
  if (id.admin) return "CAN_MANAGE";
  let best: ClusterLevel | undefined;
  for (const a of acl) {
    const matches =
      a.kind === "group_name"
        ? id.groups.includes(a.principal) || a.principal === "users"
        : a.principal === id.name && (a.kind === "user_name") === (id.kind === "user");
    if (matches && (!best || RANK[a.level] > RANK[best])) best = a.level;
  }
  return best;
};

export const hasClusterLevel = (acl: ClusterAclEntry[], id: Identity, need: ClusterLevel): boolean => {
  const have = clusterLevel(acl, id);
  return have !== undefined && RANK[have] >= RANK[need];
};
