import type { FastifyInstance } from "fastify";
import type { Identity } from "../auth/identity.js";
import { type Ctx, caller } from "../context.js";
import { invalidParameter, permissionDenied } from "../errors.js";
import { jsonObject } from "../http/body.js";
import {
  applyAcl,
  parseAcl,
  renderGrant,
  renderObjectPermissions,
  renderPermissionLevels,
} from "../permissions/acl.js";
import { type ClusterAclEntry, type ClusterLevel, hasClusterLevel, LEVELS } from "./cluster-acl.js";
import type { ClusterRegistry } from "./clusters.js";

const render = (id: string, acl: ClusterAclEntry[]) =>
  renderObjectPermissions(
    "clusters",
    id,
    "cluster",
    acl.map((a) => renderGrant(a)),
  );

/**
 * Cluster ACLs through the Permissions API shape (`/api/2.0/permissions/clusters/{cluster_id}`): GET, PUT
 * (replace), PATCH (merge) and `permissionLevels`. The driver proxy requires CAN_ATTACH_TO (proxy/driver-proxy.ts).
 */
export const registerClusterPermissionRoutes = (app: FastifyInstance, ctx: Ctx): void => {
  const PERM = "/api/2.0/permissions/clusters";
  const clusterOf = (clusters: ClusterRegistry, id: string) => {
    if (!clusters.has(id)) throw invalidParameter(`Cluster ${id} does not exist.`);
    return id;
  };
  const need = (acl: ClusterAclEntry[], id: Identity, cluster: string, level: ClusterLevel) => {
    if (!hasClusterLevel(acl, id, level))
      throw permissionDenied(`User ${id.name} does not have ${level} permission on cluster ${cluster}.`);
  };
  app.get<{ Params: { id: string } }>(`${PERM}/:id`, async (req) => {
    const id = clusterOf(ctx.clusters, req.params.id);
    need(ctx.clusters.acl(id), caller(req), id, "CAN_ATTACH_TO");
    return render(id, ctx.clusters.acl(id));
  });
  const write = (merge: boolean) => async (req: { params: { id: string }; body: unknown }) => {
    const id = clusterOf(ctx.clusters, req.params.id);
    need(ctx.clusters.acl(id), caller(req as never), id, "CAN_MANAGE");
    const add = parseAcl(jsonObject(req.body).access_control_list ?? [], LEVELS, { maxPrincipalLength: 512 });
    ctx.clusters.setAcl(id, applyAcl(ctx.clusters.acl(id), add, merge));
    return render(id, ctx.clusters.acl(id));
  };
  app.put<{ Params: { id: string } }>(`${PERM}/:id`, write(false));
  app.patch<{ Params: { id: string } }>(`${PERM}/:id`, write(true));
  app.get<{ Params: { id: string } }>(`${PERM}/:id/permissionLevels`, async (req) => {
    clusterOf(ctx.clusters, req.params.id);
    return renderPermissionLevels([
      ["CAN_ATTACH_TO", "Can attach to the cluster (and reach its driver proxy)"],
      ["CAN_RESTART", "Can restart the cluster"],
      ["CAN_MANAGE", "Can manage the cluster"],
    ]);
  });
};
