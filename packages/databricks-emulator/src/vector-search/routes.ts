/**
 * Vector Search API routes: endpoints and indexes on the workspace URL; the data routes (query, scan, upsert,
 * delete, also on the index data-plane URL `status.index_url`) are in data-routes.ts and the index grants in
 * grant-routes.ts. Wire shapes: packages/databricks-emulator/spec/vector-search.md.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Identity } from "../auth/identity.js";
import { type Ctx, caller } from "../context.js";
import { invalidParameter } from "../errors.js";
import { jsonObject } from "../http/body.js";
import { registerVectorSearchDataRoutes } from "./data-routes.js";
import { registerVectorSearchEndpointPermissionRoutes } from "./endpoint-permission-routes.js";
import { registerVectorSearchGrantRoutes } from "./grant-routes.js";
import { maybeContinuousSync, visibleIndex } from "./index-access.js";
import { DATA_PLANE_PREFIX, VS_API as V } from "./paths.js";
import { renderEndpoint, renderIndex } from "./render.js";
import type { VectorSearchStore } from "./store.js";
import type { VsEndpoint, VsIndexMeta } from "./store-types.js";

// Moved to paths.ts; re-exported so importers of this module keep working.
export { DATA_PLANE_PREFIX } from "./paths.js";

/** The Vector Search routes over `store` (`createVectorSearchService` in service.ts). */
export const registerVectorSearchRoutes = (
  app: FastifyInstance,
  ctx: Ctx,
  store: VectorSearchStore,
): void => {
  const hostPath = () => ctx.baseUrl().replace(/^https?:\/\//, "");
  const indexUrl = (idx: VsIndexMeta) => `${hostPath()}${DATA_PLANE_PREFIX}/indexes/${idx.name}`;
  const endpointJson = (ep: VsEndpoint) => renderEndpoint(store, ep);
  const indexJson = (idx: VsIndexMeta, full: boolean) => renderIndex(store, idx, full, indexUrl);

  // ----- endpoints -----
  app.post(`${V}/endpoints`, async (req) =>
    endpointJson(store.createEndpoint(caller(req), jsonObject(req.body))),
  );
  app.get<{ Querystring: { page_token?: string } }>(`${V}/endpoints`, async (req) => {
    const all = [...store.endpoints.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    const start = req.query.page_token ? Number(req.query.page_token) : 0;
    if (!Number.isInteger(start) || start < 0) throw invalidParameter("page_token is invalid.");
    const size = 100;
    const page = all.slice(start, start + size);
    return {
      ...(page.length > 0 ? { endpoints: page.map(endpointJson) } : {}),
      ...(start + size < all.length ? { next_page_token: String(start + size) } : {}),
    };
  });
  app.get<{ Params: { ep: string } }>(`${V}/endpoints/:ep`, async (req) =>
    endpointJson(store.endpoint(req.params.ep)),
  );
  app.delete<{ Params: { ep: string } }>(`${V}/endpoints/:ep`, async (req) => {
    store.deleteEndpoint(caller(req), req.params.ep);
    return {};
  });

  // ----- indexes -----
  const createIndex = async (req: FastifyRequest, endpoint?: string) =>
    indexJson(await store.createIndex(caller(req), jsonObject(req.body), endpoint), true);
  const listIndexes = (who: Identity, endpoint?: string) => {
    const list = store.listIndexes(who, endpoint);
    return list.length > 0 ? { vector_indexes: list.map((i) => indexJson(i, false)) } : {};
  };
  app.post(`${V}/indexes`, async (req) => createIndex(req));
  app.post<{ Params: { ep: string } }>(`${V}/endpoints/:ep/indexes`, async (req) =>
    createIndex(req, req.params.ep),
  );
  app.get<{ Querystring: { endpoint_name?: string } }>(`${V}/indexes`, async (req) =>
    listIndexes(caller(req), req.query.endpoint_name || undefined),
  );
  app.get<{ Params: { ep: string } }>(`${V}/endpoints/:ep/indexes`, async (req) =>
    listIndexes(caller(req), req.params.ep),
  );
  const getIndex = async (req: FastifyRequest, name: string) => {
    const who = caller(req);
    const idx = visibleIndex(store, name, who);
    await maybeContinuousSync(store, idx, who);
    return indexJson(idx, true);
  };
  app.get<{ Params: { idx: string } }>(`${V}/indexes/:idx`, async (req) => getIndex(req, req.params.idx));
  app.get<{ Params: { ep: string; idx: string } }>(`${V}/endpoints/:ep/indexes/:idx`, async (req) =>
    getIndex(req, req.params.idx),
  );
  const deleteIndex = async (req: FastifyRequest, name: string) => {
    store.deleteIndex(caller(req), name);
    return {};
  };
  app.delete<{ Params: { idx: string } }>(`${V}/indexes/:idx`, async (req) =>
    deleteIndex(req, req.params.idx),
  );
  app.delete<{ Params: { ep: string; idx: string } }>(`${V}/endpoints/:ep/indexes/:idx`, async (req) =>
    deleteIndex(req, req.params.idx),
  );
  app.post<{ Params: { idx: string } }>(`${V}/indexes/:idx/sync`, async (req) => {
    const who = caller(req);
    const idx = store.index(req.params.idx);
    store.require(idx, who, "MODIFY");
    if (idx.delta?.pipelineType === "CONTINUOUS") {
      throw invalidParameter(
        `Index ${idx.name} uses a CONTINUOUS pipeline; sync applies to TRIGGERED pipelines only.`,
      );
    }
    store.requireOnline(idx);
    await store.sync(idx, who);
    return {};
  });

  registerVectorSearchDataRoutes(app, ctx, store);
  registerVectorSearchGrantRoutes(app, store);
  registerVectorSearchEndpointPermissionRoutes(app, ctx, store);
};
