/**
 * SQL routes (spec/sql.md): `/api/2.0/sql/warehouses`, `/api/2.0/sql/statements`, the public external-link
 * downloads, and (from unity-catalog-routes.ts) Unity Catalog browsing, functions and permissions under
 * `/api/2.1/unity-catalog`.
 */

import type { ServerResponse } from "node:http";
import { PassThrough } from "node:stream";
import type { FastifyInstance } from "fastify";
import type { Identity } from "../auth/identity.js";
import { type Ctx, caller } from "../context.js";
import { serveQuery } from "../data/dispatch.js";
import { jsonObject } from "../http/body.js";
import type { ServingAccess } from "./ai-query.js";
import type { Query } from "./query-params.js";
import { RESULT_LINK_PREFIX, type StatementOptions, StatementStore } from "./statements.js";
import { registerUnityCatalogRoutes } from "./unity-catalog-routes.js";
import { WarehouseStore } from "./warehouses.js";

const WH = "/api/2.0/sql/warehouses";
const ST = "/api/2.0/sql/statements";

/** In-process serving access for ai_query: the same path as HTTP queries (CAN QUERY, readiness, engines). */
const servingFor =
  (ctx: Ctx) =>
  (identity: Identity): ServingAccess => ({
    taskOf: (name) => ctx.endpoints.get(name).task,
    query: async (name, body) => {
      const res = new PassThrough() as unknown as ServerResponse;
      const answer = await serveQuery(
        ctx,
        { identity, res, requestId: "ai_query", fault: null },
        name,
        body,
        { route: "invocations" },
      );
      if (answer.kind !== "json") throw new Error(`Endpoint '${name}' answered with a stream.`);
      return answer.body;
    },
  });

export interface SqlService {
  warehouses: WarehouseStore;
  statements: StatementStore;
  defaultWarehouseId: string;
}

/** Builds the warehouse and statement stores (called once by `startEmulator`). */
export const createSqlService = (
  ctx: Ctx,
  options: StatementOptions & { transitionMs: number; creator: string },
): SqlService => {
  const warehouses = new WarehouseStore(ctx.unityCatalog, ctx.clock, options.transitionMs, ctx.baseUrl);
  const defaultWarehouseId = warehouses.ensureDefault(options.creator);
  const statements = new StatementStore({
    uc: ctx.unityCatalog,
    warehouses,
    clock: ctx.clock,
    serving: servingFor(ctx),
    baseUrl: ctx.baseUrl,
    options,
  });
  return { warehouses, statements, defaultWarehouseId };
};

export const registerSqlRoutes = (app: FastifyInstance, ctx: Ctx, sql: SqlService): void => {
  const { warehouses, statements } = sql;

  // ---- warehouses ----
  app.get<{ Querystring: Query }>(WH, async () => {
    const list = warehouses.list();
    return list.length === 0 ? {} : { warehouses: list };
  });
  app.post(WH, async (req) => ({ id: warehouses.create(jsonObject(req.body), caller(req).name) }));
  app.get<{ Params: { id: string } }>(`${WH}/:id`, async (req) => warehouses.render(req.params.id));
  app.post<{ Params: { id: string } }>(`${WH}/:id/edit`, async (req) => {
    warehouses.edit(req.params.id, jsonObject(req.body));
    return {};
  });
  app.post<{ Params: { id: string } }>(`${WH}/:id/start`, async (req) => {
    warehouses.start(req.params.id);
    return {};
  });
  app.post<{ Params: { id: string } }>(`${WH}/:id/stop`, async (req) => {
    warehouses.stop(req.params.id);
    return {};
  });
  app.delete<{ Params: { id: string } }>(`${WH}/:id`, async (req) => {
    warehouses.delete(req.params.id);
    return {};
  });

  // ---- statements ----
  app.post(ST, async (req) => statements.execute(jsonObject(req.body), caller(req)));
  app.get<{ Params: { id: string } }>(`${ST}/:id`, async (req) =>
    statements.status(req.params.id, caller(req)),
  );
  app.get<{ Params: { id: string; n: string } }>(`${ST}/:id/result/chunks/:n`, async (req) =>
    statements.chunk(req.params.id, Number(req.params.n), caller(req)),
  );
  app.post<{ Params: { id: string } }>(`${ST}/:id/cancel`, async (req) => {
    statements.cancel(req.params.id, caller(req));
    return {};
  });
  app.get<{ Params: { id: string; n: string }; Querystring: Query }>(
    `${RESULT_LINK_PREFIX}/:id/:n`,
    { config: { public: true } },
    async (req, reply) => {
      if (statements.linkLatencyMs > 0) await new Promise((r) => setTimeout(r, statements.linkLatencyMs));
      const r = statements.download(
        req.params.id,
        Number(req.params.n),
        req.query,
        req.headers.authorization,
      );
      reply.code(r.status).type(r.type);
      return r.body;
    },
  );

  registerUnityCatalogRoutes(app, ctx);
};
