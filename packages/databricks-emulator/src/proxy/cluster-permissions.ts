import type { FastifyInstance } from "fastify";
import type { Identity } from "../auth/identity.js";
import { type Ctx, caller } from "../context.js";
import { invalidParameter, permissionDenied } from "../errors.js";
import { jsonObject } from "../http/body.js";
import { isObject, type JsonObject } from "../util/json.js";
import {
  type ClusterAclEntry,
  type ClusterLevel,
  hasClusterLevel,
  isClusterLevel,
  KINDS,
  LEVELS,
} from "./cluster-acl.js";
import type { ClusterRegistry } from "./clusters.js";

const parseAcl = (raw: unknown): ClusterAclEntry[] => {
  if (!Array.isArray(raw)) throw invalidParameter("access_control_list must be a list.");
  return raw.map((r, i) => {
    const at = `access_control_list[${i}]`;
    if (!isObject(r)) throw invalidParameter(`${at} must be an object.`);
    const given = KINDS.filter((k) => r[k] !== undefined);
    if (given.length !== 1)
      throw invalidParameter(`${at} needs exactly one of user_name, group_name, service_principal_name.`);
    const kind = given[0]!;
    const principal = r[kind];
    if (typeof principal !== "string" || principal === "" || principal.length > 512)
      throw invalidParameter(`${at}.${kind} must be a string of 1 to 512 characters.`);
    if (!isClusterLevel(r.permission_level)) {
      throw invalidParameter(
        `Invalid permission level ${JSON.stringify(r.permission_level)} in ${at}; use one of ${LEVELS.join(", ")}.`,
      );
    }
    return { kind, principal, level: r.permission_level };
  });
};

const render = (id: string, acl: ClusterAclEntry[]) => {
  const list: JsonObject[] = acl.map((a) => ({
    [a.kind]: a.principal,
    all_permissions: [{ permission_level: a.level, inherited: false }],
  }));
  list.push({
    group_name: "admins",
    all_permissions: [
      { permission_level: "CAN_MANAGE", inherited: true, inherited_from_object: ["/clusters/"] },
    ],
  });
  return { object_id: `/clusters/${id}`, object_type: "cluster", access_control_list: list };
};

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
    const add = parseAcl(jsonObject(req.body).access_control_list ?? []);
    const key = (a: ClusterAclEntry) => `${a.kind}\u0000${a.principal}`;
    const map = new Map((merge ? ctx.clusters.acl(id) : []).map((a) => [key(a), a]));
    for (const a of add) map.set(key(a), a);
    ctx.clusters.setAcl(id, [...map.values()]);
    return render(id, ctx.clusters.acl(id));
  };
  app.put<{ Params: { id: string } }>(`${PERM}/:id`, write(false));
  app.patch<{ Params: { id: string } }>(`${PERM}/:id`, write(true));
  app.get<{ Params: { id: string } }>(`${PERM}/:id/permissionLevels`, async (req) => {
    clusterOf(ctx.clusters, req.params.id);
    return {
      permission_levels: [
        {
          permission_level: "CAN_ATTACH_TO",
          description: "Can attach to the cluster (and reach its driver proxy)",
        },
        { permission_level: "CAN_RESTART", description: "Can restart the cluster" },
        { permission_level: "CAN_MANAGE", description: "Can manage the cluster" },
      ],
    };
  });
};
