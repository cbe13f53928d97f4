import type { FastifyInstance } from "fastify";
import type { Ctx } from "../context.js";
import { invalidParameter, permissionDenied } from "../errors.js";
import { renderGrant, renderObjectPermissions } from "../permissions/acl.js";
import { registerPermissionRoutes } from "../permissions/routes.js";
import { hasClusterLevel, LEVELS } from "./cluster-acl.js";

/**
 * Cluster ACLs through the Permissions API shape (`/api/2.0/permissions/clusters/{cluster_id}`): GET, PUT
 * (replace), PATCH (merge) and `permissionLevels`. The driver proxy requires CAN_ATTACH_TO (proxy/driver-proxy.ts).
 */
export const registerClusterPermissionRoutes = (app: FastifyInstance, ctx: Ctx): void =>
  registerPermissionRoutes(app, {
    path: "/api/2.0/permissions/clusters",
    find: (id) => {
      if (!ctx.clusters.has(id)) throw invalidParameter(`Cluster ${id} does not exist.`);
      return id;
    },
    require: (cluster, who, level) => {
      if (!hasClusterLevel(ctx.clusters.acl(cluster), who, level))
        throw permissionDenied(`User ${who.name} does not have ${level} permission on cluster ${cluster}.`);
    },
    read: "CAN_ATTACH_TO",
    manage: "CAN_MANAGE",
    levels: LEVELS,
    descriptions: [
      ["CAN_ATTACH_TO", "Can attach to the cluster (and reach its driver proxy)"],
      ["CAN_RESTART", "Can restart the cluster"],
      ["CAN_MANAGE", "Can manage the cluster"],
    ],
    levelsForAnyone: true,
    acl: (cluster) => ctx.clusters.acl(cluster),
    setAcl: (cluster, acl) => ctx.clusters.setAcl(cluster, acl),
    render: (cluster) =>
      renderObjectPermissions(
        "clusters",
        cluster,
        "cluster",
        ctx.clusters.acl(cluster).map((a) => renderGrant(a)),
      ),
  });
