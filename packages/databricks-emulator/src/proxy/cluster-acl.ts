import type { Identity } from "../auth/identity.js";
import { type AclEntry, aclLevel, atLeast, PRINCIPAL_KINDS } from "../permissions/acl.js";

/** Cluster permission levels (Permissions API `clusters` object type), weakest first. */
export type ClusterLevel = "CAN_ATTACH_TO" | "CAN_RESTART" | "CAN_MANAGE";
const RANK: Record<ClusterLevel, number> = { CAN_ATTACH_TO: 1, CAN_RESTART: 2, CAN_MANAGE: 3 };
export const LEVELS = Object.keys(RANK) as ClusterLevel[];
export const KINDS = PRINCIPAL_KINDS;

/** A cluster grant (permissions/acl.ts). */
export type ClusterAclEntry = AclEntry<ClusterLevel>;

export const isClusterLevel = (v: unknown): v is ClusterLevel => typeof v === "string" && v in RANK;

/** The caller's level on a cluster: admins manage every cluster; others have what the ACL grants them. */
export const clusterLevel = (acl: ClusterAclEntry[], id: Identity): ClusterLevel | undefined =>
  id.admin ? "CAN_MANAGE" : aclLevel(acl, id, RANK, { allUsersGroup: true });

export const hasClusterLevel = (acl: ClusterAclEntry[], id: Identity, need: ClusterLevel): boolean =>
  atLeast(clusterLevel(acl, id), need, RANK);
