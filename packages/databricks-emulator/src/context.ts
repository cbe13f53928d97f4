import type { FastifyRequest } from "fastify";
import type { Identity } from "./auth/identity.js";
import type { RateLimiter } from "./data/rate-limiter.js";
import type { FaultController } from "./faults/controller.js";
import type { Stats } from "./faults/stats.js";
import type { ActiveFault } from "./faults/types.js";
import type { Identify } from "./http/pipeline.js";
import type { UnityCatalog } from "./sql/catalog.js";
import type { Workspace } from "./workspace.js";

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

/**
 * What every route module is given (`register<Api>Routes(app, context)`): the workspace (stores, clock, persistence)
 * and the services serving it (faults, request log, rate limits, caller identification).
 */
export interface EmulatorContext extends Workspace {
  faults: FaultController;
  stats: Stats;
  rateLimiter: RateLimiter;
  /** Unity Catalog over the embedded DuckDB engine (tables, functions, grants): see `sql/catalog.ts`. */
  unityCatalog: UnityCatalog;
  /** The caller behind an `Authorization` header; throws the 401/403 envelope (see `callerIdentifier`). */
  identify: Identify;
  tokenTtlSeconds: number;
  /** Where external `openai` models without `openai_api_base` go (see `EmulatorOptions.defaultOpenAiApiBase`). */
  readonly defaultOpenAiApiBase: string;
  /** External models may call non-loopback URLs (`EmulatorOptions.allowExternalNetwork`). */
  allowExternalNetwork: boolean;
  /** Base URL as clients reach it (known after listen). */
  baseUrl(): string;
}

/**
 * @deprecated The former name of `EmulatorContext`, kept only so route modules written against it in parallel
 * branches still compile; use `EmulatorContext`.
 */
export type Ctx = EmulatorContext;

/** The authenticated caller; the auth hook guarantees it on non-public routes. */
export const caller = (req: FastifyRequest): Identity => {
  if (!req.identity) throw new Error("route is missing authentication");
  return req.identity;
};
