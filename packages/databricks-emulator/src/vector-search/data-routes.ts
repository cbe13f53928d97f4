/**
 * Vector Search data routes: query (with result paging), scan, upsert-data and delete-data, on the workspace URL
 * (personal access tokens, workspace OAuth) and on the index data-plane URL (`status.index_url`, OAuth tokens
 * scoped with authorization_details only). Wire shapes: packages/databricks-emulator/spec/vector-search.md.
 */
import { randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Identity } from "../auth/identity.js";
import { type Ctx, caller } from "../context.js";
import { invalidParameter, permissionDenied } from "../errors.js";
import { jsonObject, readBody } from "../http/body.js";
import { isObject, type JsonObject } from "../util/json.js";
import { maybeContinuousSync, visibleIndex } from "./index-access.js";
import { DATA_PLANE_PREFIX, VS_API as V } from "./paths.js";
import { PAGE_SIZE, parseQuery, runQuery } from "./query.js";
import type { VectorSearchStore } from "./store.js";
import type { VsIndexMeta } from "./store-types.js";

const BODY_LIMIT = 64 * 1024 * 1024;
const PAGE_TOKEN_TTL_MS = 10 * 60 * 1000;

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

type Op = "query" | "query-next-page" | "scan" | "upsert-data" | "delete-data";
const WRITE_OPS = new Set<Op>(["upsert-data", "delete-data"]);

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

export const registerVectorSearchDataRoutes = (
  app: FastifyInstance,
  ctx: Ctx,
  store: VectorSearchStore,
): void => {
  // Open result cursors, oldest evicted first beyond 1000.
  const pages = new Map<string, PageCursor>();

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
    await maybeContinuousSync(store, idx, who);
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

  const dataOp = async (op: Op, req: FastifyRequest, name: string, who: Identity): Promise<JsonObject> => {
    const body = await bodyOf(req);
    if (WRITE_OPS.has(op)) {
      const idx = store.index(name);
      store.require(idx, who, "MODIFY");
      store.requireOnline(idx);
      if (op === "upsert-data") return store.upsert(who, idx, body.inputs_json) as unknown as JsonObject;
      return store.deleteRows(idx, primaryKeysOf(req, body)) as unknown as JsonObject;
    }
    const idx = visibleIndex(store, name, who);
    if (op === "query") return query(idx, who, body);
    if (op === "query-next-page") return nextPage(idx, body);
    store.requireOnline(idx);
    await maybeContinuousSync(store, idx, who);
    return store.scan(idx, body.last_primary_key, body.num_results);
  };

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
};
