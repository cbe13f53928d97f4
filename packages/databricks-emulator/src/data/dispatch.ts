import type { ServerResponse } from "node:http";
import type { Identity } from "../auth/identity.js";
import type { EmulatorContext } from "../context.js";
import { requireLevel } from "../control/permissions.js";
import type { EndpointRecord, ServedEntity } from "../control/types.js";
import {
  type EngineHandler,
  type EngineModel,
  type EngineRoute,
  runChat,
  runChatAgent,
  runCompletions,
  runEmbeddings,
  runResponses,
} from "../engines/index.js";
import { ApiError, badRequest, notFound } from "../errors.js";
import { isHeavyGeneration, runOffloaded } from "../offload/offload.js";
import { isObject } from "../util/json.js";
import { invokeAgent, invokePyfunc, type Outcome, parsePyfuncInput } from "./custom.js";
import { type Backend, backendFor } from "./entities.js";
import { type ProxyPath, proxyExternal, proxyPathForTask } from "./external.js";
import { validateExternalRequest } from "./external-request.js";
import { type ResponseTarget, writeSse } from "./sse.js";

/** How the request arrived: the native invocations path or one of the OpenAI-compatible routes. */
export type Entry = { route: "invocations" } | { route: "openai"; path: ProxyPath };

const ENGINE_BY_TASK: Record<string, EngineHandler> = {
  "llm/v1/chat": runChat,
  "llm/v1/completions": runCompletions,
  "llm/v1/embeddings": runEmbeddings,
  "agent/v1/chat": runChatAgent,
  "agent/v1/responses": runResponses,
};

const ENGINE_BY_PATH: Record<ProxyPath, EngineHandler> = {
  "chat/completions": runChat,
  completions: runCompletions,
  embeddings: runEmbeddings,
  responses: runResponses,
};

/** Which tasks each OpenAI-compatible path can serve. */
const PATH_TASKS: Record<ProxyPath, string[]> = {
  "chat/completions": ["llm/v1/chat", "agent/v1/chat"],
  completions: ["llm/v1/completions"],
  embeddings: ["llm/v1/embeddings"],
  responses: ["llm/v1/chat", "agent/v1/responses"],
};

/** Deterministic split: slot = (n * 37) mod 100 visits every percent exactly once per 100 requests. */
const pickByTraffic = (ep: EndpointRecord, counter: number): ServedEntity => {
  const config = ep.config!;
  const slot = (counter * 37) % 100;
  let acc = 0;
  for (const r of config.routes) {
    acc += r.traffic_percentage;
    if (slot < acc) return config.servedEntities.find((e) => e.name === r.served_entity_name)!;
  }
  return config.servedEntities[0]!;
};

/** Refuses queries to endpoints that have no ready config (spec/serving.md 3.6). */
const assertReady = (ep: EndpointRecord): void => {
  if (ep.config) return;
  if (ep.pending && !ep.pending.failed) {
    throw new ApiError(
      503,
      "TEMPORARILY_UNAVAILABLE",
      `Endpoint '${ep.name}' is not ready yet: its configuration is still being deployed.`,
      { headers: { "retry-after": "1" } },
    );
  }
  throw new ApiError(
    400,
    "INVALID_STATE",
    `Endpoint '${ep.name}' has no ready served entities. Update its config with PUT /api/2.0/serving-endpoints/${ep.name}/config.`,
  );
};

const checkTaskFits = (ep: EndpointRecord, task: string | undefined, entry: Entry): void => {
  if (entry.route !== "openai" || task === undefined) return;
  if (!PATH_TASKS[entry.path].includes(task)) {
    throw badRequest(
      `Bad request: endpoint '${ep.name}' serves task ${task}, which /serving-endpoints/${entry.path} does not support.`,
    );
  }
};

const runEngine = (
  backendModel: EngineModel,
  body: unknown,
  entry: Entry,
  signal: () => AbortSignal,
): Outcome | Promise<Outcome> => {
  if (!isObject(body)) throw badRequest("Bad request: the request body must be a JSON object.");
  const handler = entry.route === "openai" ? ENGINE_BY_PATH[entry.path] : ENGINE_BY_TASK[backendModel.task];
  if (!handler) throw badRequest(`Bad request: task ${backendModel.task} cannot be queried here.`);
  const route: EngineRoute = entry.route;
  // Big generations run on a worker thread so they cannot stall other requests (offload/offload.ts).
  if (isHeavyGeneration(body))
    return runOffloaded(handler, body, backendModel, route, signal()) as Promise<unknown> as Promise<Outcome>;
  return handler(body, backendModel, route);
};

/** Aborts upstream work when the client goes away (created only for proxied requests: it is not free). */
const abortOnClose = (res: ServerResponse): AbortSignal => {
  const abort = new AbortController();
  res.once("close", () => {
    if (!res.writableEnded) abort.abort();
  });
  return abort.signal;
};

/** Built-in engines answer synchronously; custom and external models return a promise. */
const runBackend = (
  backend: Backend,
  body: unknown,
  ctx: EmulatorContext,
  entry: Entry,
  signal: () => AbortSignal,
): Outcome | Promise<Outcome> => {
  switch (backend.kind) {
    case "engine":
      return runEngine(backend.model, body, entry, signal);
    case "custom":
      if (backend.model.kind === "chat-agent" || backend.model.kind === "responses-agent") {
        return invokeAgent(backend.model, body);
      }
      return invokePyfunc(backend.model, body).then((out): Outcome => ({ kind: "json", body: out }));
    case "external": {
      if (!isObject(body)) throw badRequest("Bad request: the request body must be a JSON object.");
      const task = (backend.entity.spec.external_model as { task?: unknown }).task;
      const path = entry.route === "openai" ? entry.path : proxyPathForTask(task);
      validateExternalRequest(path, body);
      return proxyExternal(backend.entity, body, path, ctx.secrets, ctx.defaultOpenAiApiBase, signal(), {
        allowExternalNetwork: ctx.allowExternalNetwork,
      });
    }
    case "missing":
      // Input-format errors are the caller's (400) and are reported before the missing model (wire order).
      parsePyfuncInput(body);
      throw new ApiError(
        500,
        "INTERNAL_ERROR",
        `Model ${String(backend.entity.spec.entity_name)} version ${String(backend.entity.spec.entity_version)} failed to load: no custom model is registered for this entity_name. Register it with startEmulator({ models }) or --models FILE.`,
      );
  }
};

const counters = new WeakMap<EndpointRecord, number>();

/** A query's caller and where its answer goes. */
export interface QueryCall extends ResponseTarget {
  identity: Identity;
}

/** A JSON answer for the caller to write, or `streamed` once an SSE stream has been written to the response. */
export type QueryAnswer =
  | { kind: "json"; body: unknown; headers: Record<string, string> }
  | { kind: "streamed" };

const STREAMED: QueryAnswer = { kind: "streamed" };

/**
 * Serves one query: resolve endpoint, CAN_QUERY, readiness, rate limits, traffic split, then the backend;
 * JSON answers come back with the `served-model-name` header, streams are written here with it. Built-in engines
 * answer synchronously (the hot path takes no promise hop); anything else returns a promise. Throws the envelope.
 */
export const serveQuery = (
  ctx: EmulatorContext,
  call: QueryCall,
  endpointName: string,
  body: unknown,
  entry: Entry,
  servedModel?: string,
): QueryAnswer | Promise<QueryAnswer> => {
  const ep = ctx.endpoints.get(endpointName);
  const id = call.identity;
  requireLevel(ep, id, "CAN_QUERY");
  assertReady(ep);
  ctx.rateLimiter.check(ep, id);
  ctx.stats.countEndpoint(ep.name);
  let entity: ServedEntity;
  if (servedModel !== undefined) {
    const found = ep.config!.servedEntities.find((e) => e.name === servedModel);
    if (!found) throw notFound(`Served model '${servedModel}' does not exist in endpoint '${ep.name}'.`);
    entity = found;
  } else {
    const n = counters.get(ep) ?? 0;
    counters.set(ep, n + 1);
    entity = pickByTraffic(ep, n);
  }
  checkTaskFits(ep, ep.task, entry);
  const backend = backendFor(entity, ep.name, ctx.models);
  const headers = { "served-model-name": entity.name };
  const answer = (outcome: Outcome): QueryAnswer | Promise<QueryAnswer> =>
    outcome.kind === "json"
      ? { kind: "json", body: outcome.body, headers }
      : writeSse(call, outcome.events, headers).then(() => STREAMED);
  const outcome = runBackend(backend, body, ctx, entry, () => abortOnClose(call.res));
  return outcome instanceof Promise ? outcome.then(answer) : answer(outcome);
};
