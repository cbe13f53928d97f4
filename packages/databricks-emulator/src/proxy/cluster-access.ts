import type { AuthStore } from "../auth/store.js";
import type { EmulatorOptions } from "../options.js";
import type { ClusterAclEntry } from "./cluster-acl.js";
import type { ClusterRegistry } from "./clusters.js";

/** Applies `options.clusterAccess` (and `--cluster-access`) to the cluster ACLs at start, merging by principal. */
export const grantClusterAccess = (
  clusters: ClusterRegistry,
  auth: AuthStore,
  grants: EmulatorOptions["clusterAccess"],
): void => {
  for (const g of grants ?? []) {
    const who = auth.identityOf(g.principal);
    if (!who) {
      throw new TypeError(
        `clusterAccess names an unknown principal ${JSON.stringify(g.principal)}; add it with users or servicePrincipals first.`,
      );
    }
    if (g.clusterId !== undefined && !clusters.has(g.clusterId)) {
      throw new TypeError(`clusterAccess names an unknown cluster ${JSON.stringify(g.clusterId)}.`);
    }
    const entry: ClusterAclEntry = {
      kind: who.kind === "user" ? "user_name" : "service_principal_name",
      principal: g.principal,
      level: g.level ?? "CAN_ATTACH_TO",
    };
    for (const id of g.clusterId === undefined ? clusters.list() : [g.clusterId]) {
      const rest = clusters.acl(id).filter((a) => a.principal !== g.principal || a.kind !== entry.kind);
      clusters.setAcl(id, [...rest, entry], false);
    }
  }
};

export const checkDriverProxyPorts = (range: unknown): void => {
  if (range === undefined) return;
  const ok =
    Array.isArray(range) &&
    range.length === 2 &&
    range.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535) &&
    range[0] <= range[1];
  if (!ok) {
    throw new TypeError(
      `startEmulator: options.driverProxyPorts must be [min, max] with 1 <= min <= max <= 65535, got ${JSON.stringify(range)}`,
    );
  }
};
