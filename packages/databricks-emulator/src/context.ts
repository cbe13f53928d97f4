import type { FastifyRequest } from "fastify";
import type { Identity } from "./auth/identity.js";
import type { AuthStore } from "./auth/store.js";
import type { EndpointStore } from "./control/store.js";
import type { RateLimiter } from "./data/rate-limiter.js";
import type { FaultController } from "./faults/controller.js";
import type { Stats } from "./faults/stats.js";
import type { ActiveFault } from "./faults/types.js";
import type { CustomModel } from "./options.js";
import type { ClusterRegistry } from "./proxy/clusters.js";
import type { SecretsStore } from "./secrets/store.js";
import type { UnityCatalog } from "./sql/catalog.js";
import type { Clock } from "./util/clock.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the auth hook on every non-public route. */
    identity: Identity | null;
    /** Fault injected into this request's response (stream resets, malformed bodies), if any. */
    fault: ActiveFault | null;
  }
  interface FastifyContextConfig {
    /** Discovery/OIDC/local-OpenAI routes: no Databricks auth. */
    public?: boolean;
  }
}

/** Everything route modules share: the workspace state and the emulator's services. */
export interface Ctx {
  clock: Clock;
  auth: AuthStore;
  endpoints: EndpointStore;
  secrets: SecretsStore;
  models: Map<string, CustomModel>;
  clusters: ClusterRegistry;
  faults: FaultController;
  stats: Stats;
  rateLimiter: RateLimiter;
  /** Unity Catalog over the embedded DuckDB engine (tables, functions, grants): see `sql/catalog.ts`. */
  unityCatalog: UnityCatalog;
  workspaceId: string;
  /** The caller behind an `Authorization` header; throws the 401/403 envelope (see `callerIdentifier`). */
  identify(header: string | undefined, requestId: string): Identity;
  tokenTtlSeconds: number;
  defaultOpenAiApiBase: string;
  /** Base URL as clients reach it (known after listen). */
  baseUrl(): string;
}

/** The authenticated caller; the auth hook guarantees it on non-public routes. */
export const caller = (req: FastifyRequest): Identity => {
  if (!req.identity) throw new Error("route is missing authentication");
  return req.identity;
};
