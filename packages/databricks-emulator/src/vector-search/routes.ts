/**
 * Vector Search API routes: endpoints, indexes, data and query, on the workspace URL and on the index data-plane
 * URL (`status.index_url`). Wire shapes: packages/databricks-emulator/spec/vector-search.md.
 */
import { randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Identity } from "../auth/identity.js";
import { type Ctx, caller } from "../context.js";
import { backendFor } from "../data/entities.js";
import { embedText } from "../engines/embedding-space.js";
import { modelSeed } from "../engines/feature-vectors.js";
import { invalidParameter, notFound, permissionDenied } from "../errors.js";
import { jsonObject, readBody } from "../http/body.js";
import { isObject, type JsonObject } from "../util/json.js";
import { VectorSearchPersister } from "./persist.js";
import { PAGE_SIZE, parseQuery, runQuery } from "./query.js";
import { type SourceTables, UNAVAILABLE_SOURCE_TABLES } from "./source-tables.js";
import {
  type Embedder,
  type Privilege,
  VectorSearchStore,
  type VsEndpoint,
  type VsIndexMeta,
} from "./store.js";

const V = "/api/2.0/vector-search";
/** Where `status.index_url` points: the emulator's stand-in for the per-index data-plane host. */
export const DATA_PLANE_PREFIX = `${V}/data-plane`;
const BODY_LIMIT = 64 * 1024 * 1024;
const PAGE_TOKEN_TTL_MS = 10 * 60 * 1000;

export interface VectorSearchOptions {
  dataDir?: string;
  transitionMs: number;
  sourceTables?: SourceTables;
}

/** Embeddings from the workspace's own serving endpoints, computed in-process (no HTTP hop). */
const embedderFor =
  (ctx: Ctx): Embedder =>
  (endpointName, texts) => {
    const ep = ctx.endpoints.find(endpointName);
    if (!ep) {
      throw invalidParameter(
        `embedding_model_endpoint_name: serving endpoint '${endpointName}' does not exist.`,
      );
    }
    const entity = ep.config?.servedEntities[0];
    const backend = entity ? backendFor(entity, ep.name, ctx.models) : undefined;
    if (backend?.kind !== "engine" || backend.model.task !== "llm/v1/embeddings") {
      throw invalidParameter(
        `embedding_model_endpoint_name: serving endpoint '${endpointName}' is not an emulated embedding endpoint (task llm/v1/embeddings).`,
      );
    }
    const dim = backend.model.dimensions ?? 1024;
    const seed = modelSeed(backend.model.modelName);
    return { dim, vectors: texts.map((t) => embedText(t, dim, seed).vector) };
  };

/** JSON body of any method: GET bodies are not read by Fastify (real clients send them), so read them here. */
const bodyOf = (req: FastifyRequest): Promise<JsonObject> => {
  if (req.method !== "GET" || req.body !== undefined) return Promise.resolve(jsonObject(req.body));
  if (req.raw.readableEnded) return Promise.resolve({});
  return new Promise((resolve, reject) =>
    readBody(req.raw, BODY_LIMIT, (err, buf) => {
      if (err) reject(err);
      else {
        try {
          resolve(jsonObject(buf));
        } catch (e) {
          reject(e);
        }
      }
    }),
  );
};

interface PageCursor {
  index: string;
  manifest: JsonObject;
  rows: unknown[][];
  expiresAt: number;
}

export const registerVectorSearchRoutes = (
  app: FastifyInstance,
  ctx: Ctx,
  options: VectorSearchOptions,
): VectorSearchStore => {
  const persister = options.dataDir ? new VectorSearchPersister(options.dataDir) : undefined;
  let loading = true;
  const store: VectorSearchStore = new VectorSearchStore({
    clock: ctx.clock,
    transitionMs: options.transitionMs,
    embed: embedderFor(ctx),
    sourceTables: options.sourceTables ?? UNAVAILABLE_SOURCE_TABLES,
    onChange: (changed) => {
      if (!loading) persister?.save(store, changed);
    },
  });
  persister?.load(store);
  loading = false;
  // Open result cursors, oldest evicted first beyond 1000.
  const pages = new Map<string, PageCursor>();

  const hostPath = () => ctx.baseUrl().replace(/^https?:\/\//, "");

  const renderEndpoint = (ep: VsEndpoint): JsonObject => {
    const online = store.endpointOnline(ep);
    let n = 0;
    for (const i of store.indexes.values()) if (i.endpointName === ep.name) n++;
    return {
      name: ep.name,
      id: ep.id,
      endpoint_type: ep.endpointType,
      endpoint_status: online
        ? { state: "ONLINE", message: "Endpoint is online." }
        : { state: "PROVISIONING", message: "Endpoint is being provisioned." },
      creator: ep.creator,
      creation_timestamp: ep.createdAt,
      last_updated_timestamp: online ? Math.max(ep.updatedAt, ep.readyAt) : ep.updatedAt,
      last_updated_user: ep.creator,
      num_indexes: n,
      ...(ep.budgetPolicyId
        ? { budget_policy_id: ep.budgetPolicyId, effective_budget_policy_id: ep.budgetPolicyId }
        : {}),
      scaling_info: { state: "SCALING_CHANGE_APPLIED", requested_target_qps: 0 },
    };
  };

  const indexUrl = (idx: VsIndexMeta) => `${hostPath()}${DATA_PLANE_PREFIX}/indexes/${idx.name}`;

  const renderIndex = (idx: VsIndexMeta, full: boolean): JsonObject => {
    const ep = store.endpoints.get(idx.endpointName);
    const base: JsonObject = {
      name: idx.name,
      endpoint_name: idx.endpointName,
      endpoint_id: ep?.id,
      primary_key: idx.primaryKey,
      index_type: idx.indexType,
      ...(idx.indexSubtype ? { index_subtype: idx.indexSubtype } : {}),
      creator: idx.creator,
    };
    if (!full) return base;
    const online = store.online(idx);
    const spec: JsonObject = { ...idx.spec };
    if (idx.indexType === "DIRECT_ACCESS") {
      spec.schema_json = JSON.stringify(idx.schema);
      if (idx.requestedSchemaJson !== undefined) spec.requested_schema_json = idx.requestedSchemaJson;
      base.direct_access_index_spec = spec;
    } else {
      spec.pipeline_id = idx.delta?.pipelineId;
      base.delta_sync_index_spec = spec;
    }
    const rows = store.dataOf(idx).size;
    base.status = {
      ready: online,
      detailed_state: store.detailedState(idx),
      indexed_row_count: online ? rows : 0,
      index_url: indexUrl(idx),
      message: online
        ? idx.indexType === "DIRECT_ACCESS"
          ? "Direct access index is ready."
          : `Index is online; last synced from ${idx.delta?.sourceTable}.`
        : "Index is being provisioned; it becomes ready once its endpoint is online.",
    };
    return base;
  };

  const visibleIndex = (name: string, who: Identity): VsIndexMeta => {
    const idx = store.index(name);
    if (!store.can(idx, who, "SELECT")) {
      throw permissionDenied(`User ${who.name} does not have SELECT on index ${name}.`);
    }
    return idx;
  };

  const targetOf = (idx: VsIndexMeta) => ({
    name: idx.name,
    schema: idx.schema,
    ...(idx.vectorColumn ? { vectorColumn: idx.vectorColumn } : {}),
    dim: idx.dim,
    managed: idx.sourceColumn !== undefined,
    hasVectors: idx.dim > 0,
    hasText: store.dataOf(idx).textColumns.length > 0,
    storageOptimized: store.endpoints.get(idx.endpointName)?.endpointType === "STORAGE_OPTIMIZED",
    ...(idx.indexSubtype ? { subtype: idx.indexSubtype } : {}),
  });

  const maybeContinuousSync = async (idx: VsIndexMeta, who: Identity) => {
    if (idx.delta?.pipelineType === "CONTINUOUS" && store.online(idx)) await store.sync(idx, who);
  };

  const answerPage = (cur: PageCursor, rows: unknown[][], debug?: JsonObject): JsonObject => {
    let token = "";
    if (rows.length > PAGE_SIZE) {
      token = randomBytes(18).toString("base64url");
      if (pages.size >= 1000) pages.delete(pages.keys().next().value as string);
      pages.set(token, {
        ...cur,
        rows: rows.slice(PAGE_SIZE),
        expiresAt: ctx.clock.now() + PAGE_TOKEN_TTL_MS,
      });
    }
    const page = rows.length > PAGE_SIZE ? rows.slice(0, PAGE_SIZE) : rows;
    return {
      manifest: cur.manifest,
      result: { row_count: page.length, data_array: page },
      next_page_token: token,
      ...(debug ? { debug_info: debug } : {}),
    };
  };

  const query = async (idx: VsIndexMeta, who: Identity, body: JsonObject): Promise<JsonObject> => {
    store.requireOnline(idx);
    const q = parseQuery(body, targetOf(idx));
    await maybeContinuousSync(idx, who);
    let vector: ArrayLike<number> | undefined = q.queryVector;
    if (!vector && q.queryType !== "FULL_TEXT" && idx.queryEndpoint) {
      vector = store.opts.embed(idx.queryEndpoint, [q.queryText as string], who).vectors[0];
    }
    const started = performance.now();
    const hits = runQuery(store.dataOf(idx), q, vector);
    const rows = hits.map((h) => [...q.columns.map((c) => store.cell(idx, h.slot, c)), h.score]);
    const manifest = {
      column_count: q.columns.length + 1,
      columns: [...q.columns.map((name) => ({ name })), { name: "score" }],
    };
    const debug =
      q.debugLevel >= 1 ? { response_time: performance.now() - started, warnings: [] } : undefined;
    return answerPage({ index: idx.name, manifest, rows: [], expiresAt: 0 }, rows, debug);
  };

  const nextPage = (idx: VsIndexMeta, body: JsonObject): JsonObject => {
    const token = body.page_token;
    if (typeof token !== "string" || token === "") throw invalidParameter("page_token is required.");
    const cur = pages.get(token);
    if (!cur || cur.index !== idx.name || cur.expiresAt <= ctx.clock.now()) {
      throw invalidParameter("page_token is invalid or expired; run the query again.");
    }
    pages.delete(token);
    return answerPage(cur, cur.rows);
  };

  const primaryKeysOf = (req: FastifyRequest, body: JsonObject): string[] => {
    const fromBody = body.primary_keys;
    if (fromBody !== undefined) {
      if (!Array.isArray(fromBody) || fromBody.some((k) => typeof k !== "string" && typeof k !== "number")) {
        throw invalidParameter("primary_keys must be a list of primary-key values.");
      }
      return fromBody.map(String);
    }
    const url = new URL(req.url, "http://x");
    return url.searchParams
      .getAll("primary_keys")
      .flatMap((v) => v.split(","))
      .map((s) => s.trim())
      .filter((s) => s !== "");
  };

  type Op = "query" | "query-next-page" | "scan" | "upsert-data" | "delete-data";
  const WRITE_OPS = new Set<Op>(["upsert-data", "delete-data"]);

  const dataOp = async (op: Op, req: FastifyRequest, name: string, who: Identity): Promise<JsonObject> => {
    const body = await bodyOf(req);
    if (WRITE_OPS.has(op)) {
      const idx = store.index(name);
      store.require(idx, who, "MODIFY");
      store.requireOnline(idx);
      if (op === "upsert-data") return store.upsert(who, idx, body.inputs_json) as unknown as JsonObject;
      return store.deleteRows(idx, primaryKeysOf(req, body)) as unknown as JsonObject;
    }
    const idx = visibleIndex(name, who);
    if (op === "query") return query(idx, who, body);
    if (op === "query-next-page") return nextPage(idx, body);
    store.requireOnline(idx);
    await maybeContinuousSync(idx, who);
    return store.scan(idx, body.last_primary_key, body.num_results);
  };

  // ----- endpoints -----
  app.post(`${V}/endpoints`, async (req) =>
    renderEndpoint(store.createEndpoint(caller(req), jsonObject(req.body))),
  );
  app.get<{ Querystring: { page_token?: string } }>(`${V}/endpoints`, async (req) => {
    const all = [...store.endpoints.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    const start = req.query.page_token ? Number(req.query.page_token) : 0;
    if (!Number.isInteger(start) || start < 0) throw invalidParameter("page_token is invalid.");
    const size = 100;
    const page = all.slice(start, start + size);
    return {
      ...(page.length > 0 ? { endpoints: page.map(renderEndpoint) } : {}),
      ...(start + size < all.length ? { next_page_token: String(start + size) } : {}),
    };
  });
  app.get<{ Params: { ep: string } }>(`${V}/endpoints/:ep`, async (req) =>
    renderEndpoint(store.endpoint(req.params.ep)),
  );
  app.delete<{ Params: { ep: string } }>(`${V}/endpoints/:ep`, async (req) => {
    store.deleteEndpoint(caller(req), req.params.ep);
    return {};
  });

  // ----- indexes -----
  const createIndex = async (req: FastifyRequest, endpoint?: string) =>
    renderIndex(await store.createIndex(caller(req), jsonObject(req.body), endpoint), true);
  const listIndexes = (who: Identity, endpoint?: string) => {
    const list = store.listIndexes(who, endpoint);
    return list.length > 0 ? { vector_indexes: list.map((i) => renderIndex(i, false)) } : {};
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
    const idx = visibleIndex(name, who);
    await maybeContinuousSync(idx, who);
    return renderIndex(idx, true);
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

  // ----- data on the workspace URL (PATs and workspace OAuth tokens) -----
  for (const op of ["query", "query-next-page", "scan"] as const) {
    for (const method of ["GET", "POST"] as const) {
      app.route<{ Params: { idx: string } }>({
        method,
        url: `${V}/indexes/:idx/${op}`,
        handler: async (req) => dataOp(op, req, req.params.idx, caller(req)),
      });
    }
  }
  app.post<{ Params: { idx: string } }>(`${V}/indexes/:idx/upsert-data`, async (req) =>
    dataOp("upsert-data", req, req.params.idx, caller(req)),
  );
  app.delete<{ Params: { idx: string } }>(`${V}/indexes/:idx/delete-data`, async (req) =>
    dataOp("delete-data", req, req.params.idx, caller(req)),
  );

  // ----- data on the data-plane URL: OAuth tokens scoped by authorization_details only -----
  const scopedCaller = (req: FastifyRequest, name: string, op: Op): Identity => {
    const who = caller(req);
    const header = req.headers.authorization ?? "";
    const token = header.toLowerCase().startsWith("bearer ") ? header.slice(7).trim() : "";
    const rec = ctx.auth.tokenRecord(token);
    if (rec?.kind !== "oauth") {
      throw permissionDenied(
        "The index data-plane URL (status.index_url) only accepts OAuth tokens scoped to the index with authorization_details; call the workspace URL with a personal access token.",
      );
    }
    const operation = WRITE_OPS.has(op) ? "WriteVectorIndex" : "ReadVectorIndex";
    const ok = (rec.authorizationDetails ?? []).some(
      (d) =>
        isObject(d) &&
        d.type === "unity_catalog_permission" &&
        d.securable_type === "table" &&
        d.securable_object_name === name &&
        d.operation === operation,
    );
    if (!ok) {
      throw permissionDenied(
        `The token is not scoped for ${operation} on index ${name}: request it from /oidc/v1/token with authorization_details [{"type":"unity_catalog_permission","securable_type":"table","securable_object_name":"${name}","operation":"${operation}"}].`,
      );
    }
    return who;
  };
  for (const op of ["query", "query-next-page", "scan", "upsert-data", "delete-data"] as const) {
    const methods =
      op === "upsert-data" ? ["POST"] : op === "delete-data" ? ["DELETE", "POST"] : ["GET", "POST"];
    for (const method of methods) {
      app.route<{ Params: { idx: string } }>({
        method: method as "GET",
        url: `${DATA_PLANE_PREFIX}/indexes/:idx/${op}`,
        handler: async (req) => dataOp(op, req, req.params.idx, scopedCaller(req, req.params.idx, op)),
      });
    }
  }

  // ----- index grants (Unity Catalog permissions on the index securable) -----
  const PRIVS = new Set<Privilege>(["SELECT", "MODIFY", "ALL_PRIVILEGES"]);
  const renderGrants = (idx: VsIndexMeta) => {
    const entries = Object.entries(idx.grants);
    return entries.length === 0
      ? {}
      : { privilege_assignments: entries.map(([principal, privileges]) => ({ principal, privileges })) };
  };
  const indexForGrants = (name: string): VsIndexMeta => {
    const idx = store.indexes.get(name);
    if (!idx) throw notFound(`Table '${name}' does not exist.`);
    return idx;
  };
  app.get<{ Params: { name: string } }>(`${V}/indexes/:name/permissions`, async (req) =>
    renderGrants(indexForGrants(req.params.name)),
  );
  app.patch<{ Params: { name: string } }>(`${V}/indexes/:name/permissions`, async (req) => {
    const who = caller(req);
    const idx = indexForGrants(req.params.name);
    if (!store.can(idx, who, "ALL_PRIVILEGES")) {
      throw permissionDenied(`User ${who.name} cannot change grants on index ${idx.name}.`);
    }
    const changes = jsonObject(req.body).changes;
    if (!Array.isArray(changes))
      throw invalidParameter("changes must be a list of {principal, add, remove}.");
    for (const [i, c] of changes.entries()) {
      if (!isObject(c) || typeof c.principal !== "string" || c.principal === "") {
        throw invalidParameter(`changes[${i}].principal is required.`);
      }
      const list = (v: unknown, f: string): Privilege[] => {
        if (v === undefined) return [];
        if (!Array.isArray(v) || v.some((p) => !PRIVS.has(p as Privilege))) {
          throw invalidParameter(`changes[${i}].${f} must list SELECT, MODIFY or ALL_PRIVILEGES.`);
        }
        return v as Privilege[];
      };
      store.grant(idx, c.principal, list(c.add, "add"), list(c.remove, "remove"));
    }
    return renderGrants(idx);
  });

  return store;
};
