/**
 * The Permissions API routes of one object type (`/api/2.0/permissions/{type}/{id}`): GET (readers), PUT (replace)
 * and PATCH (merge) for managers, and `permissionLevels`. The type brings how to find an object, who holds which
 * level, where its ACL lives and how it renders; parsing and applying an `access_control_list` are the shared
 * pieces of ./acl.ts. Clusters (proxy/cluster-permissions.ts) and Vector Search endpoints
 * (vector-search/endpoint-permission-routes.ts) register through it.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Identity } from "../auth/identity.js";
import { caller } from "../context.js";
import { jsonObject } from "../http/body.js";
import { type AclEntry, applyAcl, parseAcl, renderPermissionLevels } from "./acl.js";

export interface PermissionRoutes<T, L extends string> {
  /** `/api/2.0/permissions/{type}`. */
  path: string;
  /** The object behind a path id, or the type's own not-found error. */
  find(id: string): T;
  /** Throws the type's 403 unless `who` holds at least `level` on `obj`. */
  require(obj: T, who: Identity, level: L): void;
  /** Level that reads the permissions; `manage` changes them. */
  read: L;
  manage: L;
  /** Levels a request may grant, highest first (named in this order in a 400). */
  levels: readonly L[];
  /** `[level, description]`, as `permissionLevels` lists them. */
  descriptions: readonly (readonly [L, string])[];
  /** `permissionLevels` answers whoever names an existing object (clusters), not only its readers. */
  levelsForAnyone?: boolean;
  acl(obj: T): readonly AclEntry<L>[];
  setAcl(obj: T, acl: AclEntry<L>[]): void;
  render(obj: T): unknown;
}

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

export const registerPermissionRoutes = <T, L extends string>(
  app: FastifyInstance,
  type: PermissionRoutes<T, L>,
): void => {
  const readable = (req: IdRequest): T => {
    const obj = type.find(req.params.id);
    type.require(obj, caller(req), type.read);
    return obj;
  };
  app.get<{ Params: { id: string } }>(`${type.path}/:id`, async (req) => type.render(readable(req)));
  const write = (merge: boolean) => async (req: IdRequest) => {
    const obj = type.find(req.params.id);
    type.require(obj, caller(req), type.manage);
    const add = parseAcl(jsonObject(req.body).access_control_list ?? [], type.levels, {
      maxPrincipalLength: 512,
    });
    type.setAcl(obj, applyAcl(type.acl(obj), add, merge));
    return type.render(obj);
  };
  app.put<{ Params: { id: string } }>(`${type.path}/:id`, write(false));
  app.patch<{ Params: { id: string } }>(`${type.path}/:id`, write(true));
  app.get<{ Params: { id: string } }>(`${type.path}/:id/permissionLevels`, async (req) => {
    if (type.levelsForAnyone) type.find(req.params.id);
    else readable(req);
    return renderPermissionLevels(type.descriptions);
  });
};
