import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import Fastify, { type FastifyInstance } from "fastify";
import { callerIdentifier } from "./auth/authenticate.js";
import { DEFAULT_ADMIN } from "./auth/identity.js";
import { registerAuthRoutes } from "./auth/routes.js";
import { type AuthSnapshot, AuthStore } from "./auth/store.js";
import type { Ctx } from "./context.js";
import { foundationRecord } from "./control/foundation.js";
import { registerControlRoutes } from "./control/routes.js";
import { EndpointStore, type EndpointsSnapshot } from "./control/store.js";
import { taskForEntity } from "./data/entities.js";
import { OPENAI_DEFAULT_BASE } from "./data/external.js";
import { LOCAL_OPENAI_PREFIX, registerLocalOpenAi } from "./data/local-openai.js";
import { createDataPlane, matchDataRoute } from "./data/plane.js";
import { RateLimiter } from "./data/rate-limiter.js";
import { FOUNDATION_MODELS } from "./engines/index.js";
import { FaultController, truncatedForFault } from "./faults/controller.js";
import { ADMIN_PREFIX, registerAdminRoutes } from "./faults/routes.js";
import { Stats } from "./faults/stats.js";
import { toErrorResponse } from "./http/envelope.js";
import { registerLakebaseRoutes } from "./lakebase/routes.js";
import type { AdminApi, EmulatorHandle, EmulatorOptions } from "./options.js";
import { ClusterRegistry, DEFAULT_CLUSTER_ID } from "./proxy/clusters.js";
import { DRIVER_PROXY_PREFIX, handleDriverProxy } from "./proxy/driver-proxy.js";
import { registerSecretsRoutes } from "./secrets/routes.js";
import { type SecretsSnapshot, SecretsStore } from "./secrets/store.js";
import { Persister } from "./state/persist.js";
import { Clock } from "./util/clock.js";
import { newWorkspaceId } from "./util/ids.js";

interface WorkspaceSnapshot {
  workspaceId: string;
  auth: AuthSnapshot;
  endpoints: EndpointsSnapshot;
  secrets: SecretsSnapshot;
  clusters: string[];
}

const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;

const checkOptions = (o: EmulatorOptions): void => {
  const nonNegInt = (v: unknown, name: string) => {
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < 0)) {
      throw new TypeError(`startEmulator: options.${name} must be a non-negative integer, got ${String(v)}`);
    }
  };
  nonNegInt(o.port, "port");
  if (o.port !== undefined && o.port > 65535)
    throw new TypeError(`startEmulator: options.port must be <= 65535`);
  nonNegInt(o.transitionMs, "transitionMs");
  nonNegInt(o.bodyLimit, "bodyLimit");
  nonNegInt(o.tokenTtlSeconds, "tokenTtlSeconds");
  nonNegInt(o.databaseCredentialTtlSeconds, "databaseCredentialTtlSeconds");
  if (o.tokenTtlSeconds === 0)
    throw new TypeError("startEmulator: options.tokenTtlSeconds must be at least 1");
  const fm = o.foundationModels;
  if (fm !== undefined && fm !== false) {
    if (!Array.isArray(fm))
      throw new TypeError("startEmulator: options.foundationModels must be false or a list of names");
    const known = FOUNDATION_MODELS.map((f) => f.endpointName);
    for (const name of fm) {
      if (!known.includes(name)) {
        throw new TypeError(
          `startEmulator: options.foundationModels names an unknown endpoint ${JSON.stringify(name)}; known: ${known.join(", ")}`,
        );
      }
    }
  }
  for (const [name, m] of Object.entries(o.models ?? {})) {
    if (typeof m?.predict !== "function") {
      throw new TypeError(
        `startEmulator: options.models["${name}"] needs a predict(records, params) function`,
      );
    }
  }
};

/** The foundation endpoints to pre-provision: all by default, none with `false`, or the named subset. */
const seededFoundationModels = (option: EmulatorOptions["foundationModels"]) => {
  if (option === undefined) return FOUNDATION_MODELS;
  if (option === false) return [];
  return FOUNDATION_MODELS.filter((f) => option.includes(f.endpointName));
};

const pathOf = (url: string): string => {
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
};

/**
 * Starts a local Databricks workspace emulator (Model Serving, Secrets, auth, driver proxy, faults).
 * Binds 127.0.0.1 on a random port by default; call `close()` when done.
 */
export const startEmulator = async (options: EmulatorOptions = {}): Promise<EmulatorHandle> => {
  checkOptions(options);
  const clock = new Clock();
  const persister = new Persister(options.dataDir);
  const snap = persister.load<WorkspaceSnapshot>();
  let loaded = false;
  // Set below, once all stores exist; mutations before that are part of loading, not new state.
  let collect: () => WorkspaceSnapshot = () => {
    throw new Error("workspace not initialised");
  };
  const persist = () => {
    if (loaded) persister.save(collect());
  };

  const auth = new AuthStore(clock, options, snap?.auth);
  const secrets = new SecretsStore(clock, persist, snap?.secrets);
  const models = new Map(Object.entries(options.models ?? {}));
  const endpoints = new EndpointStore(
    {
      clock,
      transitionMs: options.transitionMs ?? 200,
      onChange: persist,
      taskFor: (entity) => taskForEntity(entity, models),
    },
    snap?.endpoints,
  );
  const startedAt = clock.now();
  for (const f of seededFoundationModels(options.foundationModels))
    endpoints.seed(foundationRecord(f, startedAt));
  const clusters = new ClusterRegistry(persist, [...(snap?.clusters ?? []), ...(options.clusters ?? [])]);
  const workspaceId = options.workspaceId ?? snap?.workspaceId ?? newWorkspaceId();
  collect = () => ({
    workspaceId,
    auth: auth.snapshot(),
    endpoints: endpoints.snapshot(),
    secrets: secrets.snapshot(),
    clusters: clusters.list(),
  });
  loaded = true;

  const faults = new FaultController();
  const stats = new Stats(options.requestLog !== false);
  let baseUrl = "";
  const ctx: Ctx = {
    clock,
    auth,
    endpoints,
    secrets,
    models,
    clusters,
    faults,
    stats,
    rateLimiter: new RateLimiter(clock),
    workspaceId,
    identify: callerIdentifier(auth, options.auth !== false),
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    defaultOpenAiApiBase: options.defaultOpenAiApiBase ?? OPENAI_DEFAULT_BASE,
    baseUrl: () => baseUrl,
  };

  const proxyDeps = {
    auth,
    clusters,
    workspaceId,
    record: (method: string, path: string, status: number, principal: string | undefined) =>
      stats.record(
        { at: clock.now(), method, path, route: `${DRIVER_PROXY_PREFIX}*`, status, principal },
        undefined,
      ),
  };

  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const serveData = createDataPlane(ctx, {
    bodyLimit,
    log: options.logRequests ? (line) => app.log.info(line, "request completed") : undefined,
  });

  const app: FastifyInstance = Fastify({
    logger: options.logRequests ? { level: "info" } : false,
    bodyLimit,
    routerOptions: { maxParamLength: 1000 },
    genReqId: () => randomUUID(),
    forceCloseConnections: true,
    // Malformed URLs and similar framework-level failures still get the Databricks envelope.
    frameworkErrors: (err, req, reply) => {
      const r = toErrorResponse(err, req.id);
      reply.raw.writeHead(r.status, {
        "content-type": "application/json",
        "x-request-id": req.id,
        ...r.headers,
      });
      reply.raw.end(JSON.stringify(r.body));
    },
    // The driver proxy streams raw bodies both ways and the data plane is the hot path: both run below Fastify.
    serverFactory: (handler) =>
      createServer((req: IncomingMessage, res: ServerResponse) => {
        const url = req.url ?? "/";
        if (url.startsWith(DRIVER_PROXY_PREFIX)) return handleDriverProxy(req, res, proxyDeps);
        const path = pathOf(url);
        const route = matchDataRoute(req.method, path);
        if (route) serveData(req, res, route, path);
        else handler(req, res);
      }),
  });
  app.decorateRequest("identity", null);
  app.decorateRequest("fault", null);
  // One raw parser for every content type: routes parse JSON themselves to answer with the spec's envelope.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

  app.addHook("onRequest", (req, reply, done) => {
    reply.header("x-request-id", req.id);
    const proceed = () => {
      if (req.routeOptions.config?.public) return done();
      try {
        req.identity = ctx.identify(req.headers.authorization, req.id);
        done();
      } catch (err) {
        done(err as Error);
      }
    };
    if (req.url.startsWith(ADMIN_PREFIX)) return proceed();
    faults.gate(req.method, pathOf(req.url), (injected, fault) => {
      req.fault = fault;
      if (injected) done(injected);
      else proceed();
    });
  });

  app.addHook("onSend", (req, _reply, payload, done) => {
    if (req.fault?.malformedJson && typeof payload === "string" && payload.length > 1) {
      return done(null, truncatedForFault(payload));
    }
    done(null, payload);
  });

  app.addHook("onResponse", (req, reply, done) => {
    stats.record(
      {
        at: clock.now(),
        method: req.method,
        path: pathOf(req.url),
        route: req.routeOptions.url ?? "(unmatched)",
        status: reply.raw.statusCode,
        principal: req.identity?.name,
        fault: req.fault ? JSON.stringify(req.fault) : undefined,
      },
      req.body,
    );
    done();
  });

  app.setErrorHandler((err, req, reply) => {
    const r = toErrorResponse(err, req.id);
    reply.code(r.status).headers(r.headers).type("application/json").send(r.body);
  });

  app.setNotFoundHandler((req, reply) => {
    const path = pathOf(req.url);
    const m = /^\/api\/(\d+\.\d+)(\/.*)?$/.exec(path);
    if (m && m[1] !== "2.0") {
      reply
        .code(404)
        .type("application/json")
        .send({ error: `Bad Target: ${path}` });
      return;
    }
    const shown = m ? (m[2] ?? "/") : path;
    reply
      .code(404)
      .type("application/json")
      .send({ error_code: "ENDPOINT_NOT_FOUND", message: `No API found for '${req.method} ${shown}'` });
  });

  const admin: AdminApi = {
    setFaults: (rules, seed) => faults.set(rules, seed),
    clearFaults: () => faults.clear(),
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    expireTokens: () => {
      auth.expireAll();
      persist();
    },
    advanceClock: (ms) => clock.advance(ms),
    now: () => clock.now(),
    failNextUpdate: (name) => endpoints.failNextUpdate(name),
    revokeDatabaseCredentials: () => lakebase.revokeCredentials(),
    registerModel: (name, model) => {
      if (typeof model?.predict !== "function")
        throw new TypeError(`registerModel("${name}") needs a predict function`);
      models.set(name, model);
    },
  };

  registerAuthRoutes(app, ctx);
  registerControlRoutes(app, ctx);
  registerSecretsRoutes(app, ctx);
  const lakebase = registerLakebaseRoutes(app, ctx, {
    dataDir: options.dataDir,
    credentialTtlSeconds: options.databaseCredentialTtlSeconds,
  });
  registerLocalOpenAi(app);
  if (options.faults) registerAdminRoutes(app, admin);

  const host = options.host ?? "127.0.0.1";
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? 0);
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  baseUrl = `http://${urlHost}:${port}`;
  persist();

  let closed: Promise<void> | undefined;
  return {
    url: baseUrl,
    host: urlHost,
    port,
    token: auth.adminToken,
    userName: DEFAULT_ADMIN,
    workspaceId,
    openaiApiBase: `${baseUrl}${LOCAL_OPENAI_PREFIX}`,
    defaultClusterId: DEFAULT_CLUSTER_ID,
    users: auth.users.map((u) => ({ ...u })),
    registerCluster: (id) => clusters.add(id),
    admin,
    close: () => {
      closed ??= app.close().then(() => lakebase.close());
      return closed;
    },
  };
};
