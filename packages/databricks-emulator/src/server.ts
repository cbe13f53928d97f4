/**
 * Serves a workspace (`workspace.ts`) over HTTP: one `node:http` server whose requests go to the driver proxy, the
 * raw data plane or Fastify, all three through the request pipeline of `http/pipeline.ts`.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import Fastify, { type FastifyInstance } from "fastify";
import { createAdminApi } from "./admin.js";
import { callerIdentifier } from "./auth/authenticate.js";
import { DEFAULT_ADMIN } from "./auth/identity.js";
import { registerAuthRoutes } from "./auth/routes.js";
import type { EmulatorContext } from "./context.js";
import { registerControlRoutes } from "./control/routes.js";
import { OPENAI_DEFAULT_BASE } from "./data/external.js";
import { LOCAL_OPENAI_PREFIX, registerLocalOpenAi } from "./data/local-openai.js";
import { createDataPlane, matchDataRoute } from "./data/plane.js";
import { RateLimiter } from "./data/rate-limiter.js";
import { FaultController } from "./faults/controller.js";
import { registerAdminRoutes } from "./faults/routes.js";
import { Stats } from "./faults/stats.js";
import { clientErrorHandler } from "./http/client-error.js";
import { frameworkErrorHandler, installPipeline } from "./http/fastify-pipeline.js";
import { pathOf } from "./http/pipeline.js";
import { createLakebaseStore, registerLakebaseRoutes } from "./lakebase/routes.js";
import type { LakebaseStore } from "./lakebase/store.js";
import type { AdminApi, EmulatorHandle, EmulatorOptions } from "./options.js";
import { checkOptions } from "./options-check.js";
import { registerClusterPermissionRoutes } from "./proxy/cluster-permissions.js";
import { DEFAULT_CLUSTER_ID } from "./proxy/clusters.js";
import {
  DEFAULT_DRIVER_PROXY_PORTS,
  DRIVER_PROXY_PREFIX,
  driverProxyDeps,
  handleDriverProxy,
} from "./proxy/driver-proxy.js";
import { registerSecretsRoutes } from "./secrets/routes.js";
import { UnityCatalog } from "./sql/catalog.js";
import { createSqlService, registerSqlRoutes, type SqlService } from "./sql/routes.js";
import { type TlsMaterial, tlsMaterial } from "./tls/certificates.js";
import { registerVectorSearchRoutes } from "./vector-search/routes.js";
import { createVectorSearchService } from "./vector-search/service.js";
import { unityCatalogSourceTables } from "./vector-search/source-tables.js";
import type { VectorSearchStore } from "./vector-search/store.js";
import { openWorkspace, type Workspace } from "./workspace.js";

const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;

/** The workspace with the services that serve it; `baseUrl` is known once the server listens. */
const createContext = (
  workspace: Workspace,
  unityCatalog: UnityCatalog,
  options: EmulatorOptions,
  baseUrl: () => string,
): EmulatorContext => ({
  ...workspace,
  unityCatalog,
  faults: new FaultController(),
  stats: new Stats(options.requestLog !== false),
  rateLimiter: new RateLimiter(workspace.clock),
  identify: callerIdentifier(workspace.auth, options.auth !== false),
  tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
  // Read at query time: the local route's URL is only known once the server listens.
  get defaultOpenAiApiBase() {
    return (
      options.defaultOpenAiApiBase ??
      (options.allowExternalNetwork ? OPENAI_DEFAULT_BASE : `${baseUrl()}${LOCAL_OPENAI_PREFIX}`)
    );
  },
  allowExternalNetwork: options.allowExternalNetwork === true,
  baseUrl,
});

/**
 * The Fastify app, on a `node:http` server that sends the driver proxy (raw bodies both ways) and the data plane
 * (the hot path) below Fastify.
 */
const createApp = (
  ctx: EmulatorContext,
  options: EmulatorOptions,
  tls: TlsMaterial | undefined,
  ownPort: () => number,
): FastifyInstance => {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const proxyDeps = driverProxyDeps(ctx, {
    ports: options.driverProxyPorts ?? DEFAULT_DRIVER_PROXY_PORTS,
    ownPort,
  });
  const serveData = createDataPlane(ctx, {
    bodyLimit,
    log: options.logRequests ? (line) => app.log.info(line, "request completed") : undefined,
  });
  const app: FastifyInstance = Fastify({
    logger: options.logRequests ? { level: "info" } : false,
    bodyLimit,
    // Clients send collection URLs with a trailing slash (MLflow's deployments client builds
    // `posixpath.join("/api/2.0", "serving-endpoints", "")` -> `/api/2.0/serving-endpoints/`); real workspaces
    // accept both forms on every REST route, so does the emulator (spec/url-forms.md).
    // The databricks-vectorsearch client joins a trailing-slash workspace URL and "/api/..." into "//api/...".
    routerOptions: { maxParamLength: 1000, ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    genReqId: () => randomUUID(),
    forceCloseConnections: true,
    frameworkErrors: frameworkErrorHandler,
    // Node's parser errors get the Databricks envelope too (http/client-error.ts).
    clientErrorHandler,
    serverFactory: (handler) => {
      const listener = (req: IncomingMessage, res: ServerResponse) => {
        const url = req.url ?? "/";
        if (url.startsWith(DRIVER_PROXY_PREFIX)) return handleDriverProxy(req, res, proxyDeps);
        const path = pathOf(url);
        const route = matchDataRoute(req.method, path);
        if (route) serveData(req, res, route, path);
        else handler(req, res);
      };
      return tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, listener) : createServer(listener);
    },
  });
  installPipeline(app, ctx);
  return app;
};

/** The APIs that keep state of their own beside the workspace document (each under its folder). */
interface Services {
  /** SQL warehouses and the Statement Execution API over Unity Catalog's DuckDB engine (`sql/`). */
  sql: SqlService;
  /** Database instances, credentials and their Postgres wire endpoints (`lakebase/`). */
  lakebase: LakebaseStore;
  /** Vector Search endpoints, indexes and their grants (`vector-search/`). */
  vectorSearch: VectorSearchStore;
}

/** Every API's routes; a new API adds its `register<Api>Routes(app, ctx)` line here. */
const registerRoutes = (
  app: FastifyInstance,
  ctx: EmulatorContext,
  admin: AdminApi,
  options: EmulatorOptions,
  services: Services,
): void => {
  registerAuthRoutes(app, ctx);
  registerControlRoutes(app, ctx);
  registerSecretsRoutes(app, ctx);
  registerSqlRoutes(app, ctx, services.sql);
  registerVectorSearchRoutes(app, ctx, services.vectorSearch);
  registerClusterPermissionRoutes(app, ctx);
  registerLakebaseRoutes(app, services.lakebase);
  registerLocalOpenAi(app);
  if (options.faults) registerAdminRoutes(app, admin, (header) => ctx.auth.isAdminCredential(header));
};

/** Where clients reach the server. */
interface Address {
  baseUrl: string;
  host: string;
  port: number;
}

/** Listens and returns where clients reach the server (a wildcard bind is reached on loopback). */
const listen = async (
  app: FastifyInstance,
  options: EmulatorOptions,
  tls: TlsMaterial | undefined,
): Promise<Address> => {
  const host = options.host ?? "127.0.0.1";
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? 0);
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return { baseUrl: `${tls ? "https" : "http"}://${urlHost}:${port}`, host: urlHost, port };
};

const handleFor = (
  app: FastifyInstance,
  ctx: EmulatorContext,
  admin: AdminApi,
  tls: TlsMaterial | undefined,
  services: Services,
  { baseUrl, host, port }: Address,
): EmulatorHandle => {
  let closed: Promise<void> | undefined;
  return {
    url: baseUrl,
    host,
    port,
    token: ctx.auth.adminToken,
    userName: DEFAULT_ADMIN,
    workspaceId: ctx.workspaceId,
    openaiApiBase: `${baseUrl}${LOCAL_OPENAI_PREFIX}`,
    defaultClusterId: DEFAULT_CLUSTER_ID,
    warehouseId: services.sql.defaultWarehouseId,
    sql: {
      unityCatalog: ctx.unityCatalog,
      statementExecution: (id) => services.sql.statements.settled(id),
    },
    users: ctx.auth.users.map((u) => ({ ...u })),
    registerCluster: (id) => ctx.clusters.add(id),
    ...(tls ? { tls: { caPath: tls.caPath, caPem: tls.caPem } } : {}),
    admin,
    close: () => {
      closed ??= app.close().finally(async () => {
        await services.lakebase.close();
        await ctx.unityCatalog.close();
        ctx.release();
        tls?.dispose();
      });
      return closed;
    },
  };
};

/**
 * Starts a local Databricks workspace emulator (Model Serving, Secrets, auth, driver proxy, faults).
 * Binds 127.0.0.1 on a random port by default; call `close()` when done.
 */
export const startEmulator = async (options: EmulatorOptions = {}): Promise<EmulatorHandle> => {
  checkOptions(options);
  const workspace = openWorkspace(options);
  // Everything opened so far is closed again when a later step fails (TLS material, a table file, port in use):
  // the data dir lock, the TLS files, Unity Catalog's DuckDB, Lakebase's Postgres endpoints and the app.
  let tls: TlsMaterial | undefined;
  let unityCatalog: UnityCatalog | undefined;
  let services: Services | undefined;
  let app: FastifyInstance | undefined;
  try {
    // HTTPS with a local CA (tls/certificates.ts), kept under dataDir/tls when there is one.
    tls = options.tls ? await tlsMaterial(options.dataDir) : undefined;
    let baseUrl = "";
    let port = 0;
    unityCatalog = await UnityCatalog.open(workspace.clock, options.dataDir);
    for (const [name, file] of Object.entries(options.tables ?? {})) await unityCatalog.loadTable(name, file);
    const ctx = createContext(workspace, unityCatalog, options, () => baseUrl);
    services = {
      sql: createSqlService(ctx, {
        ...options.sql,
        transitionMs: options.transitionMs ?? 200,
        creator: DEFAULT_ADMIN,
      }),
      lakebase: createLakebaseStore(ctx, {
        dataDir: options.dataDir,
        credentialTtlSeconds: options.databaseCredentialTtlSeconds,
      }),
      vectorSearch: createVectorSearchService(ctx, {
        dataDir: options.dataDir,
        transitionMs: options.transitionMs ?? 200,
        sourceTables: unityCatalogSourceTables(unityCatalog),
      }),
    };
    const admin = createAdminApi(ctx, services);
    app = createApp(ctx, options, tls, () => port);
    registerRoutes(app, ctx, admin, options, services);
    const address = await listen(app, options, tls);
    ({ baseUrl, port } = address);
    workspace.persist();
    return handleFor(app, ctx, admin, tls, services, address);
  } catch (err) {
    await app?.close().catch(() => undefined);
    await services?.lakebase.close().catch(() => undefined);
    unityCatalog?.close();
    workspace.release();
    tls?.dispose();
    throw err;
  }
};
