import type { FastifyInstance } from "fastify";
import { type Ctx, caller } from "../context.js";
import { invalidParameter } from "../errors.js";
import { jsonObject } from "../http/body.js";
import { LakebaseStore } from "./store.js";

type Query = Record<string, string | undefined>;
type Params = { name: string };
const I = "/api/2.0/database/instances";
const P = "/api/2.0/permissions/database-instances";
/** Autoscaling credential lifetimes: 5 minutes to 1 hour (spec/lakebase.md "Autoscaling credentials"). */
const TTL_MIN = 300;
const TTL_MAX = 3600;

export interface LakebaseRoutesOptions {
  dataDir?: string;
  /** Lifetime of issued database credentials. Default 3600 (the real service). */
  credentialTtlSeconds?: number;
  /** Extra delay before a new instance reports AVAILABLE. Default 0. */
  transitionMs?: number;
}

/**
 * Lakebase (spec/lakebase.md): provisioned database instances, their permissions, database credentials (provisioned
 * and autoscaling routes) and one Postgres wire endpoint per instance. Close the store with the server.
 */
export const createLakebaseStore = (ctx: Ctx, options: LakebaseRoutesOptions = {}): LakebaseStore =>
  new LakebaseStore({
    clock: ctx.clock,
    dataDir: options.dataDir,
    credentialTtlSeconds: options.credentialTtlSeconds ?? 3600,
    transitionMs: options.transitionMs ?? 0,
  });

/** The Lakebase routes over `store` (`createLakebaseStore`). */
export const registerLakebaseRoutes = (app: FastifyInstance, store: LakebaseStore): void => {
  app.post(I, async (req) => store.create(caller(req), jsonObject(req.body)));
  app.get<{ Querystring: Query }>(I, async (req) =>
    store.list(caller(req), req.query.page_size, req.query.page_token),
  );
  app.get<{ Params: Params }>(`${I}/:name`, async (req) => store.get(caller(req), req.params.name));
  app.delete<{ Params: Params }>(`${I}/:name`, async (req) => {
    await store.delete(caller(req), req.params.name);
    return {};
  });

  app.get<{ Params: Params }>(`${P}/:name`, async (req) => store.permissions(caller(req), req.params.name));
  app.patch<{ Params: Params }>(`${P}/:name`, async (req) =>
    store.setPermissions(caller(req), req.params.name, jsonObject(req.body).access_control_list, false),
  );
  app.put<{ Params: Params }>(`${P}/:name`, async (req) =>
    store.setPermissions(caller(req), req.params.name, jsonObject(req.body).access_control_list, true),
  );

  app.post("/api/2.0/database/credentials", async (req) => {
    const { token, expiresAt } = store.generateCredential(caller(req), jsonObject(req.body));
    return { token, expiration_time: new Date(expiresAt).toISOString() };
  });

  // Autoscaling: the emulator maps `projects/{p}/branches/{b}/endpoints/{e}` onto the provisioned instance `p`.
  app.post("/api/2.0/postgres/credentials", async (req) => {
    const b = jsonObject(req.body);
    const m =
      typeof b.endpoint === "string"
        ? /^projects\/([^/]+)\/branches\/[^/]+\/endpoints\/[^/]+$/.exec(b.endpoint)
        : null;
    if (!m?.[1]) {
      throw invalidParameter(
        "endpoint must be a resource name projects/{project}/branches/{branch}/endpoints/{endpoint}.",
      );
    }
    let ttl = store.credentialTtlSeconds;
    if (b.ttl !== undefined) {
      const t = typeof b.ttl === "string" ? /^(\d+(?:\.\d+)?)s$/.exec(b.ttl) : null;
      const secs = t ? Number(t[1]) : Number.NaN;
      if (!(secs >= TTL_MIN && secs <= TTL_MAX)) {
        throw invalidParameter(
          `ttl must be between ${TTL_MIN}s and ${TTL_MAX}s, got ${JSON.stringify(b.ttl)}.`,
        );
      }
      ttl = secs;
    }
    const who = caller(req);
    store.requireUse(who, m[1]);
    const { token, expiresAt } = store.issue(who, [m[1]], ttl);
    return { token, expire_time: new Date(expiresAt).toISOString() };
  });
};
